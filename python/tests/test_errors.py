"""Bad input through the Python API: ValueError (perfplan.InputError) with the C++ message, never
a crash; TypeError for an unknown option; results never hold NaN."""
import math

import pytest

import perfplan

BASE = dict(model="llama-3.1-8b", cluster="dgx-h100", gpus=8)

BAD_PLANS = [
    (dict(gpus=0), "GPU count"),
    (dict(gpus=-8), "GPU count"),
    (dict(gpus=4611686018427387904), "at most 1048576"),
    (dict(gpus=12), "whole nodes"),
    (dict(gbs=0), "gbs"),
    (dict(gbs=4611686018427387904), "16777216"),
    (dict(seq=0), "seq"),
    (dict(top=0), "top"),
    (dict(threads=-1), "threads"),
    (dict(tokens=float("nan")), "tokens"),
    (dict(tokens=-1.0), "tokens"),
    (dict(tokens=float("inf")), "tokens"),
    (dict(rank="speed"), "throughput, time, cost"),
    (dict(dtype="int4"), "int4"),
    (dict(framework="no-such-stack"), "no-such-stack"),
    (dict(mem_headroom=float("nan")), "mem_headroom"),
    (dict(tp=-1), "tp must be a positive degree"),
    (dict(model="no-such-model"), "no-such-model"),
    (dict(cluster="no-such-cluster"), "no-such-cluster"),
    (dict(tp=3), "no layout"),
]


