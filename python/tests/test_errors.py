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
