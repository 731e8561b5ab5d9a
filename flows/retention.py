"""`pia purge`: delete what the product made, and only that, once it is past the retention period.

What counts as the product's own (each recognised by name and shape, never by being in a folder):
- a run folder `OUT/<ONS code>/<YYYY-MM-DD>/` holding the marker publish writes (RUN_MARKER), older
  than the retention period by that marker's time;
- a killed run's `.<date>.staging-*` (and `.<date>.old-*`, a swap cut short) beside the run folders,
  when no run for that LA and date holds its lock: they are copies of child-level data;
- an inbox submission `DATA/inbox/<ONS code>/<YYYY-MM-DD>/<16 hex>/` (with its manifest) past the
  retention period, and landing folders whose run is gone (storage.remove_stale_landings).

Nothing is followed through a symlink (a symlinked LA folder once let purge delete files outside
--out), and every path deleted is checked to lie inside the root it was found under. `pia purge`
once deleted any `OUT/*/*` folder, `OUT/docs/important` included.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from flows import las, storage

RUN_MARKER = ".pia-run"  # written into a run folder at publish: "the product made this"
_LA = re.compile(las.ONS_CODE)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SUBMISSION = re.compile(r"[0-9a-f]{16}")
_LEFTOVER = re.compile(r"\.(\d{4}-\d{2}-\d{2})\.(?:staging|old)-[0-9a-f]+")


def write_marker(run_dir: Path, la_code: str, notification_date: str) -> None:
    """Mark a finished run folder as the product's (publish calls this before swapping it in)."""
    storage.atomic_write_text(
        run_dir / RUN_MARKER, f"ilacs-pia run {la_code} {notification_date}\n"
    )


def purge(runs_root: Path, inbox_root: Path | None, older_than_days: float) -> list[Path]:
    """Delete the product's folders past the retention period under `runs_root` (and `inbox_root`
    when given); returns what was deleted."""
    cutoff = time.time() - older_than_days * 86400
    removed: list[Path] = []
    for la_dir in _real_dirs(runs_root, _LA):
        for run in _real_dirs(la_dir, _DATE):
            if _marked_before(run, cutoff):
                removed += _remove(run, runs_root)
        for leftover in _real_dirs(la_dir, _LEFTOVER):
            date = _LEFTOVER.fullmatch(leftover.name)[1]
            if _no_live_run(la_dir / f".{date}.lock"):
                removed += _remove(leftover, runs_root)
    if inbox_root is not None:
        for la_dir in _real_dirs(inbox_root, _LA):
            for day in _real_dirs(la_dir, _DATE):
                removed += storage.remove_stale_landings(day)
                for submission in _real_dirs(day, _SUBMISSION):
                    manifest = submission / "manifest.json"
                    if _regular_file_before(manifest, cutoff):
                        removed += _remove(submission, inbox_root)
    return removed


def _real_dirs(parent: Path, name: re.Pattern[str]) -> Iterator[Path]:
    """Folders (never symlinks) directly under `parent` whose whole name matches."""
    try:
        entries = sorted(os.scandir(parent), key=lambda e: e.name)
    except OSError:
        return
    for e in entries:
        if name.fullmatch(e.name) and e.is_dir(follow_symlinks=False):
            yield Path(e.path)


def _regular_file_before(path: Path, cutoff: float) -> bool:
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and st.st_mtime < cutoff


def _marked_before(run: Path, cutoff: float) -> bool:
    return _regular_file_before(run / RUN_MARKER, cutoff)


def _no_live_run(lock_path: Path) -> bool:
    """True when no run holds this LA and date's lock (flows.pipeline.run_lock), or none exists."""
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_NOFOLLOW)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True  # released when closed: a run starting now makes its own staging folder
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def _remove(folder: Path, root: Path) -> list[Path]:
    """rmtree without following links (shutil's fd-based rmtree on Linux), inside `root` only."""
    if folder.is_symlink() or not folder.resolve().is_relative_to(root.resolve()):
        return []
    assert shutil.rmtree.avoids_symlink_attacks
    shutil.rmtree(folder, ignore_errors=True)
    return [] if folder.exists() else [folder]
