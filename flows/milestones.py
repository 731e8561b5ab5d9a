"""When Annex A is due: the framework's milestone table (para 314) in England and Wales working days.

Para 314's table gives, per visit type, how many days after notification each kind of information is
due and by what time. "Days" are working days: Monday to Friday, skipping England and Wales bank
holidays (flows/working_days.py, the product's one calendar). Times are UK local
time (Europe/London), so a 5pm deadline stays 5pm across the clock change.

Para 80: notification is 5 working days before fieldwork (10 for a monitoring visit), by 9.30am; a
notification that would fall on a bank holiday moves to the previous working day. The count in para
80 is of weekdays (otherwise it could never land on a bank holiday), so `notification_date` counts
weekdays back and then steps off a bank holiday.

Reading of the table where it is not explicit (said here so it can be challenged):
- Monitoring visits give no time of day: 5pm, as for every other "by close of day" deadline.
- Monitoring visits: "7 days after notification (usually the Wednesday before inspectors are on
  site)". Seven working days after a Tuesday notification is the Thursday of the following week; the
  table's number is used, not the "usually" example.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flows.context import parse_visit_type
from flows.working_days import is_bank_holiday, is_working_day  # noqa: F401 - is_bank_holiday: part of this module's API

LONDON = ZoneInfo("Europe/London")
NOTIFICATION_TIME = dt.time(9, 30)  # para 80: notified by 9.30am
FIVE_PM = dt.time(17, 0)
MIDDAY = dt.time(12, 0)


@dataclass(frozen=True)
class Milestone:
    key: str  # stable identifier (used in run names and idempotency keys)
    title: str  # the table's row heading
    working_days: int  # after notification
    due: dt.time  # local time (Europe/London)


def _table(child: tuple, audits: tuple, mi: tuple, cases: tuple) -> tuple[Milestone, ...]:
    rows = (
        ("child_level_lists", "Child-level data lists", child),
        ("audits", "Audits completed in the 6 months before the inspection", audits),
        ("management_information", "Information used to manage services", mi),
        ("case_documents", "Information about specific children's cases", cases),
    )
    return tuple(Milestone(key, title, days, due) for key, title, (days, due) in rows)


# Para 314, column by column: (working days after notification, due time).
_STANDARD = _table((1, FIVE_PM), (1, FIVE_PM), (2, FIVE_PM), (3, FIVE_PM))
MILESTONES: dict[str, tuple[Milestone, ...]] = {
    "standard": _STANDARD,
    "short": _STANDARD,
    "focused": _table((1, MIDDAY), (1, MIDDAY), (1, FIVE_PM), (2, FIVE_PM)),
    "monitoring": _table((1, FIVE_PM), (1, FIVE_PM), (7, FIVE_PM), (7, FIVE_PM)),
}

# Para 80 and the table's "Notification" row: working days between notification and fieldwork.
NOTICE_DAYS = {"standard": 5, "short": 5, "focused": 5, "monitoring": 10}


def add_working_days(day: dt.date, n: int) -> dt.date:
    """The n-th working day after `day` (n >= 0; n == 0 is `day` itself)."""
    if n < 0:
        raise ValueError("n must not be negative")
    while n:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def previous_working_day(day: dt.date) -> dt.date:
    """`day` if it is a working day, else the closest working day before it."""
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def notification_date(fieldwork_start: dt.date, visit_type: str) -> dt.date:
    """Para 80: N weekdays before fieldwork, moved to the previous working day if a bank holiday."""
    n = NOTICE_DAYS[parse_visit_type(visit_type)]
    day = fieldwork_start
    while n:
        day -= dt.timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return previous_working_day(day)


@dataclass(frozen=True)
class Due:
    at: dt.datetime  # timezone-aware, Europe/London
    milestones: tuple[Milestone, ...]  # everything due at that moment

    @property
    def key(self) -> str:
        return "+".join(m.key for m in self.milestones)

    @property
    def label(self) -> str:
        return "due: " + ", ".join(m.key.replace("_", " ") for m in self.milestones)


def schedule(notified: dt.date, visit_type: str) -> list[Due]:
    """The moments a pack should be (re)built: one per distinct deadline, earliest first.

    Milestones due at the same moment share one run (child-level lists and audits usually do).
    """
    by_time: dict[dt.datetime, list[Milestone]] = {}
    for m in MILESTONES[parse_visit_type(visit_type)]:
        day = add_working_days(notified, m.working_days)
        by_time.setdefault(dt.datetime.combine(day, m.due, tzinfo=LONDON), []).append(m)
    return [Due(at, tuple(ms)) for at, ms in sorted(by_time.items())]
