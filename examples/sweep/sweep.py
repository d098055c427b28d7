#!/usr/bin/env python3
"""A hardware / model co-design sweep on Dask: every model x GPU type x count x framework x layout.

Cells are predictions of one layout (perfplan.predict), grouped into chunks that Dask tasks
compute; each worker process builds its perfplan Library once. The results go to a columnar file:
CSV (Debian ships no pyarrow; with pandas + pyarrow installed, --parquet writes Parquet).

    PYTHONPATH=<build>/python python3 examples/sweep/sweep.py --cells 10000 --out sweep.csv
    ... --scheduler tcp://host:8786   # any running Dask scheduler instead of a LocalCluster
"""
import argparse
import csv
import itertools
import sys
import time

from dask.distributed import Client, LocalCluster

MODELS = ["llama-3.1-8b", "llama-3.1-70b", "mixtral-8x7b", "qwen3-30b-a3b", "mistral-7b"]
GPU_TYPES = ["dgx-h100", "dgx-a100", "dgx-b200", "dgx-h200"]
GPU_COUNTS = [8, 16, 64, 512]
FRAMEWORKS = ["megatron-core", "torchtitan"]
LAYOUTS = [dict(tp=tp, pp=pp, mbs=mbs, recompute=rc)
           for tp, pp, mbs, rc in itertools.product([1, 2, 4, 8], [1, 2, 4, 8], [1, 2], ["none", "selective"])]
COLUMNS = ["model", "gpu_type", "gpus", "framework", "tp", "pp", "dp", "mbs", "recompute", "feasible",
           "fits", "iteration_time_s", "tokens_per_s", "mfu", "memory_gib", "reason"]


def cells(limit):
    grid = itertools.product(MODELS, GPU_TYPES, GPU_COUNTS, FRAMEWORKS, LAYOUTS)
    for model, gpu_type, gpus, framework, layout in itertools.islice(grid, limit):
        yield dict(model=model, gpu_type=gpu_type, gpus=gpus, framework=framework, **layout)


def compute(chunk):
    """One Dask task: predict each cell of the chunk (the worker's Library is made once)."""
    import perfplan  # imported in the worker process
    out = []
    for c in chunk:
        dp = c["gpus"] // (c["tp"] * c["pp"]) if c["gpus"] % (c["tp"] * c["pp"]) == 0 else 0
        row = dict(c, dp=dp, feasible=False, fits=False, iteration_time_s=0.0, tokens_per_s=0.0, mfu=0.0,
                   memory_gib=0.0, reason="")
        try:
            p = perfplan.predict(model=c["model"], cluster=c["gpu_type"], gpus=c["gpus"], tp=c["tp"], pp=c["pp"],
                                 mbs=c["mbs"], gbs=1024, seq=4096, sp=c["tp"] > 1, recompute=c["recompute"],
                                 distributed_optimizer=True, framework=c["framework"])
            row.update(feasible=True, fits=p.fits, iteration_time_s=p.iteration_time_s, tokens_per_s=p.tokens_per_s,
                       mfu=p.mfu, memory_gib=p.memory_gib)
        except ValueError as e:  # a layout the model or the GPU count does not allow
            row["reason"] = str(e)
        out.append(row)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=10000)
    parser.add_argument("--chunk", type=int, default=250, help="cells per Dask task")
    parser.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes")
    parser.add_argument("--scheduler", help="address of a running Dask scheduler (default: a LocalCluster)")
    parser.add_argument("--out", default="sweep.csv")
    parser.add_argument("--parquet", action="store_true", help="write Parquet (needs pandas and pyarrow)")
    args = parser.parse_args()

    todo = list(cells(args.cells))
    chunks = [todo[i:i + args.chunk] for i in range(0, len(todo), args.chunk)]
    cluster = None if args.scheduler else LocalCluster(n_workers=args.workers, threads_per_worker=1,
                                                       processes=True, dashboard_address=None)
    with Client(args.scheduler or cluster) as client:
        start = time.perf_counter()
        rows = [row for part in client.gather(client.map(compute, chunks, pure=False)) for row in part]
        seconds = time.perf_counter() - start
    if cluster is not None:
        cluster.close()
    if args.parquet:
        import pandas  # noqa: only with --parquet
        pandas.DataFrame(rows, columns=COLUMNS).to_parquet(args.out)
    else:
        with open(args.out, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
    feasible = sum(1 for r in rows if r["feasible"] and r["fits"])
    print(f"swept {len(rows)} cells in {seconds:.2f} s on Dask: {len(rows) / seconds:,.0f} cells/s; "
          f"{feasible} layouts fit; wrote {args.out}")


if __name__ == "__main__":
    sys.exit(main())
