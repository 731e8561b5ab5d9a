"""Milestone arithmetic (framework para 80 and the Annex A table in para 314).

Bank holidays come from the `holidays` package; the dates asserted here are the published England and
Wales bank holidays for 2026 (gov.uk/bank-holidays): Good Friday 3 April, Easter Monday 6 April,
early May 4 May, spring 25 May, summer 31 August, Christmas 25 December, Boxing Day (substitute) 28
December.
"""

from __future__ import annotations

import datetime as dt

import pytest

from flows import milestones as ms
from flows.errors import InputError

D = dt.date


def at(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hh, mm), tzinfo=ms.LONDON)


def times(notified: dt.date, visit: str) -> list[tuple[dt.datetime, str]]:
    return [(d.at, d.key) for d in ms.schedule(notified, visit)]


def test_bank_holidays_and_weekends_are_not_working_days():
    for day in (
        D(2026, 4, 3),
        D(2026, 4, 6),
        D(2026, 5, 4),
        D(2026, 5, 25),
        D(2026, 8, 31),
        D(2026, 12, 25),
        D(2026, 12, 28),
    ):
        assert ms.is_bank_holiday(day) and not ms.is_working_day(day), day
    assert not ms.is_working_day(D(2026, 11, 21))  # Saturday
    assert not ms.is_working_day(D(2026, 11, 22))  # Sunday
    assert ms.is_working_day(D(2026, 11, 23))


def test_add_working_days_skips_weekends_and_bank_holidays():
    assert ms.add_working_days(D(2026, 11, 16), 0) == D(2026, 11, 16)
    assert ms.add_working_days(D(2026, 11, 20), 1) == D(2026, 11, 23)  # Friday -> Monday
    assert ms.add_working_days(D(2026, 5, 22), 1) == D(2026, 5, 26)  # Friday -> Tuesday (25 May)
    assert ms.add_working_days(D(2026, 4, 2), 1) == D(2026, 4, 7)  # Thursday -> over Easter
    assert ms.add_working_days(D(2026, 12, 24), 1) == D(
        2026, 12, 29
    )  # Christmas, Boxing Day observed
    with pytest.raises(ValueError):
        ms.add_working_days(D(2026, 1, 5), -1)


def test_standard_and_short_inspection_milestones_in_an_ordinary_week():
    # Monday 16 November 2026 (the framework's timeline, para 314): lists and audits Tuesday 5pm, MI Wednesday 5pm,
    # case documents Thursday 5pm.
    expected = [
        (at(D(2026, 11, 17), 17), "child_level_lists+audits"),
        (at(D(2026, 11, 18), 17), "management_information"),
        (at(D(2026, 11, 19), 17), "case_documents"),
    ]
    assert times(D(2026, 11, 16), "standard") == expected
    assert times(D(2026, 11, 16), "short") == expected


def test_standard_milestones_cross_a_weekend_and_a_bank_holiday():
    # Notified Thursday 21 May 2026; Monday 25 May is the spring bank holiday.
    assert times(D(2026, 5, 21), "standard") == [
        (at(D(2026, 5, 22), 17), "child_level_lists+audits"),
        (at(D(2026, 5, 26), 17), "management_information"),
        (at(D(2026, 5, 27), 17), "case_documents"),
    ]


def test_focused_visit_milestones_use_midday_for_lists_and_audits():
    # Notified Tuesday 17 November 2026: lists/audits midday Wednesday, MI 5pm Wednesday,
    # case documents 5pm Thursday.
    assert times(D(2026, 11, 17), "focused") == [
        (at(D(2026, 11, 18), 12), "child_level_lists+audits"),
        (at(D(2026, 11, 18), 17), "management_information"),
        (at(D(2026, 11, 19), 17), "case_documents"),
    ]


def test_focused_visit_over_christmas():
    # Thursday 24 December 2026: Christmas Day, the weekend and Boxing Day (observed, Monday 28th).
    assert times(D(2026, 12, 24), "focused") == [
        (at(D(2026, 12, 29), 12), "child_level_lists+audits"),
        (at(D(2026, 12, 29), 17), "management_information"),
        (at(D(2026, 12, 30), 17), "case_documents"),
    ]


def test_monitoring_visit_milestones_are_one_and_seven_working_days():
    # Tuesday 17 November 2026: lists/audits Wednesday, MI and case documents 7 working days later.
    assert times(D(2026, 11, 17), "monitoring") == [
        (at(D(2026, 11, 18), 17), "child_level_lists+audits"),
        (at(D(2026, 11, 26), 17), "management_information+case_documents"),
    ]
    # Over Easter 2026: Tuesday 31 March + 7 working days skips Good Friday and Easter Monday.
    assert times(D(2026, 3, 31), "monitoring")[-1][0] == at(D(2026, 4, 13), 17)


def test_deadlines_are_london_local_time_across_the_clock_change():
    # Clocks go back on Sunday 25 October 2026: 5pm stays 5pm local, the UTC instant moves.
    before = ms.schedule(D(2026, 10, 21), "standard")[0].at
    after = ms.schedule(D(2026, 10, 26), "standard")[0].at
    assert before.astimezone(dt.UTC).hour == 16 and after.astimezone(dt.UTC).hour == 17


def test_notification_moves_off_a_bank_holiday_to_the_previous_working_day():
    # Para 80. Fieldwork Monday 1 June 2026: five weekdays earlier is Monday 25 May, a bank holiday,
    # so notification moves to Friday 22 May.
    assert ms.notification_date(D(2026, 6, 1), "standard") == D(2026, 5, 22)
    # Ordinary week: fieldwork Monday 23 November -> notified Monday 16 November.
    assert ms.notification_date(D(2026, 11, 23), "standard") == D(2026, 11, 16)
    assert ms.notification_date(D(2026, 11, 24), "focused") == D(2026, 11, 17)
    # Monitoring: 10 days before fieldwork (usually Tuesday).
    assert ms.notification_date(D(2026, 12, 1), "monitoring") == D(2026, 11, 17)


def test_every_visit_type_has_all_four_milestones_and_bad_types_are_rejected():
    for visit in ("standard", "short", "focused", "monitoring"):
        keys = [m.key for d in ms.schedule(D(2026, 11, 16), visit) for m in d.milestones]
        assert sorted(keys) == sorted(
            ["child_level_lists", "audits", "management_information", "case_documents"]
        )
    with pytest.raises(InputError):
        ms.schedule(D(2026, 11, 16), "joint")
