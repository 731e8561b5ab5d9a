"""`make bench`: where the time goes, as ratios to the cost of reading the files.

For three real LAs by size (Rutland, Cheshire West and Chester, Kent), clean and messy synthetic
submissions are built once; then, in one warm process, each pipeline stage is timed over several
repetitions (median reported) with its peak resident memory, beside two reference points on the same
files: the floor (fastexcel reading every sheet, nothing else) and the common alternative
(pandas.read_excel with openpyxl). A cold `pia run` process is timed too. Results go to
docs/benchmarks.md. Optional: a national batch of every LA through the batch flow.

Run: `python -m flows.bench [--reps N] [--las E06000017,...] [--national] [--skip-alternative]`
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from flows.settings import ROOT, data_dir

BENCH_LAS = {"E06000017": "small", "E06000050": "median", "E10000016": "largest"}
NOTIFICATION = dt.date(2026, 11, 16)
STAGES = ("read", "validate", "indicators", "render", "publish")


class PeakRSS:
    """Samples this process's resident memory every few milliseconds (Rust and C allocations too)."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval, self.peak, self._stop = interval, 0, threading.Event()

    @staticmethod
    def rss() -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def __enter__(self) -> PeakRSS:
        self.peak = self.rss()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, self.rss())

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._t.join()
        self.peak = max(self.peak, self.rss())


def timed(fn: Callable[[], object], reps: int) -> tuple[float, int]:
    """Median wall seconds over reps, and the peak RSS seen."""
    times, peak = [], 0
    for _ in range(reps):
        gc.collect()
        with PeakRSS() as m:
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        peak = max(peak, m.peak)
    return statistics.median(times), peak


def spreadsheet_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def read_floor(folder: Path) -> None:
    import fastexcel

    for p in spreadsheet_files(folder):
        if p.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods"):
            reader = fastexcel.read_excel(str(p))
            for name in reader.sheet_names:
                reader.load_sheet_by_name(name, header_row=None, dtypes="string").to_arrow()
        elif p.suffix.lower() == ".csv":
            import polars as pl

            pl.read_csv(p, infer_schema=False, encoding="utf8-lossy")


def read_alternative(folder: Path) -> None:
    import pandas as pd

    for p in spreadsheet_files(folder):
        if p.suffix.lower() in (".xlsx", ".xlsm"):
            pd.read_excel(p, sheet_name=None, engine="openpyxl", dtype=str)
        elif p.suffix.lower() == ".csv":
            pd.read_csv(p, dtype=str, encoding_errors="replace")


def bench_one(la_code: str, messy: bool, reps: int, alternative: bool) -> dict:
    from flows import synth

    kind = "messy" if messy else "clean"
    sub = data_dir() / "bench" / la_code / kind
    if not sub.exists():
        synth.generate(la_code, NOTIFICATION, sub, messy=messy)
    rows: dict[str, tuple[float, int]] = {}
    rows["floor"] = timed(lambda: read_floor(sub), reps)
    if alternative:
        rows["alternative"] = timed(lambda: read_alternative(sub), 1)

    from flows import statistics as stats

    stats_db = stats.ensure_db(None)
    out = data_dir() / "bench" / "runs"
    per_stage: dict[str, list[float]] = {s: [] for s in ("land", *STAGES)}
    peaks: dict[str, int] = {s: 0 for s in per_stage}
    counts: dict[str, int] = {}
    for _ in range(reps):
        for name, (sec, peak) in time_stages(la_code, sub, out, stats_db, counts).items():
            per_stage[name].append(sec)
            peaks[name] = max(peaks[name], peak)
    for name in per_stage:
        rows[name] = (statistics.median(per_stage[name]), peaks[name])
    rows["pipeline"] = (sum(rows[s][0] for s in STAGES), max(peaks[s] for s in STAGES))
    rows["cold pia run"] = (cold_run(la_code, sub, out), 0)
    return {"la": la_code, "kind": kind, "rows": rows, "child_rows": sum(counts.values())}


def time_stages(la_code: str, sub: Path, out: Path, stats_db: Path, counts: dict) -> dict[str, tuple[float, int]]:
    """One run, stage by stage: wall seconds and peak RSS of each."""
    from flows import runner

    ctx, final = runner.prepare(la_code, NOTIFICATION, "standard", str(out))
    ctx.statistics_db = stats_db
    landed: list[Path] = []

    def read() -> None:
        runner.stage_init(ctx)
        counts.update(runner.stage_read(ctx, landed[0]))
        shutil.copy2(landed[0] / "manifest.json", ctx.work_dir / "manifest.json")

    steps: list[tuple[str, Callable[[], object]]] = [
        ("land", lambda: landed.append(runner.stage_land(ctx, str(sub)))),
        ("read", read),
        ("validate", lambda: runner.stage_validate(ctx)),
        ("indicators", lambda: runner.stage_indicators(ctx)),
        ("render", lambda: runner.stage_render(ctx)),
        ("publish", lambda: runner.stage_publish(ctx, final, None)),
    ]
    result = {}
    for name, fn in steps:
        gc.collect()
        with PeakRSS() as m:
            t = time.perf_counter()
            fn()
            result[name] = (time.perf_counter() - t, m.peak)
    return result


