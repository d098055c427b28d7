"""perfplan: predict and plan distributed training, from Python.

    import perfplan
    best = perfplan.plan(model="llama-3.1-70b", cluster="dgx-h100", gpus=512, gbs=512, seq=8192).best
    print(best.layout, best.tokens_per_s)

Keyword arguments are the CLI's flags (``--max-tp`` is ``max_tp``); results are frozen
dataclasses that print well and convert with ``to_dict()``. Bad input raises ``ValueError``
(``perfplan.InputError``) with the CLI's message. perfplan releases the GIL while it computes, so
threads may call it at once.
"""
from __future__ import annotations

import numbers
import os
import threading
from dataclasses import asdict, dataclass, fields
from typing import List, Optional, Sequence

from . import _paths
from ._perfplan import InputError, __version__
from ._perfplan import Library as _NativeLibrary

__all__ = ["InputError", "Job", "Layout", "Library", "MatrixCell", "Plan", "PlanRow", "Prediction",
           "ThroughputMatrix", "data_directory", "plan", "predict", "throughput_matrix", "__version__"]


_INT64 = (-2 ** 63, 2 ** 63 - 1)


def _checked(function, options: dict) -> dict:
    """The options with the types their signature states: an int is an int (not a bool, a float or
    None), a bool is a bool, a float is a real number, a str a str without NUL; else TypeError
    naming the option. Nothing is coerced silently (48.9 GPUs is not 48, True GPUs is not 1)."""
    annotations = function.__annotations__
    out = {}
    for name, value in options.items():
        kind = annotations.get(name)
        if kind == "Optional[int]":
            # A degree to fix: None leaves it to the search; a given one is a positive int (0 is
            # no degree, not "any").
            if value is None:
                out[name] = 0
                continue
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise TypeError(f"{name} must be an int or None, got {type(value).__name__} {value!r}")
            if int(value) < 1:
                raise InputError(f"{name} must be a positive degree (got {int(value)}); leave it out to search it")
            kind = "int"
        if kind == "int":
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
            value = int(value)
            if not _INT64[0] <= value <= _INT64[1]:
                raise InputError(f"{name} = {value} is out of range; accepted: a 64-bit integer within the option's bound")
        elif kind == "bool":
            if type(value).__name__ == "bool_" and hasattr(value, "dtype"):  # numpy.bool_
                value = bool(value)
            if not isinstance(value, bool):
                raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
        elif kind == "float":
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
            value = float(value)
        elif kind == "str":
            if name in ("model", "data_dir") and isinstance(value, os.PathLike):
                value = os.fspath(value)
            if not isinstance(value, str):
                raise TypeError(f"{name} must be a str, got {type(value).__name__} {value!r}")
            if "\0" in value:
                raise InputError(f"{name} holds a NUL character; accepted: a name or a path")
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                # A lone surrogate (os.fsdecode of a file name that is not UTF-8) has no UTF-8 form.
                raise InputError(f"{name} = {value!r} is not valid text (a lone surrogate); accepted: UTF-8 "
                                 "names and paths") from None
        out[name] = value
    return out


def _integers(name: str, values) -> list:
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            raise TypeError(f"{name} must hold ints, got {type(v).__name__} {v!r}")
        if not _INT64[0] <= int(v) <= _INT64[1]:
            raise InputError(f"{name}: {int(v)} is out of range")
        out.append(int(v))
    return out


def _strings(name: str, values) -> list:
    if isinstance(values, str):
        raise TypeError(f"{name} must be a list of str, not one str")
    out = list(values)
    for v in out:
        if not isinstance(v, str):
            raise TypeError(f"{name} must hold str, got {type(v).__name__} {v!r}")
    return out


class _Record:
    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def _from(cls, d: dict, **extra):
        names = {f.name for f in fields(cls)}
        return cls(**{**{k: v for k, v in d.items() if k in names}, **extra})


@dataclass(frozen=True)
class Layout(_Record):
    text: str
    tp: int
    sp: bool
    pp: int
    vp: int
    dp: int
    cp: int
    ep: int
    etp: int
    mbs: int
    gbs: int
    recompute: str
    zero: int
    distributed_optimizer: bool
    shard_size: int
    schedule: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Prediction(_Record):
    iteration_time_s: float
    iteration_time_low_s: float
    iteration_time_high_s: float
    tokens_per_s: float
    mfu: float
    memory_gib: float
    fits: bool
    micro_batches: int
    bubble_fraction: float

    def __str__(self) -> str:
        return (f"{self.iteration_time_s:.3f} s per iteration (likely {self.iteration_time_low_s:.3g}-"
                f"{self.iteration_time_high_s:.3g} s), {self.tokens_per_s:,.0f} tokens/s, MFU {100 * self.mfu:.1f}%, "
                f"{self.memory_gib:.1f} GiB per GPU" + ("" if self.fits else " (DOES NOT FIT)"))


@dataclass(frozen=True)
class PlanRow(Prediction):
    layout: Layout = None
    time_to_train_s: float = 0.0
    cost_usd: float = 0.0
    why: str = ""
    equivalents: str = ""
    ties_best: bool = False

    def __str__(self) -> str:
        return f"{self.layout}: {Prediction.__str__(self)}"


@dataclass(frozen=True)
class Plan(_Record):
    rows: List[PlanRow]
    enumerated: int
    feasible: int
    seconds: float

    @property
    def best(self) -> PlanRow:
        return self.rows[0]

    def __str__(self) -> str:
        lines = [f"{len(self.rows)} best of {self.feasible:,} feasible layouts ({self.enumerated:,} searched in "
                 f"{self.seconds:.2f} s)"]
        lines += [f"  {i + 1:>2}. {row}" for i, row in enumerate(self.rows)]
        return "\n".join(lines)


