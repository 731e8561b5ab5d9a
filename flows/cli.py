"""The `pia` command. Parses arguments, calls one function, turns InputError into exit code 2.

Heavy imports (prefect, great_expectations) happen inside the command that needs them, so
`pia --help` and `pia synth` start fast.
"""

from __future__ import annotations

import argparse
import sys

from flows.errors import InputError, RemoteError

DEFAULT_SEED = 20261123


def _add_run_identity(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--la", required=True, help="LA code: ONS (E10000016) or old 3-digit DfE code (886)"
    )
    p.add_argument("--notification-date", required=True, help="YYYY-MM-DD")


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

    p = sub.add_parser("notify", help="emit an ilacs.inspection.notified event")
    _add_run_identity(p)
    p.add_argument("--visit", default="standard")
    p.add_argument("--annex-a", required=True)

    p = sub.add_parser("purge", help="delete run folders older than a retention period")
    p.add_argument("--older-than", type=int, required=True, metavar="DAYS")
    p.add_argument("--out", default=None)
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
    if args.command in ("run", "demo", "purge"):
        from flows import runner

        return getattr(runner, f"cli_{args.command}")(args)
    if args.command == "validate":
        from flows import quality

        return quality.cli_validate(args)
    if args.command == "stats":
        from flows import statistics

        return statistics.cli_refresh(args)
    if args.command == "notify":
        from flows import notify

        return notify.cli(args)
    raise AssertionError(args.command)


if __name__ == "__main__":
    sys.exit(main())
