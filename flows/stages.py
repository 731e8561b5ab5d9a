"""The stages of one inspection run, as plain functions; flows.pipeline orders them.

Stages hand over paths: the landed submission folder and the run's DuckDB file. Everything is built
in a private staging folder beside the destination and swapped in at the end, so a failed or killed
run never damages the previous pack (README, Personal data: outputs atomic and owner-only).
"""

from __future__ import annotations

import json
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from flows import storage
from flows.config import data_dir, settings
from flows.context import RunContext
from flows.errors import InputError


# --- stages ----------------------------------------------------------------------------------------
def stage_init(ctx: RunContext) -> Path:
    """Create the run's warehouse with its one-row meta.run table (parameters every model joins to)."""
    from flows import warehouse

    con = ctx.db.connect()
    try:
        warehouse.set_run_context(
            con,
            la_code=ctx.la.ons_code,
            notification_date=ctx.notification_date,
            visit_type=ctx.visit_type,
            period_start=ctx.period_start,
            period_start_12m=ctx.period_start_12m,
        )
        from flows import findings

        con.execute(findings.DDL)
    finally:
        con.close()
    return ctx.warehouse


NOTES_MAX_BYTES = 1 << 20  # a megabyte of markdown is a book; /dev/zero as --notes was endless


def stage_notes(ctx: RunContext, notes_url: str) -> Path:
    """The officer's intelligence notes: a local file as it is, an s3:// object fetched beside the
    staging folder (removed with it, remove_fetched_notes). InputError unless it is a regular file
    of UTF-8 text of at most NOTES_MAX_BYTES."""
    if not storage.is_remote(notes_url):
        return check_notes(Path(notes_url), notes_url)
    fs, path = storage.filesystem(notes_url)
    local = _fetched_notes(ctx)
    with storage.remote_errors(notes_url, "read"):
        if fs.size(path) > NOTES_MAX_BYTES:
            raise InputError(f"Notes {notes_url} are over {NOTES_MAX_BYTES // 1024:,} KB.")
        fs.get_file(path, str(local))
    local.chmod(storage.FILE_MODE)
    return check_notes(local, notes_url)


def check_notes(path: Path, shown: str) -> Path:
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a named pipe must not block the run
    except OSError as e:
        raise InputError(f"Notes {shown!r:.120} cannot be read ({e.strerror}).") from None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InputError(f"Notes {shown!r:.120} is not a regular file.")
        data = f.read(NOTES_MAX_BYTES + 1)
    if len(data) > NOTES_MAX_BYTES:
        raise InputError(f"Notes {shown!r:.120} are over {NOTES_MAX_BYTES // 1024:,} KB.")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"Notes {shown!r:.120} are not UTF-8 text (markdown).") from None
    return path


def _fetched_notes(ctx: RunContext) -> Path:
    return ctx.work_dir.parent / f"{ctx.work_dir.name}.notes.md"


def remove_fetched_notes(ctx: RunContext) -> None:
    _fetched_notes(ctx).unlink(missing_ok=True)


def stage_statistics(ctx: RunContext, statistics_url: str | None) -> Path:
    """The published statistics database: the one named, else the refreshed local one (made from
    the bundled snapshot when there is none)."""
    from flows.statistics import refresh

    return refresh.ensure_db(statistics_url)


def fetch_submission(url: str, dest: Path) -> tuple[list[Path], list[dict]]:
    """Copy a submission's files into `dest` within the limits: the files copied, and those refused
    (file, reason, rule: too large, or not a regular file), which stage_read reports."""
    from flows.annex_a.readers import Limits

    limits = Limits.from_env()
    refused: list[dict] = []
    files = storage.fetch_dir(
        url,
        dest,
        max_bytes=int(limits.max_file_mb * 1024 * 1024),
        refused=refused,
        max_files=settings().max_files,  # an LA sends about a dozen; 10,000 took 10 GB
    )
    for r in refused:
        r.setdefault(
            "reason",
            f"The file is {r.get('bytes', 0) / 1024 / 1024:.1f} MB, over the limit of "
            f"{limits.max_file_mb:g} MB (PIA_MAX_FILE_MB); it was not copied or read.",
        )
    return files, refused


