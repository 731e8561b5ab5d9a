"""The committed code sets, pinned to the DfE specifications, and read the way LAs write them.

The code lists below are the public facts (CIN census 2025-26, SSDA903 2025-26, the Annex A
template's dropdowns); a change to codes.py that drifts from them fails here, on purpose.
"""

from __future__ import annotations

import pytest

from flows.annex_a import codes as C
from flows.annex_a import specs as S

# SSDA903 2025-26 placement types (current), and the retired ones still read but flagged
PLACEMENT_CURRENT = [
    *("U1", "U2", "U3", "U4", "U5", "U6", "A3", "A4", "A5", "A6", "P1", "P3", "K1", "K2", "K3"),
    *("R1", "R2", "R3", "R5", "S1", "Z11", "Z12", "Z13", "Z14", "T0", "T1", "T2", "T3", "T4"),
]
PLACEMENT_RETIRED = {"H5", "P2", "Z1"}
REASON_CEASED_CURRENT = [
    *("E11", "E12", "E2", "E3", "E4A", "E4B", "E13", "E41", "E45", "E46", "E47", "E48"),
    *("E5", "E6", "E7", "E9", "E14", "E15", "E16", "E17", "E8"),
]
ACTIVITY_CURRENT = ["F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5", "G4", "G5", "G6"]
CIN_NEED = ["N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9", "N0"]
CLA_NEED = ["N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"]
SOURCE = [
    *("1A", "1B", "1C", "1D", "2A", "2B", "3A", "3B", "3C", "3D", "3E", "3F"),
    *("4", "5A", "5B", "5C", "5D", "6", "7", "8", "9", "10"),
]
LEGAL_STATUS = ["C1", "C2", "D1", "E1", "V2", "V3", "V4", "L1", "L2", "L3", "J1", "J2", "J3"]
CIN_CLOSURE = [f"RC{i}" for i in range(1, 10)]
PROVIDER = [f"PR{i}" for i in range(6)]


@pytest.mark.parametrize(
    ("cs", "current", "retired"),
    [
        (C.PLACEMENT_TYPE, PLACEMENT_CURRENT, PLACEMENT_RETIRED),
        (C.REASON_CEASED, REASON_CEASED_CURRENT, {"E43", "E44"}),
        (C.ACTIVITY, ACTIVITY_CURRENT, {"F3", "P3"}),
        (C.NEED, CIN_NEED, set()),
        (C.CATEGORY_OF_NEED, CLA_NEED, set()),
        (C.SOURCE, SOURCE, set()),
        (C.LEGAL_STATUS, LEGAL_STATUS, set()),
        (C.CIN_CLOSURE, CIN_CLOSURE, set()),
        (C.PLACEMENT_PROVIDER, PROVIDER, set()),
    ],
    ids=lambda v: v.name if isinstance(v, C.CodeSet) else None,
)
def test_code_sets_are_the_current_dfe_lists(cs, current, retired):
    assert sorted(cs.current) == sorted(current)
    assert cs.retired == retired
    assert set(cs.values) == set(current) | retired


def test_list_8_category_of_need_is_the_ssda903_set_and_list_6_the_cin_one():
    assert S.LIST_08.column("category_of_need").codes is C.CATEGORY_OF_NEED
    assert S.LIST_06.column("primary_need_code").codes is C.NEED
    assert C.CATEGORY_OF_NEED.normalise("N9") is None and C.NEED.normalise("N9") == "N9"


