"""Parameters and odd paths: exit 2 with one line before anything is landed."""

from __future__ import annotations

import os

import pytest
from hostile_corpus import record, write_good

from flows import cli


def _argv(tmp_path, **over):
    opts = {
        "--la": "E06000050",
        "--notification-date": "2026-11-16",
        "--annex-a": str(tmp_path / "upload"),
    }
    opts.update(over)
    return ["run", *[x for kv in opts.items() for x in kv]]


def _odd(tmp_path) -> dict[str, tuple[dict, str]]:
    (tmp_path / "a-file").write_text("not a folder")
    os.mkfifo(tmp_path / "notes-pipe")
    (tmp_path / "big.md").write_bytes(b"# notes\n" + b"x" * (2 << 20))
    (tmp_path / "binary.md").write_bytes(b"\xff\xfe\x00\x01")
    return {
        "--notification-date 9999-12-31": ({"--notification-date": "9999-12-31"}, "1990-2100"),
        "--notification-date 1899-01-01": ({"--notification-date": "1899-01-01"}, "1990-2100"),
        "--out naming an existing file": ({"--out": str(tmp_path / "a-file")}, "is a file"),
        "--notes /dev/zero": ({"--notes": "/dev/zero"}, "not a regular file"),
        "--notes a named pipe": ({"--notes": str(tmp_path / "notes-pipe")}, "not a regular file"),
        "--notes of 2 MB": ({"--notes": str(tmp_path / "big.md")}, "over 1,024 KB"),
        "--notes not UTF-8": ({"--notes": str(tmp_path / "binary.md")}, "not UTF-8"),
    }


CASES = [
    "--notification-date 9999-12-31",
    "--notification-date 1899-01-01",
    "--out naming an existing file",
    "--notes /dev/zero",
    "--notes a named pipe",
    "--notes of 2 MB",
    "--notes not UTF-8",
]


@pytest.mark.parametrize("what", CASES)
def test_odd_parameters_exit_2_with_one_line_before_anything_is_landed(
    what, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("PIA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PIA_PREFECT", "off")
    (tmp_path / "upload").mkdir()
    write_good(tmp_path / "upload")
    over, phrase = _odd(tmp_path)[what]
    before = sorted(p.name for p in tmp_path.iterdir())
    assert cli.main(_argv(tmp_path, **over)) == 2
    err = capsys.readouterr().err
    assert err.startswith("pia: ") and err.count("\n") == 1 and phrase in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no data, inbox or run folder
    record("Bad parameter", f"pia run {what}", f"exit 2, one line: “{err.strip()}”; nothing landed")
