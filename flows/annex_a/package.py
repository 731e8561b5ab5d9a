"""The zip package of an xlsx or ods, checked before any reader sees it: nothing it declares is trusted.

A zip says how large each part is, twice (central directory and local header), and the readers
disagree on which to believe: Python's zipfile stops at the declared size, calamine inflates the
whole deflate stream. A 15 KB sheet declaring its first 4 KB passed a size check and then made
calamine ask for 512 GiB (SIGABRT: no exception, the process gone). So every part that is read is
inflated here to its real end, counted while it streams, and refused when it holds one byte more
or less than declared, or its CRC does not match: after that, every reader sees the same bytes.

The layout is checked as well: two parts of one name, parts that overlap (one compressed stream
shared by many names: a classic bomb), or a local header that disagrees with the directory. Python
3.11 detects none of these, and each is a damaged file, never a real workbook.
"""

from __future__ import annotations

import copy
import struct
import zipfile
import zlib
from pathlib import Path

_LOCAL = struct.Struct("<4s2B4HL2L2H")  # zipfile's local file header layout (30 bytes)
_CHUNK = 1 << 20
_ZIP64 = 0xFFFFFFFF  # a local header's size that says "see the zip64 extra field"


class Damaged(Exception):
    """The zip structure is inconsistent: a part's size, CRC, name or place is not what it says."""


class Member:
    """One part opened for reading to its real end: raises Damaged as soon as it holds more than
    it declares, or at its end when it holds less (or its CRC is wrong)."""

    def __init__(self, z: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        probe = copy.copy(info)
        probe.file_size = info.file_size + 1  # zipfile stops at file_size: let it read past
        self.declared = info.file_size
        self.read_bytes = 0
        try:
            self._f = z.open(probe)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
            raise Damaged from None

    def read(self, n: int = _CHUNK) -> bytes:
        try:
            chunk = self._f.read(n)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
            raise Damaged from None  # bad CRC, corrupt deflate data, cut short
        self.read_bytes += len(chunk)
        if self.read_bytes > self.declared or (not chunk and self.read_bytes != self.declared):
            raise Damaged
        return chunk

    def close(self) -> None:
        self._f.close()

    def __enter__(self) -> Member:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def drain(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Read one part to its end: Damaged unless it is exactly what it declares."""
    with Member(z, info) as m:
        while m.read():
            pass


def check_layout(z: zipfile.ZipFile, path: Path) -> None:
    """Damaged when two parts share a name, a local header disagrees with the directory (name or,
    without a data descriptor, sizes), or a part's bytes overlap the next part's."""
    infos = z.infolist()
    if len({i.filename for i in infos}) != len(infos):
        raise Damaged
    end_of_data = z.start_dir
    with path.open("rb") as f:
        ordered = sorted(infos, key=lambda i: i.header_offset)
        for info, after in zip(ordered, [*ordered[1:], None], strict=True):
            f.seek(info.header_offset)
            head = f.read(_LOCAL.size)
            if len(head) != _LOCAL.size:
                raise Damaged
            fields = _LOCAL.unpack(head)
            if fields[0] != zipfile.stringFileHeader:
                raise Damaged
            flags, crc, csize, usize, name_len, extra_len = (
                fields[3],
                fields[7],
                fields[8],
                fields[9],
                fields[10],
                fields[11],
            )
            if f.read(name_len).decode("utf-8" if flags & 0x800 else "cp437", "replace") != (
                info.orig_filename
            ):
                raise Damaged
            if not flags & 0x08 and (
                crc != info.CRC
                or csize not in (info.compress_size, _ZIP64)
                or usize not in (info.file_size, _ZIP64)
            ):
                raise Damaged
            data_end = info.header_offset + _LOCAL.size + name_len + extra_len + info.compress_size
            limit = after.header_offset if after is not None else end_of_data
            if data_end > limit:
                raise Damaged
