"""The one sequence of an inspection run: which stages, in what order, which at once.

`run` is the only place that order is written. `pia run` with PIA_PREFECT=off calls it with the
direct executor; the Prefect flow `inspection_pack` calls it with an executor that runs each stage
as a task (flows.inspection); `pia validate` runs `check`, the same stages up to validation. Stages
are the plain functions of flows.stages and hand over paths and table names (the landed folder, the
run's DuckDB file), never DataFrames.

A run builds everything in a private staging folder beside its destination and swaps it in at the
end, so a run that fails or is killed leaves the previous pack and warehouse untouched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from flows import las, stages, storage
from flows.config import data_dir
from flows.context import RunContext, parse_notification_date, parse_visit_type
from flows.errors import InputError
from flows.testhooks import pause_point


@dataclass(frozen=True)
class Stage:
    name: str  # flows.stages.stage_<name>; also the pause point after it (flows/testhooks.py)
    title: str  # what the Prefect UI calls its task
    io: bool = False  # reads or writes remote storage: retried on failure under Prefect

    @property
    def fn(self) -> Callable[..., Any]:
        # looked up at each call, so a test or the bench that wraps a stage function sees it used
        return getattr(stages, f"stage_{self.name}")


STAGES: dict[str, Stage] = {
    s.name: s
    for s in (
        Stage("notes", "fetch notes", io=True),
        Stage("land", "land Annex A", io=True),
        Stage("init", "create warehouse"),
        Stage("statistics", "published statistics", io=True),
        Stage("read", "read lists"),
        Stage("validate", "validate"),
        Stage("indicators", "indicators"),
        Stage("render", "render pack"),
        Stage("publish", "publish", io=True),
    )
}


class Executor(Protocol):
    """How a stage is run: directly, or as a Prefect task (flows.inspection.TaskExecutor)."""

    def run(self, stage: Stage, *args: Any) -> Any: ...

    def together(self, calls: list[tuple[Stage, tuple]]) -> list[Any]:
        """Run the stages at once; their results in order. All have ended when it returns."""
        ...


class Direct:
    """Each stage called in this process; stages run together take a thread each."""

    def run(self, stage: Stage, *args: Any) -> Any:
        return stage.fn(*args)

    def together(self, calls: list[tuple[Stage, tuple]]) -> list[Any]:
        (first, first_args), *rest = calls
        with ThreadPoolExecutor(max(1, len(rest)), thread_name_prefix="pia-stage") as pool:
            futures = [pool.submit(s.fn, *a) for s, a in rest]
            try:
                results = [first.fn(*first_args)]
            finally:  # never leave a stage running on a warehouse about to close
                for f in futures:
                    f.exception()
            return results + [f.result() for f in futures]


def _step(executor: Executor, name: str, *args: Any, pause: bool = True) -> Any:
    result = executor.run(STAGES[name], *args)
    if pause:  # test-only (flows/testhooks.py): a no-op unless PIA_TEST_PAUSE_AT names it
        pause_point(name)
    return result


def validate_and_indicators(
    ctx: RunContext, executor: Executor | None = None
) -> tuple[dict[str, int], list[str]]:
    """Validation and the indicators at once: validation writes only quality.*, the indicators only
    indicators.* and pack.* (views, which read quality.issues only when the pack is rendered), so
    the indicators take the second core while validation runs."""
    # held open: threads of one process may share a DuckDB file only through one open database
    with warehouse_open(ctx):
        severities, built = (executor or Direct()).together(
            [(STAGES["validate"], (ctx,)), (STAGES["indicators"], (ctx,))]
        )
    pause_point("validate")
    pause_point("indicators")
    return severities, built


def run(
    la_code: str,
    notification_date: str | dt.date,
    annex_a_url: str,
    *,
    statistics_url: str | None = None,
    out_url: str | None = None,
    visit_type: str = "standard",
    notes_url: str | None = None,
    generated_at: dt.datetime | None = None,
    executor: Executor | None = None,
    lock_wait_seconds: float = 0,
) -> dict:
    """Every stage in order. Returns a summary of aggregates only (no child data).

    One run per LA and notification date at a time (`lock_wait_seconds`: how long to wait for one
    in progress); a failed or killed run leaves the previous pack in place.
    """
    executor = executor or Direct()
    if not annex_a_url:
        raise InputError(
            "The Annex A location is required: the folder or s3:// prefix holding the LA's files."
        )
    ctx, final = prepare(la_code, notification_date, visit_type, out_url)
    if generated_at:
        ctx.generated_at = generated_at
    try:
        if notes_url:
            ctx.notes_path = _step(executor, "notes", ctx, notes_url)
        with run_lock(ctx, final, wait_seconds=lock_wait_seconds):
            landed = _step(executor, "land", ctx, annex_a_url)
            with warehouse_open(ctx):  # every stage until render joins the open database
                _step(executor, "init", ctx)
                ctx.statistics_db = _step(executor, "statistics", ctx, statistics_url)
                rows = _step(executor, "read", ctx, landed)
                severities, _ = validate_and_indicators(ctx, executor)
                _step(executor, "render", ctx, pause=False)
            pause_point("render")  # with the warehouse closed and checkpointed
            location = _step(executor, "publish", ctx, final, out_url)
    finally:
        shutil.rmtree(ctx.work_dir, ignore_errors=True)
        stages.remove_fetched_notes(ctx)
    return {
        "la": ctx.la.ons_code,
        "la_name": ctx.la.name,
        "notification_date": ctx.notification_date.isoformat(),
        "visit_type": ctx.visit_type,
        "rows": rows,
        "findings": severities,
        "location": location,
    }


def check(ctx: RunContext, landed: Path, executor: Executor | None = None) -> tuple[dict, dict]:
    """The stages of `run` up to validation, on files already fetched (`pia validate`): rows per
    list and findings by severity."""
    executor = executor or Direct()
    with warehouse_open(ctx):
        _step(executor, "init", ctx)
        rows = _step(executor, "read", ctx, landed)
        severities = _step(executor, "validate", ctx)
    return rows, severities


# --- what a run holds ---------------------------------------------------------------------------------
def warehouse_open(ctx: RunContext) -> contextlib.AbstractContextManager[None]:
    """The run's warehouse held open from init to render (closed, checkpointed, before publish)."""
    return ctx.db.held()


