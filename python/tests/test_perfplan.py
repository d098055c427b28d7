"""The Python bindings: the CLI's names, dataclass results, ValueError for bad input, threads."""
import concurrent.futures
import json

import pytest

import perfplan


def test_predict_has_the_cli_names_and_prints_well():
    p = perfplan.predict(model="llama-3.1-70b", cluster="dgx-h100", gpus=512, tp=8, pp=4, vp=5, sp=True,
                         distributed_optimizer=True, recompute="selective", gbs=512, seq=8192)
    assert p.micro_batches == 32
    assert p.iteration_time_low_s < p.iteration_time_s < p.iteration_time_high_s
    assert 0 < p.mfu < 1
    assert "tokens/s" in str(p)
    assert json.loads(json.dumps(p.to_dict()))["micro_batches"] == 32


def test_plan_rows_are_ranked_and_convert_to_dicts():
    r = perfplan.plan(model="llama-3.1-8b", cluster="dgx-h100", gpus=64, gbs=256, top=3, threads=1)
    assert len(r.rows) == 3
    assert r.best.tokens_per_s >= r.rows[-1].tokens_per_s
    assert r.best.layout.tp * r.best.layout.pp * r.best.layout.dp * r.best.layout.cp == 64
    assert str(r.best.layout) == r.best.layout.text
    d = r.to_dict()
    assert d["rows"][0]["layout"]["text"] == r.best.layout.text
    assert "1." in str(r)


def test_bad_input_is_a_value_error_with_the_cli_message():
    with pytest.raises(ValueError, match="speed"):
        perfplan.plan(model="llama-3.1-8b", cluster="dgx-h100", gpus=64, rank="speed")
    with pytest.raises(perfplan.InputError):
        perfplan.plan(model="no-such-model", cluster="dgx-h100", gpus=64)
    with pytest.raises(ValueError, match="tp must be a positive degree"):
        perfplan.plan(model="llama-3.1-8b", cluster="dgx-h100", gpus=64, tp=-1)
    with pytest.raises(TypeError):
        perfplan.plan(model="llama-3.1-8b", cluster="dgx-h100", gpus=64, tensor_parallel=8)


def test_throughput_matrix_cells_and_empty_reasons():
    jobs = [perfplan.Job(model="llama-3.1-8b", gbs=256, name="8b"), perfplan.Job(model="mixtral-8x7b", gbs=256)]
    m = perfplan.throughput_matrix(jobs, ["dgx-h100", "dgx-a100"], [8, 12, 64], threads=2)
    assert len(m.cells) == 2 * 2 * 3
    h100 = m.at("8b", "dgx-h100", 64)
    assert h100.feasible and h100.tokens_per_s_low < h100.tokens_per_s < h100.tokens_per_s_high
    assert h100.tokens_per_s > m.at("8b", "dgx-a100", 64).tokens_per_s
    partial = m.at("Mixtral-8x7B", "dgx-h100", 12)
    assert not partial.feasible and partial.empty_reason
    assert "empty" in str(partial)
    best = perfplan.plan(model="llama-3.1-8b", cluster="dgx-h100", gpus=64, gbs=256, top=1).best
    assert h100.layout.text == best.layout.text


def test_threads_get_what_one_thread_gets():
    def one(_):
        r = perfplan.plan(model="llama-3.1-8b", cluster="dgx-h100", gpus=64, gbs=256, top=2, threads=1)
        return [(row.layout.text, row.tokens_per_s) for row in r.rows]

    want = one(0)
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        for got in pool.map(one, range(8)):
            assert got == want


def test_an_explicit_data_directory():
    lib = perfplan.Library(perfplan.data_directory())
    assert lib.data_directory == perfplan.data_directory()
    with pytest.raises(ValueError):
        perfplan.Library("/no/such/perfplan/data")