def cold_run(la_code: str, sub: Path, out: Path) -> float:
    """Wall time of a fresh `pia run` process (imports, Prefect start-up and all)."""
    pia = Path(sys.executable).with_name("pia")
    cmd = [str(pia), "run", "--la", la_code, "--notification-date", NOTIFICATION.isoformat(),
           "--annex-a", str(sub), "--out", str(out)]
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - t


def report(results: list[dict], national: list[tuple[int, float, int]]) -> str:
    lines = [
        "# Benchmarks",
        "",
        f"Generated by `make bench` on {dt.date.today().isoformat()}: {os.cpu_count()} cores. Median of the",
        "repetitions inside one warm process; ratios are to the floor (fastexcel reading every sheet as",
        "text, nothing else) measured on the same files in the same run. Ratios hold across these shared,",
        "noisy machines; absolute seconds do not.",
        "",
        "| LA | input | rows | stage | seconds | × floor | peak RSS MiB |",
        "|---|---|---:|---|---:|---:|---:|",
    ]
    for r in results:
        floor = r["rows"]["floor"][0]
        for stage, (sec, peak) in r["rows"].items():
            ratio = f"{sec / floor:.2f}" if floor else ""
            mem = f"{peak / 2**20:.0f}" if peak else ""
            lines.append(f"| {r['la']} ({BENCH_LAS.get(r['la'], '')}) | {r['kind']} | {r['child_rows']:,} | {stage} | {sec:.3f} | {ratio} | {mem} |")
    if national:
        lines += ["", "## National batch", "", "| concurrency | LAs | minutes | LAs per minute |", "|---:|---:|---:|---:|"]
        for conc, secs, n in national:
            lines.append(f"| {conc} | {n} | {secs / 60:.1f} | {n / (secs / 60):.1f} |")
    lines += ["", chart_svg(results), ""]
    return "\n".join(lines)


def chart_svg(results: list[dict]) -> str:
    """A bar chart of each stage's ratio to the floor for each input (inline SVG in the markdown)."""
    bars = [(f"{r['la']} {r['kind']} {s}", r["rows"][s][0] / r["rows"]["floor"][0])
            for r in results for s in STAGES if r["rows"]["floor"][0]]
    if not bars:
        return ""
    h, w, scale = 16 * len(bars) + 20, 640, 300 / max(b[1] for b in bars)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" role="img" '
           f'aria-label="Each stage as a multiple of the floor">']
    for i, (label, ratio) in enumerate(bars):
        y = 10 + 16 * i
        out.append(f'<text x="0" y="{y + 11}" font-size="11">{label}</text>')
        out.append(f'<rect x="260" y="{y}" width="{ratio * scale:.1f}" height="12" fill="#1d70b8"/>')
        out.append(f'<text x="{265 + ratio * scale:.1f}" y="{y + 11}" font-size="11">{ratio:.2f}×</text>')
    out.append("</svg>")
    return "\n".join(out)


def national_batch(concurrency: int) -> tuple[int, float, int]:
    from flows import inspection, las

    codes = sorted(las.all_las())
    t = time.perf_counter()
    inspection.national_batch(la_codes=codes, notification_date=NOTIFICATION.isoformat(), concurrency=concurrency,
                              output_url=str(data_dir() / "bench" / "national"))
    return concurrency, time.perf_counter() - t, len(codes)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m flows.bench")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--las", default=",".join(BENCH_LAS))
    p.add_argument("--national", action="store_true", help="also run the 153-LA batch at concurrency 1 and 2")
    p.add_argument("--skip-alternative", action="store_true")
    p.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    a = p.parse_args(argv)
    results = []
    for la in a.las.split(","):
        for messy in (False, True):
            r = bench_one(la, messy, a.reps, not a.skip_alternative)
            results.append(r)
            print(f"{la} {r['kind']}: " + ", ".join(f"{k} {v[0]:.2f}s" for k, v in r["rows"].items()), flush=True)
    national = [national_batch(c) for c in (1, 2)] if a.national else []
    Path(a.out).write_text(report(results, national), encoding="utf-8")
    print(a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