def prepare(
    la_code: str, notification_date: str | dt.date, visit_type: str, out_url: str | None
) -> tuple[RunContext, Path]:
    """Validate parameters (before any file is touched) and make the private staging folder."""
    la = las.resolve(la_code)
    nd = parse_notification_date(notification_date)
    visit = parse_visit_type(visit_type)
    root = Path(out_url) if out_url and not storage.is_remote(out_url) else data_dir() / "runs"
    final = root / la.ons_code / nd.isoformat()
    try:
        storage.make_private_dir(final.parent)
        work = storage.make_private_dir(
            final.parent / f".{nd.isoformat()}.staging-{uuid.uuid4().hex[:8]}"
        )
    except OSError as e:  # --out names a file, or a folder that cannot be written
        raise InputError(
            f"Output location {str(root)!r:.120} cannot be used as a folder ({e.strerror or e})."
        ) from None
    ctx = RunContext(
        la=la, notification_date=nd, visit_type=visit, work_dir=work, earlier_dir=final
    )
    return ctx, final


@contextlib.contextmanager
def run_lock(ctx: RunContext, final: Path, wait_seconds: float = 0) -> Iterator[None]:
    """One run per LA and notification date at a time; runs for other LAs proceed in parallel."""
    lock_path = final.parent / f".{final.name}.lock"
    fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, storage.FILE_MODE)
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise InputError(
                        f"Another run for {ctx.la.name} ({ctx.la.ons_code}) and notification date "
                        f"{ctx.notification_date} is in progress; try again when it has finished."
                    ) from None
                time.sleep(0.5)
        _remove_leftovers(ctx, final)
        yield
    finally:
        os.close(fd)


def _remove_leftovers(ctx: RunContext, final: Path) -> None:
    """Staging folders of an earlier run for this LA, date and output that was killed (with the lock
    held no live run owns them), and landing folders whose run is gone: they hold child-level data
    that must not linger."""
    inbox = data_dir() / "inbox" / ctx.la.ons_code / ctx.notification_date.isoformat()
    for stale in final.parent.glob(f".{final.name}.staging-*"):
        if stale != ctx.work_dir:
            shutil.rmtree(stale, ignore_errors=True)
    if inbox.is_dir():  # only landings whose run is gone: another --out may be landing right now
        storage.remove_stale_landings(inbox)
    # a run that waited for the lock may have had its (still empty) staging folder removed by the
    # run before it: make it again
    storage.make_private_dir(ctx.work_dir)
