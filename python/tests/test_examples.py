"""The Python examples run and say what they should: the Gavel-style scheduler over perfplan's
throughput matrix, and the Dask sweep of 10,000 cells on a LocalCluster."""
import csv
import json
import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def run(script, *args, cwd=None):
    env = dict(os.environ)
    # The scripts (and Dask's worker processes) run elsewhere: the package path must be absolute.
    env["PYTHONPATH"] = os.pathsep.join(str(pathlib.Path(p).resolve()) for p in sys.path if p
                                        and pathlib.Path(p, "perfplan", "__init__.py").exists())
    return subprocess.run([sys.executable, str(ROOT / script), *args], capture_output=True, text=True, check=True,
                          env=env, cwd=cwd, timeout=600).stdout


def test_scheduler_allocates_within_capacity_and_at_least_the_equal_share():
    pytest.importorskip("scipy")
    out = json.loads(run("examples/scheduler/schedule.py", "--json"))
    assert len(out["jobs"]) == 5
    for t, capacity in out["capacity"].items():
        used = sum(job["gpus"] * job["allocation"][t] for job in out["jobs"])
        assert used <= capacity + 1e-6
    for job in out["jobs"]:
        assert sum(job["allocation"].values()) <= 1 + 1e-6
        # Max-min fairness: every job at least the common level, which beats the equal share.
        assert job["normalized"] >= out["fairness"] - 1e-6
        assert job["effective_tokens_per_s"] > 0
        # Time only goes to types the job can run on.
        for t, share in job["allocation"].items():
            if job["throughput"][t] == 0:
                assert share == pytest.approx(0, abs=1e-9)
    assert out["fairness"] >= 1.0
    text = run("examples/scheduler/schedule.py")
    assert "max-min fairness level" in text and "llama-70b-cpt" in text


def test_dask_sweep_of_10000_cells_on_a_local_cluster(tmp_path):
    pytest.importorskip("distributed")
    out_file = tmp_path / "sweep.csv"
    text = run("examples/sweep/sweep.py", "--cells", "10000", "--out", str(out_file), cwd=tmp_path)
    match = re.search(r"swept (\d+) cells in ([\d.]+) s on Dask: ([\d,]+) cells/s", text)
    assert match, text
    assert int(match.group(1)) == 10000
    print(text.strip())  # the cells per second, in the test log
    with open(out_file) as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 10000
    fits = [r for r in rows if r["fits"] == "True"]
    assert fits and all(float(r["tokens_per_s"]) > 0 for r in fits)
    # Layouts the GPU count does not allow carry the reason, not a number.
    refused = [r for r in rows if r["feasible"] == "False"]
    assert refused and all(r["reason"] for r in refused)
