"""The benchmark runs end to end on the smallest LA and writes its report (no time is asserted:
speed is measured by `make bench`, never by tests), and the report's target verdicts follow the
numbers it is given."""

from __future__ import annotations

import json

from scripts import bench


def test_bench_runs_and_reports(tmp_path):
    out = tmp_path / "benchmarks.md"
    args = [
        "--las",
        "E06000017",
        "--kinds",
        "clean",
        "--reps",
        "1",
        "--skip-alternative",
        "--skip-cold",
        "--skip-national",
        "--out",
        str(out),
    ]
    assert bench.main(args) == 0
    text = out.read_text(encoding="utf-8")
    for stage in (
        "floor",
        "read files",
        "normalise",
        "load",
        "validate",
        "indicators",
        "render",
        "pipeline",
    ):
        assert f"| {stage} |" in text or f"|   {stage} |" in text or f"**{stage}**" in text
    data = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    rows = data["results"][0]["rows"]
    assert data["results"][0]["child_rows"] > 0
    # the load's own reference: DuckDB alone storing the same lists, each repetition beside a floor
    assert rows["store"]["wall"] > 0 and rows["store"]["x_floor"] > 0
    assert "| store |" in text
    parts = sum(rows[p]["wall"] for p in bench.READ_PARTS)
    assert abs(parts - rows["read"]["wall"]) < 1e-6  # the read stage is split, not double counted
    # a baseline is shown beside the new numbers
    again = tmp_path / "again.md"
    text = bench.report(data, {**data, "label": "before"})
    again.write_text(text)
    assert "before × floor" in text and "Before: before" in text


def _row(wall, peak=0):
    return {"wall": wall, "cpu": wall, "peak": peak}


def test_target_verdicts_follow_the_numbers():
    rows = {
        "floor": _row(1.0),
        "read files": _row(1.2),
        "load": _row(0.3),
        "validate": _row(0.5),
        "pipeline": _row(2.5, 600 * 2**20),
    }
    data = {
        "results": [{"la": "E10000016", "kind": "clean", "rows": rows, "child_rows": 1}],
        "cold": {"cold_run": 12.0},
        "national": [{"concurrency": 2, "seconds": 300, "las": 153, "failed": 0}],
    }
    table = bench.targets_table(data)
    assert "| 2.50× | yes |" in table  # within 3× the floor
    assert "0.80 s vs 1.20 s | yes |" in table  # validation + load not more than reading
    rows["store"] = _row(0.25)
    assert (
        "0.80 s vs 1.20 s (DuckDB alone storing the lists: 0.25 s) | yes |"
        in bench.targets_table(data)
    )
    assert "| 600 MiB | yes |" in table
    assert "| 12.0 s | no |" in table  # cold run over 10 s
    assert "| 5.0 min | yes |" in table


def test_the_ratio_target_is_the_median_of_each_repetitions_own_ratio():
    rows = {"floor": _row(1.0), "read files": _row(1.0), "pipeline": {**_row(2.0), "x_floor": 3.2}}
    result = {"la": "E10000016", "kind": "clean", "rows": rows, "child_rows": 1}
    # each repetition's floor moved with the machine: the medians alone would say 2.00×
    table = bench.targets_table({"results": [{**result, "pipeline_ratios": [3.5, 3.2, 2.9]}]})
    assert "| 3.20× (repetitions: 3.50, 3.20, 2.90) | no |" in table


def test_peak_memory_sees_a_short_spike_both_ways(monkeypatch):
    """A 256 MiB buffer held for no time at all still counts: exactly from the kernel's high-water
    mark, and by the sampling fallback when the allocation is held past a few samples."""
    import time

    spike = 256 * 2**20
    with bench.PeakRSS() as exact:
        base = bench.PeakRSS.rss()
        buf = bytearray(spike)
        del buf
    assert exact._t is None, "the kernel's high-water mark should be used on Linux"
    assert exact.peak - base >= spike * 0.9

    monkeypatch.setattr(bench.PeakRSS, "_reset_high_water", staticmethod(lambda: False))
    with bench.PeakRSS() as sampled:
        base = bench.PeakRSS.rss()
        buf = bytearray(spike)
        time.sleep(0.05)
        del buf
    assert sampled._t is not None
    assert sampled.peak - base >= spike * 0.9


def test_the_upload_section_reports_each_step_and_the_targets():
    rows = [
        {"la": "E06000050", "query_seconds": 1, "reps": 3, "load": 2.0, "emit": 0.01, "to_run_created": 0.25,
         "to_run_started": 1.4, "total": 4.6, "max_total": 5.2, "start": "warm"},
        {"la": "E10000016", "query_seconds": 1, "reps": 3, "emit": 0.01, "to_run_created": 0.25,
         "to_run_started": 1.5, "total": 8.4, "max_total": 9.0},
    ]  # fmt: skip
    text = "\n".join(bench.upload_report(rows))
    assert (
        "| E06000050 (median) | warm | 1 | 3 | 2.0 | 0.01 | 0.25 | 1.40 | 4.60 | 5.20 | < 5 s: yes |"
        in text
    )
    # rows measured before warm runs existed were fresh processes
    assert "| E10000016 (largest) | fresh | 1 | 3 |" in text and "< 8 s: no |" in text
