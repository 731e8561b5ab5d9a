"""Configuration: the repository's folders, and every PIA_* environment variable in one place.

`Settings` declares each variable once — its name, type, default and meaning — and `settings()`
reads them all from the environment. It is read when asked, not cached: a long-running worker and
the tests change the environment between runs. The same code runs on a laptop or on S3 and a
shared Prefect server, chosen by these variables, never by editing code. docs/architecture.md lists
them (generated from this class; tests/test_config.py keeps it current).
"""

from __future__ import annotations

import datetime as dt
import os
import typing
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from flows.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = ROOT / "sql"
TEMPLATES_DIR = ROOT / "templates"
EXPECTATIONS_DIR = ROOT / "expectations"
PUBLISHED_DIR = Path(__file__).resolve().parent / "published"  # bundled statistics snapshot

VALIDATION_ENGINES = ("native", "gx")
_OFF = ("off", "0", "false", "no")


def _var(env: str, default: Any, meaning: str, *, lenient: bool = False) -> Any:
    """A setting read from `env`. `lenient`: a tuning knob, where a value that does not parse means
    the default rather than a refusal (the run is right either way, only its speed differs)."""
    return field(default=default, metadata={"env": env, "meaning": meaning, "lenient": lenient})


@dataclass(frozen=True)
class Settings:
    data_dir: Path = _var(
        "PIA_DATA_DIR",
        ROOT / "data",
        "Runtime data (git-ignored): inbox/, warehouse/statistics.duckdb, runs/, logs/.",
    )
    statistics_db: Path | None = _var(
        "PIA_STATISTICS_DB",
        None,
        "The published-statistics database; default `PIA_DATA_DIR/warehouse/statistics.duckdb`.",
    )
    prefect: bool = _var(
        "PIA_PREFECT",
        True,
        "`off` runs `pia run` without Prefect: the same stages in the same order (flows.pipeline).",
    )
    validation_engine: str = _var(
        "PIA_VALIDATION_ENGINE",
        "native",
        "`native` runs the Great Expectations suites on the polars executor; `gx` on Great "
        "Expectations itself (the reference; the tests prove both give the same findings).",
    )
    read_threads: int | None = _var(
        "PIA_READ_THREADS",
        None,
        "Sheets and files read at once; default the machine's cores, at most 4.",
        lenient=True,
    )
    duckdb_threads: int = _var(
        "PIA_DUCKDB_THREADS",
        1,
        "DuckDB's own threads for a run's warehouse (each stage already queries it from threads "
        "of its own).",
        lenient=True,
    )
    max_file_mb: float = _var(
        "PIA_MAX_FILE_MB", 200.0, "Largest file an LA may send, in MB; larger files are refused."
    )
    max_uncompressed_mb: float = _var(
        "PIA_MAX_UNCOMPRESSED_MB",
        1000.0,
        "Largest a workbook may inflate to, in MB (zip bombs).",
    )
    max_rows: int = _var("PIA_MAX_ROWS", 1_000_000, "Most rows a sheet or CSV may have.")
    max_columns: int = _var("PIA_MAX_COLUMNS", 1_000, "Most columns a sheet or CSV may have.")
    max_cells: int = _var(
        "PIA_MAX_CELLS",
        30_000_000,
        "Most cells a sheet's extent may cover (a far cell would make the reader allocate it all).",
    )
    max_sheets: int = _var(
        "PIA_MAX_SHEETS", 200, "Most sheets a workbook may have (10,000 once took 366 s)."
    )
    max_cell_chars: int = _var(
        "PIA_MAX_CELL_CHARS",
        32_767,
        "Most characters one cell may hold (Excel's own limit; a shared string is checked before "
        "the reader copies it into every cell that uses it).",
    )
    max_text_mb: float = _var(
        "PIA_MAX_TEXT_MB",
        100.0,
        "Most text, in MB, a workbook's shared strings or one sheet may hold (OpenDocument repeats "
        "counted).",
    )
    max_files: int = _var(
        "PIA_MAX_FILES", 500, "Most files one submission may hold; more are refused before landing."
    )
    read_isolated: bool = _var(
        "PIA_READ_ISOLATED",
        True,
        "`off` reads submitted files in the run's own process instead of a child process (where a "
        "reader that aborts or runs out of memory costs one file, not the run).",
    )
    read_memory_mb: int = _var(
        "PIA_READ_MEMORY_MB",
        1536,
        "Memory (data segment) of the child process that reads a file; a file needing more is "
        "refused.",
    )
    s3_endpoint_url: str | None = _var(
        "PIA_S3_ENDPOINT_URL",
        None,
        "The S3 API's endpoint (default: AWS_ENDPOINT_URL, else AWS itself).",
    )
    s3_attempts: int = _var(
        "PIA_S3_ATTEMPTS", 5, "Attempts per S3 request, with exponential backoff."
    )
    s3_timeout: float = _var(
        "PIA_S3_TIMEOUT", 30.0, "Seconds to connect to, or wait for, the S3 API."
    )
    generated_at: dt.datetime | None = _var(
        "PIA_GENERATED_AT",
        None,
        "A fixed generation time (ISO), so the same inputs give the same pack bytes.",
    )
    work_pool: str = _var(
        "PIA_WORK_POOL",
        "pia-process",
        "The Prefect work pool the deployments run on (prefect.yaml and `make ui` use it).",
    )
    inspection_deployment: str = _var(
        "PIA_INSPECTION_DEPLOYMENT",
        "inspection-pack/inspection-pack",
        "The deployment notifications and the national batch start runs of (`flow/deployment`).",
    )
    heartbeat_grace_seconds: int = _var(
        "PIA_HEARTBEAT_GRACE_SECONDS",
        90,
        "Seconds without a heartbeat before a run is marked Crashed (the crash automation).",
    )
    test_pause_at: str | None = _var(
        "PIA_TEST_PAUSE_AT",
        None,
        "Tests only: the stage after which a run pauses (flows/testhooks.py).",
    )
    test_resume: str | None = _var(
        "PIA_TEST_RESUME", None, "Tests only: the file whose creation ends the pause."
    )

    @classmethod
    def from_env(cls, environ: typing.Mapping[str, str] | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        hints = typing.get_type_hints(cls)
        values = {}
        for f in fields(cls):
            raw = environ.get(f.metadata["env"], "").strip()
            if raw:
                try:
                    values[f.name] = _parse(f.name, hints[f.name], raw)
                except (TypeError, ValueError) as e:
                    if not f.metadata["lenient"]:
                        raise ConfigError(f"{f.metadata['env']}={raw!r:.40}: {e}") from None
        return cls(**values)

    def __post_init__(self) -> None:
        if self.validation_engine not in VALIDATION_ENGINES:
            raise ConfigError(
                f"PIA_VALIDATION_ENGINE must be one of {', '.join(VALIDATION_ENGINES)}, "
                f"not {self.validation_engine!r:.20}"
            )


def _parse(name: str, hint: Any, raw: str) -> Any:
    kinds = [a for a in typing.get_args(hint) if a is not type(None)] or [hint]
    kind = kinds[0]
    if kind is bool:
        return raw.lower() not in _OFF
    if kind is dt.datetime:
        try:
            value = dt.datetime.fromisoformat(raw)
        except ValueError:
            raise ValueError("not an ISO date-time") from None
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if kind in (int, float):
        try:
            value = kind(raw)
        except ValueError:
            raise ValueError(f"not a {'whole ' if kind is int else ''}number") from None
        if value <= 0 and "threads" in name:
            raise ValueError("must be at least 1")
        if value < 0:
            raise ValueError("must not be negative")
        return value
    if kind is str and name == "validation_engine":
        return raw.lower()
    return kind(raw)


def settings() -> Settings:
    """Every PIA_* setting, as the environment has it now."""
    return Settings.from_env()


def data_dir() -> Path:
    """Runtime data (git-ignored): inbox, warehouse, runs."""
    return settings().data_dir


def statistics_db() -> Path:
    s = settings()
    return s.statistics_db or s.data_dir / "warehouse" / "statistics.duckdb"


def variables_table() -> str:
    """The PIA_* variables as a markdown table (docs/architecture.md)."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for f in fields(Settings):
        default = f.default
        shown = (
            "—"
            if default is None
            else f"`{default.relative_to(ROOT)}`"
            if isinstance(default, Path)
            else f"`{default:,}`"
            if isinstance(default, int | float) and not isinstance(default, bool)
            else f"`{'on' if default else 'off'}`"
            if isinstance(default, bool)
            else f"`{default}`"
        )
        rows.append(f"| `{f.metadata['env']}` | {shown} | {f.metadata['meaning']} |")
    return "\n".join(rows)


# Telemetry off everywhere; set before prefect or great_expectations import.
for _k, _v in {
    "GX_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
}.items():
    os.environ.setdefault(_k, _v)
