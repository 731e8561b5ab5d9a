"""Values as LAs send them: code spellings, date forms, blanks; and the findings for what cannot be read."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from annex_a_fixtures import issues, new_warehouse, query, write_csv, write_ods, write_xlsx

from flows.annex_a import load
from flows.annex_a import specs as S
from flows.annex_a.normalise import BLANK_TOKENS, clean

D = dt.date(2025, 3, 4)


def _load(tmp_path, writer, sheets):
    sub = tmp_path / "landed"
    sub.mkdir(exist_ok=True)
    writer(sub, sheets)
    wh = new_warehouse(tmp_path / "warehouse.duckdb")
    load.load_submission(sorted(sub.iterdir()), wh, relative_to=sub)
    return wh


def _xlsx(sub, sheets):
    write_xlsx(sub / "annex_a.xlsx", sheets)


def _referrals(values: list[dict]) -> list[list]:
    """List 3 rows: template defaults, overridden per row by column name."""
    spec = S.LIST_03
    default = {
        "child_id": "C1",
        "gender": "Male",
        "ethnicity": "WBRI",
        "date_of_birth": dt.date(2015, 1, 1),
        "age": 10,
        "date_of_referral": D,
        "referral_source": "6",
        "referral_nfa": "No",
        "referrals_last_12_months": 1,
        "allocated_team": "Team A",
        "allocated_worker": "Worker A",
    }
    return [spec.headers, *([{**default, **v}[c.name] for c in spec.columns] for v in values)]


@pytest.mark.parametrize(
    "column, raws, expected",
    [
        (
            "gender",
            ["a) Male", "Male", "M", "1", "1 - Male", "MALE ", "b) Female", "F", "2"],
            ["Male"] * 6 + ["Female"] * 3,
        ),
        (
            "ethnicity",
            ["s) NOBT", "t) NOBT", "NOBT", "a) WBRI", "WBRI - White British", "White British"],
            ["NOBT"] * 3 + ["WBRI"] * 3,
        ),
        ("referral_nfa", ["a) Yes", "Yes", "Y", "y", "b) No", "N"], ["Yes"] * 4 + ["No"] * 2),
        (
            "referral_source",
            [
                "q) 6: Police",
                "6",
                "Police",
                "a) 1A: Individual: family member, relative or carer",
                "1A",
            ],
            ["6", "6", "6", "1A", "1A"],
        ),
    ],
)
def test_code_spellings_normalise_and_keep_the_raw_value(tmp_path, column, raws, expected):
    wh = _load(tmp_path, _xlsx, {"Referrals": _referrals([{column: r} for r in raws])})
    sql = f"select {column}, {column}_raw from annex_a.list_03_referrals order by source_row"  # noqa: S608
    rows = query(wh, sql)
    assert rows == list(zip(expected, raws, strict=True))
    assert issues(wh, "code_unmapped") == []


def test_need_abuse_and_provider_codes(tmp_path):
    need = S.LIST_06
    cin = [need.headers] + [
        [
            {
                "child_id": f"C{i}",
                "gender": "Male",
                "ethnicity": "WBRI",
                "cin_start_date": D,
                "primary_need_code": v,
            }.get(c.name)
            for c in need.columns
        ]
        for i, v in enumerate(["N1 - Abuse or neglect", "N1", "n1", "Abuse or neglect"])
    ]
    cla = S.LIST_08
    care = [cla.headers] + [
        [
            {
                "child_id": f"C{i}",
                "gender": "Female",
                "ethnicity": "WBRI",
                "date_started_looked_after": D,
                "placement_provider": v,
                "legal_status": "C2 - Full care order",
            }.get(c.name)
            for c in cla.columns
        ]
        for i, v in enumerate(
            ["e) PR4: Private provision", "PR4 - Private provision", "PR4", "Private provision"]
        )
    ]
    wh = _load(tmp_path, _xlsx, {"CIN": cin, "CLA": care})
    assert {
        r[0] for r in query(wh, "select primary_need_code from annex_a.list_06_children_in_need")
    } == {"N1"}
    assert query(
        wh, "select distinct placement_provider, legal_status from annex_a.list_08_children_in_care"
    ) == [("PR4", "C2")]
    assert issues(wh, "code_unmapped") == []


def test_blank_tokens_are_blank_and_required_blanks_are_reported(tmp_path):
    raws = ["#N/A", "N/A", "NULL", "-", " ", "n/a"]
    rows = _referrals(
        [{"referral_source": r, "age": r, "gender": r} for r in raws] + [{"child_id": None}]
    )
    wh = _load(tmp_path, _xlsx, {"Referrals": rows})
    got = query(
        wh, "select referral_source, age, gender from annex_a.list_03_referrals order by source_row"
    )
    assert got[:6] == [(None, None, None)] * 6
    assert issues(wh, "code_unmapped") == [] and issues(wh, "int_unparseable") == []
    blanks = issues(wh, "required_blank")
    gender = [f for f in blanks if f["column_name"] == "Gender"]
    assert [f["source_row"] for f in gender] == [2, 3, 4, 5, 6, 7]
    assert {f["severity"] for f in gender} == {"warning"}
    child = [f for f in blanks if f["column_name"] == "Child Unique ID"]
    assert [(f["source_row"], f["severity"], f["list_name"], f["source_sheet"]) for f in child] == [
        (8, "error", "list_03_referrals", "Referrals")
    ]


def test_clean_over_several_columns_is_clean_of_each():
    """A list's columns are cleaned by one expression: each column comes out as cleaned alone."""
    values = [*BLANK_TOKENS, " x ", "x", "NA", "null ", "\t-\t", "#n/a", None, " N/A "]
    frame = pl.DataFrame(
        {"a": values, "b": list(reversed(values)), "c": [None] * len(values)},
        schema=dict.fromkeys("abc", pl.String),
    )
    together = frame.select(clean(pl.col("a", "b", "c")))
    for name in frame.columns:
        alone = frame.select(clean(pl.col(name))).to_series()
        expected = [
            None if v is None or v.strip() in BLANK_TOKENS else v.strip()
            for v in frame.get_column(name).to_list()
        ]
        assert together.get_column(name).to_list() == alone.to_list() == expected
        assert together.schema[name] == pl.String


