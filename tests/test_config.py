"""Every PIA_* variable is declared once in flows.config.Settings, typed, with its default and meaning."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from flows import config
from flows.errors import ConfigError, InputError

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_when_nothing_is_set():
    s = config.Settings.from_env({})
    assert s.data_dir == config.ROOT / "data"
    assert s.prefect is True and s.validation_engine == "native"
    assert (s.max_file_mb, s.max_rows, s.duckdb_threads, s.s3_attempts) == (200.0, 1_000_000, 1, 5)
    assert s.generated_at is None and s.read_threads is None


def test_values_are_typed():
    s = config.Settings.from_env(
        {
            "PIA_DATA_DIR": "/tmp/x",
            "PIA_PREFECT": "OFF",
            "PIA_MAX_ROWS": "10",
            "PIA_MAX_FILE_MB": "0.5",
            "PIA_GENERATED_AT": "2026-11-16T09:30:00",
            "PIA_VALIDATION_ENGINE": " GX ",
        }
    )
    assert s.data_dir == Path("/tmp/x") and s.prefect is False
    assert s.max_rows == 10 and s.max_file_mb == 0.5 and s.validation_engine == "gx"
    assert s.generated_at == dt.datetime(2026, 11, 16, 9, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PIA_MAX_ROWS", "lots"),
        ("PIA_MAX_FILE_MB", "-1"),
        ("PIA_GENERATED_AT", "yesterday"),
        ("PIA_VALIDATION_ENGINE", "fast"),
        ("PIA_S3_TIMEOUT", "soon"),
    ],
)
def test_a_value_that_cannot_be_used_is_refused_naming_the_variable(name, value):
    with pytest.raises(ConfigError, match=name) as e:
        config.Settings.from_env({name: value})
    assert isinstance(e.value, InputError)  # the CLI turns it into exit 2 and one line


def test_a_tuning_knob_that_does_not_parse_means_its_default():
    s = config.Settings.from_env({"PIA_DUCKDB_THREADS": "many", "PIA_READ_THREADS": "0"})
    assert s.duckdb_threads == 1 and s.read_threads is None


def test_no_module_reads_a_pia_variable_but_config():
    readers = []
    for path in (ROOT / "flows").rglob("*.py"):
        if path.name == "config.py":
            continue
        for m in re.finditer(r"environ(?:\.get)?\(?\[?\s*[\"'](PIA_\w+)", path.read_text()):
            readers.append(f"{path.relative_to(ROOT)}: {m.group(1)}")
    assert readers == []


def test_the_architecture_doc_lists_every_variable():
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert config.variables_table() in doc, (
        "regenerate the table with flows.config.variables_table()"
    )
