"""Smoke test of the class-throughput benchmark (bench/cluster.py): a quick run grades a small
class both ways and reports every row. No timing assertions: speed belongs to ``make bench``."""

from __future__ import annotations

import argparse
import re

from bench import cluster as bench_cluster
from bench.classes import build_class


def test_quick_run_grades_a_class_both_ways_and_reports_throughput_and_agreement():
    rows = bench_cluster.rows(argparse.Namespace(repeat=1, quick=True, class_dir=None))
    assert rows and all(r.section == "class throughput" for r in rows)
    by_start = {r.what.split(" (")[0]: r for r in rows}
    rates = [
        r for r in rows if r.value.endswith(")") and "submissions/min" in r.value
    ]  # median (min–max) rows: --jobs 2 and the restarted cluster
    assert len(rates) == 2 and all("4 submissions, 1 topic" in r.what for r in rates)
    for row in rates:
        median = float(row.value.split()[0])
        assert median > 0
    ratio = next(r for r in rows if r.what.startswith("throughput ratio"))
    assert re.fullmatch(r"\d+\.\d\d× \(\d+\.\d\d–\d+\.\d\d\)", ratio.value)
    agreement = next(r for r in rows if r.target == "identical")
    assert agreement.met is True and agreement.value == "yes"
    assert any(k.startswith("`--cluster` with warm workers") for k in by_start)
    startup = next(r for r in rows if r.what.startswith("LocalCluster start-up"))
    assert re.fullmatch(r"\d+\.\d\d s", startup.value)  # one run: no restart to time


restarts: list[int] = []


class _FakeCluster:
    scheduler_address = "tcp://fake:8786"

    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def restart(self):
        restarts.append(1)


def test_rates_ratio_and_a_score_disagreement_are_computed_from_the_runs(monkeypatch, tmp_path):
    runs = []

    def fake_grade_once(klass, out, topics, cluster=None):
        # 4 submissions: 60 s locally (4/min), 30 s on the cluster (8/min), one score differs
        runs.append("cluster" if cluster else "local")
        return (30.0, {"a": 1.0, "b": 0.0}) if cluster else (60.0, {"a": 1.0, "b": 2.0})

    monkeypatch.setattr(bench_cluster, "grade_once", fake_grade_once)
    monkeypatch.setattr(bench_cluster, "LocalCluster", _FakeCluster)
    monkeypatch.setattr(bench_cluster, "Client", _FakeCluster)
    klass = tmp_path / "class"
    build_class(klass, n=4)
    rows = bench_cluster.rows(argparse.Namespace(repeat=2, quick=False, class_dir=klass))
    # alternating runs; the cluster's workers restarted before its second run only
    assert runs == ["local", "cluster", "local", "cluster", "cluster"] and restarts == [1]
    values = {r.what.split(" (")[0]: r.value for r in rows}
    assert values["`gradelab grade --jobs 2`"] == "4.0 submissions/min (4.0–4.0)"
    fresh = "`--cluster`: LocalCluster, 2 workers × 1 thread, fresh workers in each run"
    assert values[fresh] == "8.0 submissions/min (8.0–8.0)"
    assert values["throughput ratio, cluster / `--jobs 2`"] == "2.00× (2.00–2.00)"
    assert "4 submissions, 10 topics" in next(r.what for r in rows if r.what.startswith(fresh))
    agreement = next(r for r in rows if r.target == "identical")
    assert (agreement.value, agreement.met, agreement.mark) == ("NO", False, "✗")
    startup = next(r for r in rows if r.what.startswith("LocalCluster start-up"))
    assert "a restart of the workers" in startup.what and "; restart " in startup.value