def stage_land(ctx: RunContext, annex_a_url: str) -> Path:
    """Copy the LA's files, unchanged, into the inbox under a content-addressed submission id.

    The same files land in the same folder (idempotent); a resubmission gets a new folder and never
    touches an earlier one. Landing is private to this run (storage.landing: another run, whatever
    its --out, never deletes it) and atomic: the folder is renamed into place only when complete,
    and an existing folder is reused only when it still matches its manifest.
    """
    from flows.annex_a import isolated

    isolated.warm_up()  # the reading processes start while the files are copied
    inbox = storage.make_private_dir(
        data_dir() / "inbox" / ctx.la.ons_code / ctx.notification_date.isoformat()
    )
    storage.remove_stale_landings(inbox)
    with storage.landing(inbox) as tmp:
        files, refused = fetch_submission(annex_a_url, tmp)
        if not files and not refused:
            raise InputError(f"Annex A location {annex_a_url} holds no files.")
        manifest = [
            {
                "file": f.relative_to(tmp).as_posix(),
                "bytes": f.stat().st_size,
                "sha256": storage.sha256_file(f),
            }
            for f in sorted(files)
        ]
        submission_id = storage.hashlib.sha256(
            json.dumps(manifest, sort_keys=True).encode()
        ).hexdigest()[:16]
        storage.atomic_write_text(
            tmp / "manifest.json",
            json.dumps(
                {
                    "submission_id": submission_id,
                    "source": _safe_url(annex_a_url),
                    "files": manifest,
                    **({"refused": refused} if refused else {}),
                },
                indent=2,
            ),
        )
        final = inbox / submission_id
        if storage.verify_landed(final):
            return final  # the same files, landed whole before
        try:
            if final.exists() or final.is_symlink():
                storage.swap_in_dir(tmp, final)  # damaged or incomplete: rebuilt
            else:
                os.replace(tmp, final)
        except OSError:  # another run landed the same files a moment ago
            if not storage.verify_landed(final):
                raise
        return final


def stage_read(ctx: RunContext, landed: Path) -> dict[str, int]:
    """Identify, read and normalise every list into raw.* and annex_a.*; returns rows per table."""
    from flows.annex_a import load
    from flows.validation import results as list_results

    files = [p for p in sorted(landed.rglob("*")) if p.is_file() and p.name != "manifest.json"]
    with list_results.suites_beside_load(ctx) as typed:  # each list's suite while the load commits
        rows = load.load_submission(files, ctx.db, relative_to=landed, on_typed=typed)
    manifest = landed / "manifest.json"
    if manifest.exists():  # pia validate writes one only to list the files it refused
        shutil.copy2(manifest, ctx.work_dir / "manifest.json")  # the pack's footer lists it
        _report_refused(ctx, json.loads(manifest.read_text()).get("refused", []))
    return rows


def _report_refused(ctx: RunContext, refused: list[dict]) -> None:
    """Files turned away at landing (too large to copy, or not a regular file) still get their
    finding, naming the file."""
    from flows import findings

    frame = findings.frame(
        [
            findings.Finding(
                None, r.get("rule", "file_too_large"), "error", r["reason"], source_file=r["file"]
            )
            for r in refused
        ]
    )
    con = ctx.db.connect()
    try:
        findings.store(con, "landing", frame)
    finally:
        con.close()


def stage_validate(ctx: RunContext) -> dict[str, int]:
    """Great Expectations suites and cross-list checks into quality.issues, then what changed since
    an earlier run for this LA and date (quality.resubmission); returns counts by severity."""
    from flows.validation import resubmission
    from flows.validation import stage as validation

    counts = validation.validate(ctx)
    resubmission.record(ctx)
    return counts


def stage_indicators(ctx: RunContext) -> list[str]:
    """Published statistics attached read-only; indicator and pack models built in the warehouse."""
    from flows.pack import models as pack_models
    from flows.statistics import indicators as stats_indicators

    ran = stats_indicators.build_indicators(ctx)
    pack_models.build_models(ctx)
    return ran


def stage_render(ctx: RunContext) -> list[Path]:
    """pia.html and the data-quality report (html, csv, xlsx) in the staging folder."""
    from flows.pack import render as pack
    from flows.validation import report as dq_report

    # the data-quality report in a second thread: its queries run while the pack's templates render
    with (
        ctx.db.held(),
        ThreadPoolExecutor(1, thread_name_prefix="pia-dq-report") as pool,
    ):
        reports = pool.submit(dq_report.write_reports, ctx)
        html = pack.render(ctx, built=True)  # by stage_indicators
        return [*reports.result(), html]


def stage_publish(ctx: RunContext, final_dir: Path, out_url: str | None) -> str:
    """Swap the finished staging folder into place; copy it to S3 when the output is remote."""
    from flows import retention

    # the product's mark: pia purge deletes only folders that carry it
    retention.write_marker(ctx.work_dir, ctx.la.ons_code, ctx.notification_date.isoformat())
    for p in ctx.work_dir.rglob("*"):  # DuckDB creates its file with the umask (0644): owner-only
        os.chmod(p, storage.DIR_MODE if p.is_dir() else storage.FILE_MODE)
    storage.swap_in_dir(ctx.work_dir, final_dir)
    if out_url and storage.is_remote(out_url):
        dest = f"{out_url.rstrip('/')}/{ctx.la.ons_code}/{ctx.notification_date.isoformat()}"
        return storage.publish_dir(final_dir, dest)
    return str(final_dir)


def _safe_url(url: str) -> str:
    """A URL without credentials, for manifests and logs."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://{rest.split('@', 1)[1]}"
    return url
