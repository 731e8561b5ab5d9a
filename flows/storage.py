"""Local folders and s3:// through one interface (fsspec/s3fs), atomic writes, owner-only files.

S3 settings come from the environment, never code: the usual AWS variables, plus
`PIA_S3_ENDPOINT_URL` (or `AWS_ENDPOINT_URL`) for an S3-compatible endpoint. Every object written
asks for server-side encryption and no ACL is ever set.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import fsspec

from flows.config import settings
from flows.errors import InputError, RemoteError

FILE_MODE = 0o600
DIR_MODE = 0o700


def is_remote(url: str | os.PathLike) -> bool:
    return "://" in str(url) and not str(url).startswith("file://")


def filesystem(url: str | os.PathLike) -> tuple[fsspec.AbstractFileSystem, str]:
    """The filesystem for a URL and the path within it."""
    url = str(url)
    if url.startswith("s3://"):
        endpoint = settings().s3_endpoint_url or os.environ.get("AWS_ENDPOINT_URL")
        kwargs: dict = {"s3_additional_kwargs": {"ServerSideEncryption": "AES256"}}
        if endpoint:
            kwargs["client_kwargs"] = {"endpoint_url": endpoint}
        # Retries with exponential backoff (botocore "standard" mode) and timeouts short enough that
        # a dead endpoint fails in seconds, not minutes; both settable for slow links.
        kwargs["config_kwargs"] = {
            "retries": {"max_attempts": s3_attempts(), "mode": "standard"},
            "connect_timeout": s3_timeout(),
            "read_timeout": s3_timeout(),
        }
        fs = fsspec.filesystem("s3", **kwargs)
        return fs, url[len("s3://") :]
    fs, path = fsspec.core.url_to_fs(url)
    return fs, path


def s3_attempts() -> int:
    return settings().s3_attempts


def s3_timeout() -> float:
    return settings().s3_timeout


@contextlib.contextmanager
def remote_errors(url: str, action: str) -> Iterator[None]:
    """Turn an S3 failure that outlived the retries into one clear RemoteError naming the URL."""
    try:
        yield
    except (InputError, RemoteError):
        raise
    except Exception as e:
        if not is_remote(url):
            raise
        reason = str(e).strip().splitlines()[0][:200] if str(e).strip() else type(e).__name__
        raise RemoteError(
            f"Could not {action} {url}: {reason} (after {s3_attempts()} attempts with backoff, "
            f"timeout {s3_timeout():g} s; PIA_S3_ATTEMPTS, PIA_S3_TIMEOUT). Check the endpoint, "
            "credentials and network, then run again."
        ) from None


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def make_private_dir(path: Path) -> Path:
    """The folder and every parent this creates are owner-only (mkdir(parents=True) would give the
    parents the umask's 0755, listing which LAs and dates have data)."""
    missing = []
    p = Path(path)
    while not p.exists() and p != p.parent:
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        d.mkdir(mode=DIR_MODE, exist_ok=True)
        os.chmod(d, DIR_MODE)
    os.chmod(path, DIR_MODE)
    return path


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    """Write to a temporary name in the same folder, fsync, then rename: readers never see half."""
    make_private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: Path, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def swap_in_dir(staging: Path, final: Path) -> Path:
    """Replace `final` with the finished `staging` folder (same parent, so renames are atomic).

    The old folder is renamed aside first and removed only after the new one is in place, so at
    every instant either the old or the new complete folder is at `final`... or, for the instant
    between two renames, neither (a reader retries; nothing is ever half-written).
    """
    if final.exists() and _exchange(staging, final):
        shutil.rmtree(staging, ignore_errors=True)  # now holds the previous run
        return final
    old = final.with_name(f".{final.name}.old-{uuid.uuid4().hex[:8]}")
    if final.exists():
        os.replace(final, old)
    os.replace(staging, final)
    shutil.rmtree(old, ignore_errors=True)
    return final


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux renameat2 RENAME_EXCHANGE), so a run killed while
    publishing never leaves `final` missing. False where the system cannot, and the caller falls
    back to two renames."""
    import ctypes
    import errno

    fn = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if fn is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    if fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EPERM):
        return False
    raise OSError(err, os.strerror(err), str(b))


def publish_dir(local_dir: Path, out_url: str) -> str:
    """Copy a finished run folder to a remote URL (objects are written whole; S3 puts are atomic)."""
    with remote_errors(out_url, "write to"):
        fs, root = filesystem(out_url)
        for p in sorted(local_dir.rglob("*")):
            if p.is_file():
                fs.put_file(str(p), f"{root.rstrip('/')}/{p.relative_to(local_dir).as_posix()}")
    return out_url


def fetch_dir(
    url: str,
    dest: Path,
    *,
    max_bytes: int | None = None,
    refused: list[dict] | None = None,
    max_files: int | None = None,
) -> list[Path]:
    """Copy a folder or prefix into `dest`; files over `max_bytes` are not copied but listed in
    `refused` (file, bytes), so a huge upload is turned away before it costs disk or time; so is
    anything that is not a regular file (file, reason, rule). More than `max_files` files: InputError
    before anything is copied."""
    with remote_errors(url, "read"):
        return _fetch_dir(url, dest, max_bytes, refused if refused is not None else [], max_files)


def _fetch_dir(
    url: str, dest: Path, max_bytes: int | None, refused: list[dict], max_files: int | None
) -> list[Path]:
    """Copy every file under a folder or prefix into `dest` (flat listing kept relative).

    Local symlinks that point outside the folder are not followed.
    """
    fs, root = filesystem(url)
    if not fs.exists(root):
        raise InputError(f"Annex A location {url} does not exist.")
    if fs.isfile(root):
        items = [root]
        base = os.path.dirname(root)
    else:
        items = [p for p in fs.find(root) if not _is_hidden(p)]
        base = root
    if max_files is not None and len(items) > max_files:
        raise InputError(
            f"Annex A location {url} holds {len(items):,} files, over the limit of {max_files:,} "
            "(PIA_MAX_FILES); nothing was copied. Send the lists themselves."
        )
    make_private_dir(dest)
    out: list[Path] = []
    local_root = None if is_remote(url) else Path(root).resolve()
    for item in sorted(items):
        rel = os.path.relpath(item, base)
        target = dest / rel
        if not target.resolve().is_relative_to(dest.resolve()):
            continue  # an object key with ".." that would land outside the inbox
        if local_root is not None:
            try:
                real = Path(item).resolve(strict=True)
            except (OSError, RuntimeError):  # a symlink loop, or a link to nothing
                refused.append({"file": Path(rel).as_posix(), **NOT_A_FILE})
                continue
            if local_root not in real.parents and real != local_root:
                continue  # a symlink escaping the inbox
            got = _copy_local(real, target, max_bytes)
            if isinstance(got, dict):
                refused.append({"file": Path(rel).as_posix(), **got})
                continue
        else:
            if max_bytes is not None and (size := fs.size(item)) > max_bytes:
                refused.append({"file": Path(rel).as_posix(), "bytes": size})
                continue
            make_private_dir(target.parent)
            fs.get_file(item, str(target))
        os.chmod(target, FILE_MODE)
        out.append(target)
    return out


NOT_A_FILE = {
    "rule": "file_unreadable",
    "reason": "This is not a regular file (a named pipe, a device, or a link that leads nowhere "
    "or round in a loop); it was not copied or read.",
}


def _copy_local(src: Path, target: Path, max_bytes: int | None) -> dict | None:
    """Copy one local file, never blocking on a named pipe or reading a device without end: opened
    without waiting, checked to be a regular file, copied at most `max_bytes` (+1 to see that it
    is over). A dict (why it was refused) instead of copying."""
    import stat

    try:
        fd = os.open(src, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return dict(NOT_A_FILE)
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return dict(NOT_A_FILE)
        if max_bytes is not None and info.st_size > max_bytes:
            return {"bytes": info.st_size}
        make_private_dir(target.parent)
        copied = 0
        with open(target, "wb") as out:
            while block := f.read(1 << 20):
                copied += len(block)
                if max_bytes is not None and copied > max_bytes:  # it grew while being copied
                    break
                out.write(block)
        if max_bytes is not None and copied > max_bytes:
            target.unlink()
            return {"bytes": copied}
    return None


def _is_hidden(path: str) -> bool:
    return any(part.startswith(".") for part in Path(path).parts[-1:])


# --- landing: a private, atomic copy of a submission -----------------------------------------------
@contextlib.contextmanager
def landing(inbox: Path) -> Iterator[Path]:
    """A new folder to land a submission in, private to this process: a lock file beside it is held
    for as long as the folder exists, so another run (any `--out`) can tell a live landing from one a
    killed run left (remove_stale_landings) and never deletes this one. Removed on the way out
    unless the caller renamed it into place."""
    import fcntl

    name = f".landing-{uuid.uuid4().hex}"
    lock = inbox / f"{name}.lock"
    fresh = inbox / f"{name}.lock.new"
    fd = os.open(fresh, os.O_CREAT | os.O_EXCL | os.O_RDWR, FILE_MODE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # locked before its name can be seen as a landing's lock
        os.replace(fresh, lock)
        folder = make_private_dir(inbox / name)
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            lock.unlink(missing_ok=True)
    finally:
        fresh.unlink(missing_ok=True)
        os.close(fd)


def remove_stale_landings(inbox: Path) -> list[Path]:
    """Landing folders whose process is gone (their lock is free): they hold child-level data that
    must not linger. A live landing's lock is held, so it is left alone."""
    import fcntl

    removed = []
    for lock in inbox.glob(".landing-*.lock"):
        try:
            fd = os.open(lock, os.O_RDWR | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue  # a live run is landing here
        try:
            folder = inbox / lock.name.removesuffix(".lock")
            if folder.is_dir() and not folder.is_symlink():
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
            lock.unlink(missing_ok=True)
        finally:
            os.close(fd)
    return removed


def verify_landed(folder: Path) -> bool:
    """True when the folder holds exactly the files its manifest lists, each of its size and sha256
    (a folder that does not is rebuilt, never reused: an emptied one once gave every re-run an empty
    pack)."""
    import json

    try:
        manifest = json.loads((folder / "manifest.json").read_text())
        listed = {f["file"]: f for f in manifest["files"]}
        present = {
            p.relative_to(folder).as_posix()
            for p in folder.rglob("*")
            if (p.is_file() or p.is_symlink()) and p.name != "manifest.json"
        }
        if present != set(listed):
            return False
        for rel, f in listed.items():
            p = folder / rel
            if p.is_symlink() or p.stat().st_size != f["bytes"] or sha256_file(p) != f["sha256"]:
                return False
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return True
