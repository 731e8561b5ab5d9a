"""Working days: Monday to Friday, not an England and Wales bank holiday (the `holidays` package;
Wales has the same bank holidays as England). The one calendar of the product: the milestones
(flows/milestones.py) count in it, and every model counting working days reads `meta.calendar`,
written with meta.run once per run (flows/warehouse.py set_run_context).
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import holidays
import polars as pl

# meta.calendar covers the ten calendar years before notification and the one after: the pack counts
# working days back ten years from notification (sql/pack/010_working_days.sql), and the measures
# from Annex A count assessments that ended in the six months to it (sql/indicators/120_…).
YEARS_BEFORE, YEARS_AFTER = 10, 1


@cache
def bank_holidays(year: int) -> frozenset[dt.date]:
    eng = holidays.country_holidays("GB", subdiv="ENG", years=year)
    wls = holidays.country_holidays("GB", subdiv="WLS", years=year)
    return frozenset(eng) | frozenset(wls)


def is_bank_holiday(day: dt.date) -> bool:
    return day in bank_holidays(day.year)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and not is_bank_holiday(day)


def calendar(notification_date: dt.date) -> pl.DataFrame:
    """meta.calendar: one row per day (day, bank_holiday, working_day) over the years around a
    notification date."""
    years = range(notification_date.year - YEARS_BEFORE, notification_date.year + YEARS_AFTER + 1)
    bank = sorted(d for y in years for d in bank_holidays(y))
    days = pl.date_range(dt.date(years[0], 1, 1), dt.date(years[-1], 12, 31), "1d", eager=True)
    return (
        pl.DataFrame({"day": days})
        .with_columns(pl.col("day").is_in(bank).alias("bank_holiday"))
        .with_columns(
            ((pl.col("day").dt.weekday() <= 5) & ~pl.col("bank_holiday")).alias("working_day")
        )
    )
