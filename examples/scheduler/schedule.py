#!/usr/bin/env python3
"""Heterogeneity-aware max-min fair GPU allocation from perfplan's throughput matrix.

A handful of training jobs (different models, batch sizes and token budgets, each asking for a
number of GPUs) share a cluster of several GPU types. Instead of profiling every job on every
type, perfplan predicts each job's best throughput on each type at its GPU count. The allocation
is Gavel's heterogeneity-aware max-min fairness policy (Narayanan et al., "Heterogeneity-Aware
Cluster Scheduling Policies for Deep Learning Workloads", OSDI 2020, Sec. 4.1): choose X[m][j],
the fraction of time job m runs on type j, to

    maximise  min_m  throughput(m, X) / throughput(m, X_equal)
    s.t.      sum_j X[m][j] <= 1                    (a job runs on one type at a time)
              sum_m X[m][j] * gpus[m] <= G[j]        (no more GPUs of a type than exist)
              X >= 0,  X[m][j] = 0 where m cannot run on j

with throughput(m, X) = sum_j T[m][j] X[m][j] and X_equal the equal share of the cluster (each job
gets 1/n of its GPU-time, spread over the types in proportion to their GPUs). Solved as a linear
programme (scipy's HiGHS).

    PYTHONPATH=<build>/python python3 examples/scheduler/schedule.py [--json]
"""
import argparse
import json
import sys

import numpy as np
from scipy.optimize import linprog

import perfplan

# The cluster: GPUs of each type (perfplan cluster names).
CLUSTER = {"dgx-h100": 64, "dgx-a100": 128, "dgx-b200": 32}

# Jobs: model, global batch (sequences), sequence length, token budget, GPUs it asks for.
JOBS = [
    {"name": "llama-8b-pretrain", "model": "llama-3.1-8b", "gbs": 512, "seq": 8192, "tokens": 2e11, "gpus": 32},
    {"name": "llama-70b-cpt", "model": "llama-3.1-70b", "gbs": 256, "seq": 8192, "tokens": 5e10, "gpus": 64},
    {"name": "mixtral-sft", "model": "mixtral-8x7b", "gbs": 256, "seq": 4096, "tokens": 2e10, "gpus": 32},
    {"name": "qwen-moe", "model": "qwen3-30b-a3b", "gbs": 512, "seq": 4096, "tokens": 1e11, "gpus": 32},
    {"name": "mistral-7b", "model": "mistral-7b", "gbs": 256, "seq": 4096, "tokens": 5e10, "gpus": 16},
]


def throughputs(jobs, types):
    """T[m][j]: job m's best predicted tokens/s on type j at its GPU count (0: it cannot run)."""
    counts = sorted({job["gpus"] for job in jobs})
    specs = [perfplan.Job(model=j["model"], gbs=j["gbs"], seq=j["seq"], name=j["name"]) for j in jobs]
    matrix = perfplan.throughput_matrix(specs, types, counts)
    T = np.zeros((len(jobs), len(types)))
    layouts = {}
    for m, job in enumerate(jobs):
        for j, t in enumerate(types):
            cell = matrix.at(job["name"], t, job["gpus"])
            if cell.feasible:
                T[m, j] = cell.tokens_per_s
                layouts[(m, j)] = cell.layout.text
    return T, layouts, matrix.seconds


def max_min_fair(T, gpus, capacity):
    """Gavel's max-min fairness LP; returns X (jobs x types) and the fairness level t."""
    n, k = T.shape
    total = capacity.sum()
    # Equal share: 1/n of the cluster's GPU-time, spread over the types in proportion to their
    # GPUs (a feasible allocation, so the fair optimum is at least 1).
    share = (capacity[None, :] / total) * np.minimum(1.0, total / (n * gpus[:, None]))
    equal = (T * share).sum(axis=1)
    # Variables: X flattened (n*k), then t. Maximise t.
    c = np.zeros(n * k + 1)
    c[-1] = -1.0
    rows, bounds_ub = [], []
    for m in range(n):  # t * equal[m] - sum_j T[m, j] X[m, j] <= 0
        row = np.zeros(n * k + 1)
        row[m * k:(m + 1) * k] = -T[m] / max(equal[m], 1e-12)
        row[-1] = 1.0
        rows.append(row)
        bounds_ub.append(0.0)
    for m in range(n):  # sum_j X[m, j] <= 1
        row = np.zeros(n * k + 1)
        row[m * k:(m + 1) * k] = 1.0
        rows.append(row)
        bounds_ub.append(1.0)
    for j in range(k):  # sum_m gpus[m] X[m, j] <= capacity[j]
        row = np.zeros(n * k + 1)
        for m in range(n):
            row[m * k + j] = gpus[m]
        rows.append(row)
        bounds_ub.append(capacity[j])
    bounds = [(0.0, 1.0 if T[m, j] > 0 else 0.0) for m in range(n) for j in range(k)] + [(0.0, None)]
    result = linprog(c, A_ub=np.array(rows), b_ub=np.array(bounds_ub), bounds=bounds, method="highs")
    if not result.success:
        raise RuntimeError("the allocation LP failed: " + result.message)
    return result.x[:-1].reshape(n, k), result.x[-1], equal, total


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the allocation as JSON")
    args = parser.parse_args()
    types = list(CLUSTER)
    capacity = np.array([CLUSTER[t] for t in types], dtype=float)
    gpus = np.array([job["gpus"] for job in JOBS], dtype=float)
    T, layouts, seconds = throughputs(JOBS, types)
    X, fairness, equal, _ = max_min_fair(T, gpus, capacity)
    out = {"types": types, "capacity": CLUSTER, "matrix_seconds": seconds, "fairness": fairness, "jobs": []}
    for m, job in enumerate(JOBS):
        effective = float(T[m] @ X[m])
        out["jobs"].append({
            "name": job["name"], "gpus": job["gpus"],
            "throughput": {t: float(T[m, j]) for j, t in enumerate(types)},
            "allocation": {t: float(X[m, j]) for j, t in enumerate(types)},
            "effective_tokens_per_s": effective,
            "normalized": effective / equal[m] if equal[m] > 0 else 0.0,
            "days_to_budget": job["tokens"] / effective / 86400 if effective > 0 else None,
            "layouts": {t: layouts.get((m, j)) for j, t in enumerate(types)},
        })
    if args.json:
        json.dump(out, sys.stdout, indent=2)
        print()
        return
    print(f"throughput matrix from perfplan in {seconds:.2f} s; max-min fairness level {fairness:.2f} "
          "(effective throughput over the equal-share throughput, at least this for every job)")
    header = "".join(f"{t:>22}" for t in types)
    print(f"{'job':<20}{'GPUs':>5}{header}{'tokens/s':>14}{'x equal':>9}{'days':>8}")
    for job in out["jobs"]:
        cells = "".join(f"{100 * job['allocation'][t]:>6.0f}% of {job['throughput'][t]:>11,.0f}" for t in types)
        days = f"{job['days_to_budget']:.1f}" if job["days_to_budget"] else "-"
        print(f"{job['name']:<20}{job['gpus']:>5}{cells}{job['effective_tokens_per_s']:>14,.0f}"
              f"{job['normalized']:>9.2f}{days:>8}")
    used = {t: sum(job["gpus"] * job["allocation"][t] for job in out["jobs"]) for t in types}
    print("GPUs in use (time-averaged): " + ", ".join(f"{t} {used[t]:.0f} of {CLUSTER[t]}" for t in types))


if __name__ == "__main__":
    main()