# the template's own dropdown spellings and public extracts' spellings (issue 18's list)
DROPDOWN = [
    (C.SOURCE, "a) 1A: Individual", "1A"),
    (C.SOURCE, "g) 3A: Health services", "3A"),
    (C.SOURCE, "q) 6: Police", "6"),
    (C.SOURCE, "p1) 5D: LA services", "5D"),
    (C.SOURCE, "u) 10: Unknown", "10"),
    (C.SOURCE, "4. Housing", "4"),
    (C.SOURCE, "(CS) Police", "6"),
    (C.LEGAL_STATUS, "C2: FCO", "C2"),
    (C.LEGAL_STATUS, "V2: Single period under S20", "V2"),
    (C.LEGAL_STATUS, "c2 - fco", "C2"),
    (C.PLACEMENT_TYPE, "f) U6: Foster placement - not FFA", "U6"),
    (C.PLACEMENT_TYPE, "p) K2: Children's Homes", "K2"),
    (C.PLACEMENT_TYPE, "K3 \u2013 Supported accommodation", "K3"),
    (C.PLACEMENT_PROVIDER, "b) PR1: Own provision", "PR1"),
    (C.PLACEMENT_PROVIDER, "b) PR1 - Own provision", "PR1"),
    (C.REASON_CEASED, "k) E47: Special Guardianship Orders - relative/friend", "E47"),
    (C.CIN_CLOSURE, "RC6 - Transferred to adult social care services", "RC6"),
    (C.ACTIVITY, "F2: Full time in education other than higher", "F2"),
    (C.ACTIVITY, "f2 full time education", "F2"),
    (C.ACCOMMODATION, "B: Parents/relatives", "B"),
    (C.ACCOMMODATION, "D: Semi-independent, transitional accommodation", "D"),
    (C.NEED, "N2 - Child\u2019s disability", "N2"),
    (C.NEED, "N2.CHIL13", "N2"),
    (C.ADOPTION_REVERSED, "RD1 - The child\u2019s needs changed subsequent to the decision", "RD1"),
    (C.GENDER, "1 - Male", "Male"),
    (C.GENDER, "a) Male", "Male"),
    (C.GENDER, "0 - Not known", "Not stated/recorded"),
    (C.ETHNICITY, "WBRI - White British", "WBRI"),
    (C.ETHNICITY, "t) NOBT", "NOBT"),
    (C.ETHNICITY, "A1 - White British", "WBRI"),
    (C.ETHNICITY, "C1", "AIND"),
    (C.ETHNICITY, "White British (WBRI)", "WBRI"),
    (C.NEED, "Parental illness or disability [N3]", "N3"),
    (C.ABUSE_CATEGORY, "1d Neglect", "Neglect"),
    (C.CASE_STATUS, "CLA", "Looked after child"),
    (C.CASE_STATUS, "CiN Plan", "Child in need plan"),
    (C.PLACEMENT_LOCATION, "In borough", "In"),
    (C.PLACEMENT_LOCATION, "Out of borough", "Out"),
    (C.YES_NO, "1 - Yes", "Yes"),
    (C.IN_TOUCH, "e) NREQ", "NREQ"),
    (C.IN_TOUCH, "No longer requires services", "NREQ"),
]


@pytest.mark.parametrize(("cs", "raw", "code"), DROPDOWN)
def test_the_code_is_authoritative_whatever_label_follows(cs, raw, code):
    got = cs.resolve(raw)
    assert got.code == code
    assert not got.label_mismatch


def test_a_label_naming_another_code_maps_by_the_code_and_is_flagged():
    got = C.NEED.resolve("N1 - Family in acute stress")
    assert (got.code, got.label_mismatch) == ("N1", True)
    got = C.PLACEMENT_PROVIDER.resolve("PR1 - Private provision")
    assert (got.code, got.label_mismatch) == ("PR1", True)
    got = C.NEED.resolve("Low income (N1)")
    assert (got.code, got.label_mismatch) == ("N1", True)


@pytest.mark.parametrize(
    ("cs", "raw"),
    [
        # words, not codes: a word followed by a space is wording ("No longer …" is not "No")
        (C.IN_TOUCH, "No longer in touch with anyone"),
        (C.GENDER, "Male child"),
        (C.YES_NO, "Yesterday"),
        # a code of another set, or not a code at all
        (C.PLACEMENT_TYPE, "Foster care (in-house)"),
        (C.SOURCE, "1E: Individual"),
        (C.CATEGORY_OF_NEED, "N9 - Cases other than children in need"),
        (C.ETHNICITY, "u) UNKNOWN"),
    ],
)
def test_what_is_not_a_code_stays_unmapped(cs, raw):
    assert cs.normalise(raw) is None


def test_a_bare_number_is_the_code_it_is_in_each_set():
    assert C.GENDER.normalise("1") == "Male"
    assert C.SOURCE.normalise("1") is None  # "1" alone is no source code (1A-1D are)
    assert C.ADOPTER_LEAVING.normalise("1") == "1"
    assert C.ADOPTER_LEAVING.normalise("2. Put on hold") == "2"


def test_every_code_in_every_lettered_or_labelled_spelling_maps_to_itself():
    sets = [v for v in vars(C).values() if isinstance(v, C.CodeSet)]
    for cs in sets:
        for i, code in enumerate(cs.codes):
            letter = chr(97 + i)
            for raw in (
                f"{letter}) {code.code}: {code.label}",
                f"{letter}) {code.code} - {code.label}",
                f"{code.code}: {code.label}".upper(),
                f"{code.code} \u2013 {code.label}".lower(),
            ):
                assert cs.normalise(raw) == code.code, (cs.name, raw)
