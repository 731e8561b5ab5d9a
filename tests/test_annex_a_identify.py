"""Identifying a list and its header row from the headers LAs really use."""

from __future__ import annotations

import pytest
from annex_a_fixtures import camel, grid, rows_for

from flows.annex_a import identify
from flows.annex_a import specs as S


def _variant_sets(spec: S.ListSpec) -> list[list[str]]:
    """Header rows that between them use every accepted spelling of every column at least once."""
    spellings = [[c.header, *c.aliases, c.name] for c in spec.columns]
    depth = max(len(s) for s in spellings)
    sets = [[s[k] if k < len(s) else s[0] for s in spellings] for k in range(depth)]
    sets.append([camel(c.header) for c in spec.columns])
    sets.append([h.upper() + "  " for h in spec.headers])  # shouting, trailing spaces
    sets.append(
        [f"Sum of {c.header}" if c.type == "int" else c.header for c in spec.columns]
    )  # pivot tables
    sets.append(
        [c.header.replace("'", "\u2018", 1).replace("'", "\u2019", 1) for c in spec.columns]
    )  # curly quotes
    sets.append([c.header.replace("(Y/N)", "(Y/N))") for c in spec.columns])  # doubled bracket
    return sets


CASES = [(spec, k, headers) for spec in S.SPECS for k, headers in enumerate(_variant_sets(spec))]


@pytest.mark.parametrize("spec, k, headers", CASES, ids=[f"{s.table}-{k}" for s, k, _ in CASES])
def test_every_header_spelling_identifies_its_list_and_columns(spec, k, headers):
    g = grid([headers, *rows_for(spec, 2)], sheet="Sheet1")
    found = identify.identify(g)
    assert found is not None, headers
    assert found.spec.table == spec.table, headers
    assert found.header_row == 1
    assert sorted(found.mapping.values()) == sorted(c.name for c in spec.columns)


@pytest.mark.parametrize("spec", S.SPECS, ids=lambda s: s.table)
def test_shuffled_columns_and_title_rows_still_identify(spec):
    headers = list(reversed(spec.headers))
    g = grid(
        [[f"{spec.title} - as at 31/03/2025"], [], ["Produced by the performance team"], headers],
        sheet="Data",
    )
    found = identify.identify(g)
    assert found is not None and found.spec.table == spec.table
    assert found.header_row == 4


def test_sheet_names_break_ties_between_lists_with_only_common_columns():
    headers = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)"]
    assert (
        identify.identify(grid([headers], sheet="List 3 Referrals")).spec.table
        == "list_03_referrals"
    )
    assert identify.identify(grid([headers], sheet="Contacts")).spec.table == "list_01_contacts"
    assert (
        identify.identify(grid([headers], sheet="Sheet1"), "CLA list").spec.table
        == "list_08_children_in_care"
    )


def test_names_never_outweigh_headers():
    spec = S.LIST_06
    found = identify.identify(grid([spec.headers], sheet="Referrals"))
    assert found.spec.table == "list_06_children_in_need"


def test_a_sheet_without_list_headers_is_not_identified():
    assert (
        identify.identify(grid([["Notes"], ["Please return by Tuesday"], ["Name", "Phone"]]))
        is None
    )
    # common columns alone, with no name to go on, identify nothing
    assert (
        identify.identify(grid([["Child Unique ID", "Gender", "Ethnicity"]], sheet="Sheet2"))
        is None
    )


@pytest.mark.parametrize(
    "name, table",
    [
        ("List 1 - Contacts", "list_01_contacts"),
        ("L10_Adoptions", "list_10_adoptions"),
        ("list_09", "list_09_care_leavers"),
        ("3.17 Unregistered", "unregistered_provision"),
        ("Caseloads", "caseloads"),
        ("CP", "list_07_child_protection"),
        ("Care leavers", "list_09_care_leavers"),
        ("CLA", "list_08_children_in_care"),
    ],
)
def test_name_hints(name, table):
    assert table in identify.hint_tables(name)


def test_hints_match_whole_words_only():
    assert "list_09_care_leavers" not in identify.hint_tables("Clients")
    assert "list_07_child_protection" not in identify.hint_tables("Accepted")


def test_every_list_is_told_apart_by_its_template_headers_alone():
    for spec in S.SPECS:
        assert identify.identify(grid([spec.headers], sheet="Sheet1")).spec.table == spec.table
