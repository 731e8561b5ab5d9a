"""The `pia` command. Parses arguments, calls one function, turns InputError into exit code 2.

Heavy imports (prefect, great_expectations) happen inside the command that needs them, so
`pia --help` and `pia synth` start fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from flows.errors import InputError, RemoteError

DEFAULT_SEED = 20261123


def _add_run_identity(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--la", required=True, help="LA code: ONS (E10000016) or old 3-digit DfE code (886)"
    )
    p.add_argument("--notification-date", required=True, help="YYYY-MM-DD")


def _add_event_arguments(p: argparse.ArgumentParser, annex_a_help: str) -> None:
    _add_run_identity(p)
    p.add_argument("--annex-a", required=True, help=annex_a_help)
    p.add_argument("--visit", default="standard", help="standard|short|focused|monitoring")
    p.add_argument("--out", default=None, help="folder or s3:// prefix for the packs")
    p.add_argument("--stats", default=None, help="statistics.duckdb path or URL")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pia", description="ILACS pre-inspection analysis")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "demo", help="synthetic submission for a real LA + bundled statistics -> pack"
    )
    p.add_argument("--la", default="E06000050", help="LA code (default: Cheshire West and Chester)")
    p.add_argument("--notification-date", default="2026-11-16")
    p.add_argument("--out", default=None, help="output folder (default: data/runs)")

    p = sub.add_parser("synth", help="write a synthetic Annex A submission")
    _add_run_identity(p)
    p.add_argument("--out", required=True, help="folder to write the submission to")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--scale", type=float, default=1.0, help="multiply calibrated volumes")
    p.add_argument(
        "--messy", action="store_true", help="write what LAs really send, with planted defects"
    )

    p = sub.add_parser("run", help="build the PIA pack for one LA")
    _add_run_identity(p)
    p.add_argument("--annex-a", required=True, help="folder or s3:// prefix holding the LA's files")
    p.add_argument("--stats", default=None, help="statistics.duckdb path or URL (default: bundled)")
    p.add_argument("--out", default=None, help="output folder or s3:// prefix (default: data/runs)")
    p.add_argument("--visit", default="standard", help="standard|short|focused|monitoring")
    p.add_argument("--notes", default=None, help="officer's intelligence notes (markdown)")

    p = sub.add_parser("validate", help="check an Annex A submission (for LA analysts)")
    _add_run_identity(p)
    p.add_argument("--annex-a", required=True)
    p.add_argument("--out", default=None, help="folder for data_quality.{html,csv,xlsx}")

    p = sub.add_parser("stats", help="published statistics")
    ssub = p.add_subparsers(dest="stats_command", required=True)
    r = ssub.add_parser("refresh", help="pull, validate and load published statistics")
    r.add_argument(
        "--source", default=None, help="folder or URL of the published files (default: bundled)"
    )
    r.add_argument(
        "--db", default=None, help="statistics.duckdb to write (default: data/warehouse)"
    )

    p = sub.add_parser(
        "notify", help="tell the Prefect server an inspection was notified: it schedules the packs"
    )
    _add_event_arguments(p, "folder or s3:// prefix the LA's files will land in")
    p.add_argument(
        "--force", action="store_true", help="accept a date in the past or not a working day"
    )
    p.add_argument(
        "--wait", type=float, default=60, help="seconds to wait for the server's schedule"
    )

    p = sub.add_parser(
        "uploaded", help="tell the Prefect server the LA's files arrived: a pack now"
    )
    _add_event_arguments(p, "folder or s3:// prefix holding the LA's files")

    p = sub.add_parser(
        "purge",
        help="delete what pia made past a retention period: marked run folders, killed runs' "
        "staging folders, inbox submissions (never through a symlink, never outside --out or the "
        "data folder)",
    )
    p.add_argument("--older-than", type=int, required=True, metavar="DAYS")
    p.add_argument("--out", default=None, help="the runs' output folder (default: data/runs)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except (InputError, RemoteError) as e:
        print(f"pia: {e}", file=sys.stderr)
        return 2


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "synth":
        from flows import synth

        return synth.cli(args)
    if args.command in ("notify", "uploaded"):
        from flows import notify

        return getattr(notify, f"cli_{args.command}")(args)
    handlers = {
        "run": cli_run,
        "demo": cli_demo,
        "purge": cli_purge,
        "validate": cli_validate,
        "stats": cli_refresh,
    }
    return handlers[args.command](args)


# --- command handlers ---------------------------------------------------------------------------
def print_summary(summary: dict) -> None:
    print(f"{summary['la_name']} ({summary['la']})")
    for table, n in summary["rows"].items():
        print(f"  {table:<32} {n:>8,} rows")
    f = summary.get("findings") or {}
    print("  findings: " + ", ".join(f"{f.get(s, 0)} {s}" for s in ("error", "warning", "info")))
    print(summary["location"])


def cli_run(args: argparse.Namespace) -> int:
    """Through the Prefect flow: against PREFECT_API_URL when set, else Prefect's local mode (a
    temporary server, ~10-15 s to start). PIA_PREFECT=off runs the stages without Prefect."""
    from flows import las, stages, storage
    from flows.config import settings
    from flows.context import parse_notification_date, parse_visit_type
    from flows.pipeline import run as run_pipeline

    las.resolve(args.la)  # bad parameters fail at once, before any Prefect start-up
    parse_notification_date(args.notification_date)
    parse_visit_type(args.visit)
    if args.out and not storage.is_remote(args.out) and Path(args.out).exists():
        if not Path(args.out).is_dir():
            raise InputError(f"Output location {args.out!r:.120} is a file, not a folder.")
    if args.notes and not storage.is_remote(args.notes):
        stages.check_notes(Path(args.notes), args.notes)
    if not settings().prefect:
        summary = run_pipeline(
            args.la,
            args.notification_date,
            args.annex_a,
            statistics_url=args.stats,
            out_url=args.out,
            visit_type=args.visit,
            notes_url=args.notes,
        )
    else:
        # A first local-mode run migrates a fresh SQLite database: Prefect's 20 s default is too short
        # on a busy 2-core machine (measured: timed out).
        os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
        from flows.inspection import inspection_pack

        summary = inspection_pack(
            la_code=args.la,
            notification_date=args.notification_date,
            visit_type=args.visit,
            annex_a_url=args.annex_a,
            statistics_url=args.stats,
            output_url=args.out,
            notes_url=args.notes,
        )
    print_summary(summary)
    return 0


def cli_demo(args: argparse.Namespace) -> int:
    from flows import las, synth
    from flows.config import data_dir
    from flows.context import parse_notification_date
    from flows.pipeline import run as run_pipeline

    la = las.resolve(args.la)
    submission = data_dir() / "inbox" / "demo" / la.ons_code / args.notification_date
    synth.generate(
        la.ons_code, parse_notification_date(args.notification_date), submission, seed=20261123
    )
    summary = run_pipeline(la.ons_code, args.notification_date, str(submission), out_url=args.out)
    print_summary(summary)
    print(Path(summary["location"]) / "pia.html")
    return 0


def cli_purge(args: argparse.Namespace) -> int:
    from flows import retention
    from flows.config import data_dir

    if args.older_than < 0:
        raise InputError(f"--older-than {args.older_than} must be 0 days or more.")
    root = Path(args.out) if args.out else data_dir() / "runs"
    removed = retention.purge(root, data_dir() / "inbox", args.older_than)
    for path in removed:
        print(f"deleted {path}")
    print(
        f"{len(removed)} folder(s) deleted: runs older than {args.older_than} days under {root}, "
        f"killed runs' staging folders, inbox submissions older than {args.older_than} days"
    )
    return 0


def cli_validate(args) -> int:
    """`pia validate`: land the files in a private temporary folder, read, validate, write the reports.

    Prints counts only (never child values); exit 1 when there are errors, else 0.
    """
    import shutil
    import tempfile

    from flows import las, pipeline, stages, storage
    from flows.context import RunContext, parse_notification_date
    from flows.validation import report as dq_report
    from flows.validation.summary import summary_table

    la = las.resolve(args.la)
    nd = parse_notification_date(args.notification_date)
    out = Path(args.out) if args.out else Path.cwd()
    tmp = Path(tempfile.mkdtemp(prefix="pia-validate-"))
    try:
        os.chmod(tmp, 0o700)
        landed = tmp / "landed"
        _, refused = stages.fetch_submission(args.annex_a, landed)
        if refused:  # stage_read reports them, as for a run
            storage.atomic_write_text(landed / "manifest.json", json.dumps({"refused": refused}))
        # the earlier report's data_quality.json in --out says what a resubmission changed
        ctx = RunContext(
            la=la,
            notification_date=nd,
            visit_type="standard",
            work_dir=tmp / "work",
            earlier_dir=out,
        )
        storage.make_private_dir(ctx.work_dir)
        rows, counts = pipeline.check(ctx, landed)
        table = summary_table(ctx.warehouse)
        changed = dq_report.changes_line(ctx)
        written = dq_report.write_reports(ctx, out_dir=out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{la.name} ({la.ons_code}), notification date {nd:%d/%m/%Y}")
    print(f"  lists read: {len(rows)}, rows: {sum(rows.values()):,}")
    print("  findings: " + ", ".join(f"{counts[s]} {s}" for s in counts))
    print()
    print(table)
    if changed:
        print(changed)
    print()
    print("Report (what to check, file, sheet and row of each finding):")
    for p in written:
        print(f"  {p}")
    return 1 if counts.get("error") else 0  # any error: the submission cannot be used as it is


def cli_refresh(args: argparse.Namespace) -> int:
    from flows.statistics.refresh import refresh

    summary = refresh(args.source, args.db)
    print(
        f"statistics refreshed: {summary['files']} files, {summary['values']:,} values, "
        f"{summary['comparisons']:,} comparison rows in {summary['seconds']} s -> {summary['db']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
