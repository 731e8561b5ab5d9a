"""LA of placement: every way LAs write an English LA reads as its current ONS code."""

from __future__ import annotations

import pytest

from flows import las
from flows.annex_a import places


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("383", "E08000035"),
        ("E08000035", "E08000035"),
        ("Leeds", "E08000035"),
        ("Leeds City Council", "E08000035"),
        ("LEEDS CITY COUNCIL", "E08000035"),
        ("London Borough of Barnet", "E09000003"),
        ("Bristol, City of", "E06000023"),
        ("Bristol City Council", "E06000023"),
        ("Royal Borough of Greenwich", "E09000011"),
        ("Bath & North East Somerset Council", "E06000022"),
        ("County Durham", "E06000047"),
        # retired codes with one successor (flows/statistics/la_reorganisations.csv)
        ("836", "E06000058"),
        ("E06000029", "E06000058"),
        ("E08000020", "E08000037"),
        # the template's codes for outside England or withheld
        ("NIR", "NIR"),
        ("wal", "WAL"),
        ("CON", "CON"),
    ],
)
def test_a_place_reads_as_its_ons_code(raw, code):
    assert places.ons_code(raw) == code


@pytest.mark.parametrize("raw", ["Narnia", "E10000009", "999", ""])
def test_what_is_no_current_english_la_stays_unknown(raw):
    # E10000009 (old Dorset) split in two: no one successor to name
    assert places.ons_code(raw) is None


def test_every_la_reads_back_from_its_name_old_code_and_ons_code():
    for la in las.all_las().values():
        for raw in (
            la.name,
            la.old_code,
            la.ons_code,
            f"{la.name} Council",
            places.name(la.ons_code),
        ):
            assert places.ons_code(raw) == la.ons_code, raw
