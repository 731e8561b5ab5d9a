"""Identifying a list and its header row from the headers LAs really use."""

from __future__ import annotations

import pytest
from annex_a_fixtures import camel, grid, rows_for

from flows.annex_a import identify
from flows.annex_a import specs as S
from flows.annex_a.readers import ROW


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


@pytest.mark.parametrize("seed", range(6))
def test_data_rows_drop_exactly_the_blank_rows_in_order(seed):
    """A row is dropped when every cell is empty or spaces: checked on the fullest column first, then
    on the whole row only where that column is blank (a missing ID, a note in a later column)."""
    import random

    import polars as pl

    rng = random.Random(seed)
    spec = S.LIST_03
    cells = [None, "", "  ", "\t", "\u00a0", "x", " y ", "2025-01-01"]
    body = [
        [rng.choice(cells) if rng.random() < 0.6 else None for _ in spec.headers]
        for _ in range(200)
    ]
    if seed % 2:
        for r in body:  # every ID given: most rows settled on the fullest column
            r[0] = r[0] or "ID"
    body[0] = [None] * len(spec.headers)  # blank first row
    body[1] = [None, *(["  "] * (len(spec.headers) - 1))]  # spaces only
    body[2] = [None] * (len(spec.headers) - 1) + ["late note"]  # filled only in the last column
    g = grid([spec.headers, *body])
    ident = identify.identify(g)
    assert ident is not None and ident.spec is spec
    got = identify.data_rows(g, ident)
    cols = g.data_columns
    blank = pl.all_horizontal(
        pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in cols
    )
    want = g.cells.slice(ident.header_index + 1).filter(~blank)
    assert got.equals(want)
    excel_rows = got.get_column(ROW).to_list()
    assert 2 not in excel_rows and 3 not in excel_rows and 4 in excel_rows


# Headers that liia-tools' Annex A schema (SocialFinanceDigitalLabs/liia-tools,
# liiatools/annex_a_pipeline/spec/Annex_A_schema.yml) accepts through its header_regex patterns,
# written as LAs shorten or reword them: each is the column the pattern stands for.
LIIA_HEADERS = [
    ("list_01_contacts", "Child ID", "child_id"),  # /.*child.*id.*/i
    ("list_01_contacts", "CHILD_ID", "child_id"),
    ("list_01_contacts", "Child Identifier", "child_id"),
    ("list_01_contacts", "Childs LCS ID", "child_id"),
    ("list_01_contacts", "Date Of Birth of Child", "date_of_birth"),  # /.*date.*birth.*/i
    ("list_01_contacts", "Age", "age"),  # /.*age.*/i
    ("list_01_contacts", "Age at Contact", "age"),
    ("list_01_contacts", "Date of the contact", "date_of_contact"),  # /.*date.*contact.*/i
    ("list_01_contacts", "Contact source code", "contact_source"),  # /.*contact.*source.*/i
    ("list_03_referrals", "Date of the referral", "date_of_referral"),  # /.*date of.*referral.*/i
    ("list_03_referrals", "Referral source (Annex A code)", "referral_source"),
    # /.*was the child assessed.*social care support.*/i
    ("list_04_assessments", "Was the child assessed as requiring social care support", "requires_support"),
    # /.*Subject to Emergency Protection Order.*/i
    ("list_07_child_protection", "Subject to Emergency Protection Order", "emergency_protection"),
    # /.*Unaccompanied Asylum Seeking Child.*/i
    ("list_08_children_in_care", "Unaccompanied Asylum Seeking Child", "uasc"),
    ("list_08_children_in_care", "Childs category of need", "category_of_need"),
    # /.*second or subsequent .* of being a Looked After Child.*/i
    ("list_08_children_in_care", "Is this a second or subsequent period of being a Looked After Child",
     "subsequent_period"),
    ("list_08_children_in_care",
     "Second or subsequent episode of being a Looked After Child in the last 12 months", "subsequent_period"),
    ("list_08_children_in_care", "Child legal status", "legal_status"),  # /.*child.*legal status.*/i
    # /.*Number of Episodes the Child has been.*Missing.*from their Placement in the last 12 months.*/i
    ("list_08_children_in_care",
     "Number of episodes the child has been missing from their placement in the last 12 months (count)",
     "missing_episodes"),
    ("list_08_children_in_care",
     "Number of Episodes the Child has been Absent from their Placement in the last 12 months", "absent_episodes"),
]  # fmt: skip


@pytest.mark.parametrize(("table", "header", "column"), LIIA_HEADERS)
def test_headers_liia_tools_accepts_are_read(table, header, column):
    spec = S.BY_TABLE[table]
    headers = {f"c{i}": c.header for i, c in enumerate(spec.columns) if c.name != column}
    headers["sent"] = header
    mapping, notes = identify.map_headers(spec, headers)
    assert mapping["sent"] == column
    assert notes == []


def test_a_short_header_fitting_one_column_is_still_not_taken():
    # two meaningful words say too little: "Start Date" in list 7 is not taken for the plan's start
    spec = S.BY_TABLE["list_07_child_protection"]
    headers = {
        f"c{i}": c.header for i, c in enumerate(spec.columns) if c.name != "cp_plan_start_date"
    }
    headers["sent"] = "Plan Start"
    mapping, _ = identify.map_headers(spec, headers)
    assert "sent" not in mapping