@pytest.mark.parametrize("change,message", BAD_PLANS)
def test_bad_plan_is_a_value_error_that_says_what(change, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        perfplan.plan(**{**BASE, **change})


BAD_PREDICTIONS = [
    (dict(tp=3), "divide"),
    (dict(tp=4611686018427387904), "bound of 1048576"),
    (dict(mbs=4611686018427387904), "bound of 65536"),
    (dict(zero=7), "zero"),
    (dict(recompute="some"), "some"),
    (dict(schedule="zb-h3"), "zb-h3"),
    (dict(vp=2), "vp > 1"),
    (dict(shard_size=4), "sharded state"),
]


@pytest.mark.parametrize("change,message", BAD_PREDICTIONS)
def test_bad_prediction_is_a_value_error_that_says_what(change, message):
    with pytest.raises(ValueError, match=message):
        perfplan.predict(**{**BASE, **change})


def test_bad_models_and_matrices():
    with pytest.raises(ValueError, match="gpu counts must be positive"):
        perfplan.throughput_matrix([perfplan.Job(model="llama-3.1-8b")], ["dgx-h100"], [0])
    with pytest.raises(ValueError, match="no-such-cluster"):
        perfplan.throughput_matrix([perfplan.Job(model="llama-3.1-8b")], ["no-such-cluster"], [8])
    with pytest.raises(ValueError, match="no-such-model"):
        perfplan.throughput_matrix([perfplan.Job(model="no-such-model")], ["dgx-h100"], [8])
    with pytest.raises(TypeError):
        perfplan.predict(**BASE, tensor_parallel=2)


def test_results_never_hold_nan():
    for row in perfplan.plan(**BASE, top=5).rows:
        for value in row.to_dict().values():
            if isinstance(value, float):
                assert math.isfinite(value)


# The second campaign: nothing is coerced silently, and the message survives any bytes.
WRONG_TYPES = [
    (dict(gpus=True), "gpus must be an int"),
    (dict(gpus=8.0), "gpus must be an int"),
    (dict(tp=None), "tp must be an int"),
    (dict(tp="2"), "tp must be an int"),
    (dict(zero=True), "zero must be an int"),
    (dict(sp=0.5), "sp must be True or False"),
    (dict(sp=1), "sp must be True or False"),
    (dict(dtype=16), "dtype must be a str"),
]


@pytest.mark.parametrize("change,message", WRONG_TYPES)
def test_a_wrong_type_is_a_type_error_naming_the_option(change, message):
    with pytest.raises(TypeError, match=message):
        perfplan.predict(**{**BASE, **change})


def test_out_of_range_ints_and_nul_characters_are_input_errors():
    with pytest.raises(ValueError, match="zero = 2147483656 is out of range"):
        perfplan.predict(**{**BASE, "zero": 2 ** 31 + 8})
    with pytest.raises(ValueError, match="tp = 36893488147419103232 is out of range"):
        perfplan.predict(**{**BASE, "tp": 2 ** 65})
    with pytest.raises(ValueError, match="NUL"):
        perfplan.predict(**{**BASE, "model": "llama-3.1-8b\0x"})


def test_matrix_inputs_are_checked_not_bent():
    job = perfplan.Job("llama-3.1-8b")
    with pytest.raises(TypeError, match="gpu_counts must hold ints, got float 48.9"):
        perfplan.throughput_matrix([job], ["dgx-h100"], [48.9])
    with pytest.raises(TypeError, match="gpu_counts must hold ints, got bool"):
        perfplan.throughput_matrix([job], ["dgx-h100"], [True])
    with pytest.raises(TypeError, match="seq_len"):
        perfplan.throughput_matrix([{"model": "llama-3.1-8b", "seq_len": 32768}], ["dgx-h100"], [8])
    with pytest.raises(TypeError, match="gpu_types must be a list of str"):
        perfplan.throughput_matrix([job], "dgx-h100", [8])
    with pytest.raises(ValueError, match="gpu counts list 8 twice"):
        perfplan.throughput_matrix([job], ["dgx-h100"], [8, 8])
    with pytest.raises(ValueError, match="more than 100000 cells"):
        perfplan.throughput_matrix([job], ["dgx-h100"], list(range(8, 8 * 100002, 8)))
    # "H100" is a word of two cluster names: ambiguous, never silently the PCIe node.
    with pytest.raises(ValueError, match="ambiguous.*dgx-h100.*h100-pcie-node"):
        perfplan.throughput_matrix([job], ["H100"], [8])


def test_a_message_with_bytes_that_are_not_utf8_keeps_its_text(tmp_path):
    config = tmp_path / "config.json"
    config.write_bytes(b'{"model_type": "\xff\xfe"}')
    with pytest.raises(ValueError) as error:
        perfplan.predict(**{**BASE, "model": str(config)})
    assert str(config) in str(error.value)


def test_a_layout_that_does_not_fit_says_so_when_printed():
    p = perfplan.predict(**{**BASE, "tp": 1})
    assert not p.fits
    assert str(p).endswith("GiB per GPU (DOES NOT FIT)")


def test_odd_but_valid_types_and_invalid_text():
    assert perfplan.predict(**{**BASE, "tp": 8, "sp": True}).fits
    with pytest.raises(ValueError, match="not valid text"):
        perfplan.predict(**{**BASE, "model": "llama\udcff"})
    with pytest.raises(TypeError, match="jobs must be a list"):
        perfplan.throughput_matrix("llama-3.1-8b", ["dgx-h100"], [8])
    try:
        import numpy
    except ImportError:
        return
    p = perfplan.predict(**{**BASE, "tp": numpy.int64(8), "sp": numpy.bool_(True)})
    assert p.fits


def test_options_the_layout_would_ignore_are_refused_as_in_the_cli():
    with pytest.raises(ValueError, match="a pipeline schedule needs pp > 1"):
        perfplan.predict(**{**BASE, "schedule": "interleaved"})
    with pytest.raises(ValueError, match="has no experts"):
        perfplan.predict(**{**BASE, "tp": 8, "moe_dispatcher": "flex"})


def test_a_fixed_degree_of_zero_is_refused_not_read_as_any():
    with pytest.raises(ValueError, match="tp must be a positive degree"):
        perfplan.plan(**{**BASE, "tp": 0})
    with pytest.raises(ValueError, match="max_ep must be a positive degree"):
        perfplan.plan(**{**BASE, "max_ep": 0})
    assert perfplan.plan(**{**BASE, "tp": None, "top": 1}).best.layout.tp >= 1
