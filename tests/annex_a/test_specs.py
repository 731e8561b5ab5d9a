"""The list specs and code sets: the one source of truth must be internally consistent."""

import pytest

from flows.annex_a import codes, specs


def test_every_list_has_unique_columns_and_a_child_id_when_child_level():
    assert len({s.table for s in specs.SPECS}) == len(specs.SPECS)
    for s in specs.SPECS:
        names = [c.name for c in s.columns]
        assert len(names) == len(set(names)), s.table
        if s.child_level and s.table != "list_11_adopters":
            assert "child_id" in names, s.table


@pytest.mark.parametrize(
    "header, table, column",
    [
        ("Age", "list_01_contacts", "age"),
        ("Date of Referral", "list_03_referrals", "date_of_referral"),
        ("ChildUniqueID", "list_01_contacts", "child_id"),
        ("DateOfBirth", "list_01_contacts", "date_of_birth"),
        ("DateOfContact", "list_01_contacts", "date_of_contact"),
        ("ContactSource", "list_01_contacts", "contact_source"),
        ("ReferralNFA", "list_03_referrals", "referral_nfa"),
        ("CINStartDate", "list_06_children_in_need", "cin_start_date"),
        ("PrimaryNeedCode", "list_06_children_in_need", "primary_need_code"),
        ("Date of Referral  ", "list_03_referrals", "date_of_referral"),
        (
            "Sum of Number of Placements in the Last 12 months",
            "list_08_children_in_care",
            "placements_last_12_months",
        ),
        (
            "Number of Episodes the Child has been \u2018Missing\u2019 from their Placement in the last 12 months",
            "list_08_children_in_care",
            "missing_episodes",
        ),
        (
            "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N))",
            "list_07_child_protection",
            "emergency_protection",
        ),
    ],
)
def test_header_variants_match_their_column(header, table, column):
    s = specs.spec(table)
    key = specs.header_key(header)
    assert [c.name for c in s.columns if key in c.keys()] == [column]


@pytest.mark.parametrize(
    "code_set, raw, expected",
    [
        (codes.GENDER, "a) Male", "Male"),
        (codes.GENDER, "Male", "Male"),
        (codes.GENDER, "M", "Male"),
        (codes.GENDER, "1", "Male"),
        (codes.GENDER, "1 - Male", "Male"),
        (codes.NEED, "N1 - Abuse or neglect", "N1"),
        (codes.NEED, "N1", "N1"),
        (codes.PLACEMENT_PROVIDER, "e) PR4: Private provision", "PR4"),
        (codes.PLACEMENT_PROVIDER, "PR4 - Private provision", "PR4"),
        (codes.YES_NO, "a) Yes", "Yes"),
        (codes.YES_NO, "Yes", "Yes"),
        (codes.YES_NO, "Y", "Yes"),
        (codes.ETHNICITY, "s) NOBT", "NOBT"),
        (codes.ETHNICITY, "t) NOBT", "NOBT"),
        (codes.SOURCE, "q) 6: Police", "6"),
        (codes.GENDER, "Martian", None),
    ],
)
def test_value_variants_normalise_to_the_template_code(code_set, raw, expected):
    assert code_set.normalise(raw) == expected
