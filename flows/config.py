"""Paths and switches, read from the environment so the same code runs locally or on S3."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = ROOT / "sql"
TEMPLATES_DIR = ROOT / "templates"
EXPECTATIONS_DIR = ROOT / "expectations"
PUBLISHED_DIR = Path(__file__).resolve().parent / "published"  # bundled statistics snapshot


def data_dir() -> Path:
    """Runtime data (git-ignored): inbox, warehouse, runs."""
    return Path(os.environ.get("PIA_DATA_DIR", ROOT / "data"))


def statistics_db() -> Path:
    return Path(os.environ.get("PIA_STATISTICS_DB", data_dir() / "warehouse" / "statistics.duckdb"))


# Telemetry off everywhere (STACK_NOTES); set before prefect or great_expectations import.
for _k, _v in {
    "GX_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
}.items():
    os.environ.setdefault(_k, _v)
