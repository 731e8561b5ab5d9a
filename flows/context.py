"""What every stage of a run is given: the LA, the notification date, the visit type and the run's
private staging folder (RunContext), and the checks on those parameters.

Stages exchange paths and table names, never DataFrames: the run's DuckDB file (`ctx.warehouse`) is
the hand-over.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path

from flows import las
from flows.errors import InputError
from flows.warehouse import RunWarehouse

log = logging.getLogger("ilacs_pia")

VISIT_TYPES = ("standard", "short", "focused", "monitoring")


@dataclass
class RunContext:
    la: las.LocalAuthority
    notification_date: dt.date
    visit_type: str
    work_dir: Path  # staging folder: becomes OUT/<la>/<date>/ when the run succeeds
    statistics_db: Path | None = None
    notes_path: Path | None = None
    # where an earlier run for this LA and date left its outputs, to say what a resubmission changed
    # (flows/validation/resubmission.py): the published folder for pia run, --out for pia validate
    earlier_dir: Path | None = None
    generated_at: dt.datetime = field(default_factory=lambda: generation_time())

    def __post_init__(self) -> None:
        self.db = RunWarehouse(self.work_dir / "warehouse.duckdb")

    @property
    def warehouse(self) -> Path:
        return self.db.path

    @property
    def period_start(self) -> dt.date:
        """Six months before notification (para 321)."""
        return add_months(self.notification_date, -6)

    @property
    def period_start_12m(self) -> dt.date:
        """Twelve months before notification (lists 10 and 11, 2.02)."""
        return add_months(self.notification_date, -12)


def generation_time() -> dt.datetime:
    """Now (UTC, whole seconds), or PIA_GENERATED_AT (ISO) so a re-run gives the same pack bytes."""
    from flows.config import settings

    return settings().generated_at or dt.datetime.now(dt.UTC).replace(microsecond=0)


def add_months(d: dt.date, months: int) -> dt.date:
    m = d.month - 1 + months
    y, m = d.year + m // 12, m % 12 + 1
    import calendar

    return dt.date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def parse_notification_date(value: str | dt.date) -> dt.date:
    if isinstance(value, dt.date):
        return check_notification_date(value)
    try:
        parsed = dt.date.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        raise InputError(
            f"Notification date {value!r:.40} is not a date in the form YYYY-MM-DD."
        ) from None
    return check_notification_date(parsed)


NOTIFICATION_YEARS = (1990, 2100)  # 9999-12-31 once failed after landing, adding months to it


def check_notification_date(value: dt.date) -> dt.date:
    first, last = NOTIFICATION_YEARS
    if not first <= value.year <= last:
        raise InputError(
            f"Notification date {value.isoformat()} is outside {first}-{last}; check the year."
        )
    return value


def parse_visit_type(value: str) -> str:
    v = (value or "").strip().lower()
    if v not in VISIT_TYPES:
        raise InputError(f"Visit type {value!r:.40} must be one of: {', '.join(VISIT_TYPES)}.")
    return v