@dataclass(frozen=True)
class Job(_Record):
    """A job of a throughput matrix: a model at a global batch (sequences) and sequence length."""
    model: str
    gbs: int = 1024
    seq: int = 4096
    dtype: str = "bf16"
    name: str = ""


@dataclass(frozen=True)
class MatrixCell(_Record):
    job: str
    gpu_type: str
    gpus: int
    feasible: bool
    tokens_per_s: float
    tokens_per_s_low: float
    tokens_per_s_high: float
    mfu: float
    iteration_time_s: float
    memory_gib: float
    layout: Optional[Layout]
    empty_reason: str

    def __str__(self) -> str:
        where = f"{self.job} on {self.gpus} x {self.gpu_type}"
        if not self.feasible:
            return f"{where}: empty ({self.empty_reason})"
        return (f"{where}: {self.tokens_per_s:,.0f} tokens/s (likely {self.tokens_per_s_low:,.0f}-"
                f"{self.tokens_per_s_high:,.0f}) with {self.layout}")


@dataclass(frozen=True)
class ThroughputMatrix(_Record):
    cells: List[MatrixCell]
    seconds: float

    def at(self, job: str, gpu_type: str, gpus: int) -> MatrixCell:
        for c in self.cells:
            if c.job == job and c.gpu_type == gpu_type and c.gpus == gpus:
                return c
        raise KeyError((job, gpu_type, gpus))

    def __str__(self) -> str:
        return "\n".join(str(c) for c in self.cells)


def _layout(d):
    return None if d is None else Layout._from(d)


class Library:
    """The data read once (model catalog, hardware specs, frameworks); call it from any thread."""

    def __init__(self, data_dir: Optional[str] = None):
        self._native = _NativeLibrary(data_dir if data_dir is not None else _paths.DATA_DIR)

    @property
    def data_directory(self) -> str:
        return str(self._native.data_directory)

    def predict(self, *, model: str, cluster: str, gpus: int, tp: int = 1, pp: int = 1, dp: int = 0, cp: int = 1,
                ep: int = 1, etp: int = 1, vp: int = 1, mbs: int = 1, gbs: int = 0, seq: int = 4096, sp: bool = False,
                zero: int = 0, distributed_optimizer: bool = False, shard_size: int = 0, recompute: str = "none",
                schedule: str = "", post_validation: bool = False, dtype: str = "bf16", attention: str = "",
                framework: str = "megatron-core", tp_comm_overlap: bool = False, moe_comm_overlap: bool = False,
                moe_dispatcher: str = "alltoall", no_grad_overlap: bool = False,
                rank_order: str = "tp-cp-ep-dp-pp") -> Prediction:
        options = dict(locals())
        del options["self"]
        return Prediction._from(self._native.predict(_checked(Library.predict, options)))

    def plan(self, *, model: str, cluster: str, gpus: int = 0, gbs: int = 1024, seq: int = 4096,
             tokens: float = 1e12, rank: str = "throughput", top: int = 10, dtype: str = "bf16",
             framework: str = "megatron-core", threads: int = 0, tp: Optional[int] = None,
             pp: Optional[int] = None, cp: Optional[int] = None, ep: Optional[int] = None, dp: Optional[int] = None,
             max_tp: Optional[int] = None, max_pp: Optional[int] = None, max_cp: Optional[int] = None,
             max_ep: Optional[int] = None, no_fsdp: bool = False,
             mem_headroom: float = 2.0) -> Plan:
        options = dict(locals())
        del options["self"]
        r = self._native.plan(_checked(Library.plan, options))
        if not r["rows"]:
            raise InputError(r["nothing_fits"])
        rows = [PlanRow._from(row, layout=_layout(row["layout"])) for row in r["rows"]]
        return Plan(rows=rows, enumerated=r["enumerated"], feasible=r["feasible"], seconds=r["seconds"])

    def throughput_matrix(self, jobs: Sequence[Job], gpu_types: Sequence[str], gpu_counts: Sequence[int], *,
                          framework: str = "megatron-core", threads: int = 0) -> ThroughputMatrix:
        # A dict job is checked as a Job: an unknown key (a typo like seq_len) is a TypeError, not
        # a silently default sequence length.
        if isinstance(jobs, (str, bytes)) or not all(isinstance(j, (Job, dict)) for j in jobs):
            raise TypeError("jobs must be a list of perfplan.Job or dicts of Job's fields")
        native_jobs = [_checked(Job, (j if isinstance(j, Job) else Job(**j)).to_dict()) for j in jobs]
        options = _checked(Library.throughput_matrix, {"framework": framework, "threads": threads})
        r = self._native.throughput_matrix(native_jobs, _strings("gpu_types", gpu_types),
                                           _integers("gpu_counts", gpu_counts), options["framework"],
                                           options["threads"])
        cells = [MatrixCell._from(c, layout=_layout(c["layout"])) for c in r["cells"]]
        return ThroughputMatrix(cells=cells, seconds=r["seconds"])


_default: Optional[Library] = None
_default_lock = threading.Lock()


def _library() -> Library:
    global _default
    with _default_lock:
        if _default is None:
            _default = Library()
        return _default


def data_directory() -> str:
    return _library().data_directory


def predict(**options) -> Prediction:
    """One layout's iteration time, throughput, MFU and memory (``perfplan predict``)."""
    return _library().predict(**options)


def plan(**options) -> Plan:
    """The best layouts (``perfplan plan``)."""
    return _library().plan(**options)


def throughput_matrix(jobs: Sequence[Job], gpu_types: Sequence[str], gpu_counts: Sequence[int], **options):
    """Each job's best predicted throughput on each GPU type (cluster name) at each GPU count."""
    return _library().throughput_matrix(jobs, gpu_types, gpu_counts, **options)