DATE_FORMS = [
    (D, D),  # a real date cell
    (dt.datetime(2025, 3, 4, 13, 30), D),  # a datetime cell
    (45720, D),  # an Excel serial number in a general-format cell
    ("45720", D),  # the serial as text
    ("04/03/2025", D),
    ("4/3/2025", D),
    ("04/03/25", D),
    ("2025-03-04", D),
    ("2025-03-04 13:30:00", D),
    ("2025-03-04T00:00:00", D),
    ("04-03-2025", D),
    ("04.03.2025", D),
    ("4 March 2025", D),
    ("04-Mar-2025", D),
    ("20250304", D),
    ("  04/03/2025 ", D),
]


def test_every_date_form_parses_in_xlsx(tmp_path):
    wh = _load(
        tmp_path, _xlsx, {"Referrals": _referrals([{"date_of_referral": v} for v, _ in DATE_FORMS])}
    )
    got = [
        r[0]
        for r in query(
            wh, "select date_of_referral from annex_a.list_03_referrals order by source_row"
        )
    ]
    assert got == [e for _, e in DATE_FORMS]
    assert issues(wh, "date_unparseable") == []


def test_two_digit_years_for_dates_of_birth(tmp_path):
    wh = _load(
        tmp_path,
        _xlsx,
        {"Referrals": _referrals([{"date_of_birth": "05/06/98"}, {"date_of_birth": "05/06/12"}])},
    )
    assert [
        r[0]
        for r in query(
            wh, "select date_of_birth from annex_a.list_03_referrals order by source_row"
        )
    ] == [dt.date(1998, 6, 5), dt.date(2012, 6, 5)]


def test_dates_and_numbers_in_ods_and_csv(tmp_path):
    def both(sub, sheets):
        write_ods(sub / "annex_a.ods", {"Referrals": sheets["Referrals"]})
        write_csv(sub / "referrals.csv", sheets["Referrals"])

    wh = _load(
        tmp_path,
        both,
        {
            "Referrals": _referrals(
                [{"date_of_referral": D, "age": 7}, {"date_of_referral": "2025-03-04"}]
            )
        },
    )
    rows = query(
        wh,
        "select source_file, source_row, date_of_referral, age from annex_a.list_03_referrals "
        "order by source_file, source_row",
    )
    assert rows == [
        ("annex_a.ods", 2, D, 7),
        ("annex_a.ods", 3, D, 10),
        ("referrals.csv", 2, D, 7),
        ("referrals.csv", 3, D, 10),
    ]


def test_unreadable_values_become_findings_at_their_cell(tmp_path):
    rows = _referrals(
        [
            {},
            {"date_of_referral": "31/02/2025", "date_of_birth": "unknown"},
            {"age": "ten", "referrals_last_12_months": "2.5"},
            {"gender": "Lad", "referral_source": "Postman", "date_of_referral": "03/31/2025"},
        ]
    )
    wh = _load(tmp_path, _xlsx, {"Referrals": [["List 3"], *rows]})
    found = {
        (f["rule"], f["source_row"], f["column_name"]): f
        for f in issues(wh)
        if f["rule"] != "list_not_provided"
    }
    assert set(found) == {
        ("date_unparseable", 4, "Date of referral"),
        ("date_unparseable", 4, "Date of Birth"),
        ("int_unparseable", 5, "Age of Child (Years)"),
        ("int_unparseable", 5, "Number of Referrals in Last 12 Months"),
        ("code_unmapped", 6, "Gender"),
        ("code_unmapped", 6, "Referral Source"),
        ("date_unparseable", 6, "Date of referral"),
    }
    assert found[("date_unparseable", 4, "Date of referral")]["severity"] == "error"  # a key date
    assert found[("date_unparseable", 4, "Date of Birth")]["severity"] == "warning"
    for f in found.values():
        assert f["value"] is not None and f["value"] not in f["message"]
        assert (f["list_name"], f["source_file"], f["source_sheet"]) == (
            "list_03_referrals",
            "annex_a.xlsx",
            "Referrals",
        )
    assert found[("code_unmapped", 6, "Referral Source")]["value"] == "Postman"
    # the row is kept, with the unreadable value null and its raw value beside it
    assert query(
        wh,
        "select date_of_referral, date_of_referral_raw from annex_a.list_03_referrals where source_row = 4",
    ) == [(None, "31/02/2025")]
