"""Small hand-made warehouses for the pack tests, with answers worked out by hand in the comments.

Tables are built from the list specs (annex_a.* typed columns, `<name>_raw`, source columns) so the
fixture follows the reader's contract; the statistics tables follow contracts.md. Child IDs are made
up ("C1"...), never real.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb

from flows import findings, las, warehouse
from flows.annex_a import specs
from flows.annex_a.staging import SQL_TYPES
from flows.context import RunContext, add_months
from flows.pack.sources import META_LISTS_COLUMNS

D = dt.date
NOTIFICATION = D(2026, 11, 23)  # a Monday; the six months start on 23 May 2026
GENERATED = dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.UTC)
LA_CODE = "E10000016"  # Kent: any real code works, the fixture supplies its own context rows

LISTS: dict[str, list[dict]] = {
    "list_01_contacts": [
        {"child_id": "C1", "date_of_contact": D(2026, 11, 16)},
        {"child_id": "C2", "date_of_contact": D(2026, 11, 17)},
        {"child_id": "C4", "date_of_contact": D(2026, 6, 1)},
        {"child_id": "C5", "date_of_contact": D(2026, 4, 1)},  # before the period: not counted
    ],
    "list_03_referrals": [
        {"child_id": "C1", "date_of_referral": D(2026, 11, 18)},
        {"child_id": "C4", "date_of_referral": D(2026, 6, 2)},
    ],
    "list_04_assessments": [
        # open; (3 Aug, 23 Nov] = 16 weeks = 80 weekdays, less 31 Aug bank holiday = 79 working days
        {"child_id": "C1", "assessment_start_date": D(2026, 8, 3), "allocated_team": "Team A"},
        # open; 20 working days: not late
        {"child_id": "C2", "assessment_start_date": D(2026, 10, 26), "allocated_team": "Team A"},
        # authorised; (1 Jun, 10 Aug] = 10 weeks = 50 working days: late
        {
            "child_id": "C3",
            "assessment_start_date": D(2026, 6, 1),
            "assessment_authorised_date": D(2026, 8, 10),
            "allocated_team": "Team B",
            "disability": "Yes",
        },
    ],
    "list_05_section_47": [{"child_id": "C1", "strategy_discussion_date": D(2026, 11, 19)}],
    "list_06_children_in_need": [
        {
            "child_id": "C1",
            "date_of_birth": D(2016, 1, 10),
            "gender": "Male",
            "ethnicity": "WBRI",
            "disability": "No",
            "cin_start_date": D(2026, 8, 1),
        },
        {
            "child_id": "C2",
            "date_of_birth": D(2014, 1, 10),
            "gender": "Female",
            "ethnicity": "BAFR",
            "cin_start_date": D(2026, 6, 1),
            "cin_closure_date": D(2026, 9, 1),
        },  # closed: not in the open cohort
        {
            "child_id": "C4",
            "date_of_birth": D(2026, 3, 1),
            "gender": "Female",
            "ethnicity": "MWBC",
            "disability": "Yes",
            "cin_start_date": D(2026, 5, 1),
        },
    ],
    "list_07_child_protection": [
        # open since 1 Jun 2024 (over two years), visited 3 days ago
        {
            "child_id": "C4",
            "date_of_birth": D(2026, 3, 1),
            "gender": "Female",
            "cp_plan_start_date": D(2024, 6, 1),
            "date_last_visit": D(2026, 11, 20),
            "previous_cp_plans": 0,
            "latest_category_of_abuse": "Neglect",
        },
        # open, last visit 1 Sep (more than 42 days ago), third plan
        {
            "child_id": "C5",
            "date_of_birth": D(2013, 2, 2),
            "gender": "Male",
            "ethnicity": "APKN",
            "cp_plan_start_date": D(2026, 1, 10),
            "date_last_visit": D(2026, 9, 1),
            "previous_cp_plans": 2,
        },
        # open, never visited, second plan
        {"child_id": "C6", "cp_plan_start_date": D(2025, 12, 1), "previous_cp_plans": 1},
        # ended in July: only in the repeat-plans list
        {
            "child_id": "C7",
            "cp_plan_start_date": D(2025, 1, 1),
            "cp_plan_end_date": D(2026, 7, 1),
            "previous_cp_plans": 1,
        },
    ],
    "list_08_children_in_care": [
        {
            "child_id": "C8",
            "date_of_birth": D(2012, 5, 5),
            "gender": "Male",
            "ethnicity": "WBRI",
            "disability": "No",
            "date_started_looked_after": D(2020, 1, 1),
            "placements_last_12_months": 4,
            "placement_type": "U3",
            "placement_location": "Out",
            "legal_status": "C2",
            "placement_provider": "PR1",
            "missing_episodes": 2,
            "return_interview_offered": "No",
            "date_last_health_assessment": D(2025, 6, 1),
            "allocated_team": "Team C",
        },
        {
            "child_id": "C9",
            "date_of_birth": D(2023, 1, 1),
            "gender": "Female",
            "ethnicity": "WIRI",
            "date_started_looked_after": D(2024, 1, 1),
            "placements_last_12_months": 1,
            "placement_type": "P1",
            "missing_episodes": 0,
            "date_last_health_assessment": D(2026, 4, 1),
        },  # under 5: 6-monthly, overdue
        {
            "child_id": "C10",
            "date_of_birth": D(2010, 1, 1),
            "gender": "Male",
            "ethnicity": "BCRB",
            "date_started_looked_after": D(2026, 11, 10),
            "placements_last_12_months": 3,
            "missing_episodes": 1,
            "return_interview_offered": "Yes",
        },  # in care 13 days: health not yet due
        {
            "child_id": "C11",
            "date_of_birth": D(2009, 1, 1),
            "date_started_looked_after": D(2019, 1, 1),
            "date_ceased_looked_after": D(2026, 8, 1),
            "placements_last_12_months": 5,
            "missing_episodes": 3,
        },
    ],
    "list_09_care_leavers": [
        {"child_id": "CL1", "date_of_birth": D(2007, 1, 1), "in_touch": "Yes"},
        {
            "child_id": "CL2",
            "date_of_birth": D(2006, 1, 1),
            "in_touch": "No",
            "date_latest_contact": D(2026, 1, 1),
        },
        {"child_id": "CL3", "date_of_birth": D(2004, 1, 1)},
        {
            "child_id": "CL4",
            "date_of_birth": D(2008, 1, 1),
            "in_touch": "Refu",
            "date_latest_contact": D(2025, 6, 1),
        },
    ],
    "list_10_adoptions": [
        {
            "child_id": "C12",
            "family_id": "F1",
            "date_of_birth": D(2022, 1, 1),
            "date_entered_care": D(2024, 1, 1),
            "date_should_be_placed": D(2025, 6, 1),
        },
        # decided later: not yet due to be placed
        {
            "child_id": "C13",
            "family_id": "F1",
            "date_entered_care": D(2024, 1, 1),
            "date_should_be_placed": D(2026, 12, 1),
        },
        {
            "child_id": "C14",
            "family_id": "F1",
            "date_entered_care": D(2024, 1, 1),
            "date_should_be_placed": D(2026, 12, 1),
        },
    ],
    "audits": [
        {"child_id": "C1", "audit_theme": "Neglect", "date_audit_completed": D(2026, 10, 5)},
        {"child_id": "C8", "audit_theme": "Missing", "date_audit_completed": D(2026, 9, 15)},
        {"child_id": "C12", "audit_theme": "Permanence", "date_audit_completed": D(2026, 7, 20)},
        {"child_id": "C5", "audit_theme": "Neglect", "date_audit_completed": D(2026, 11, 2)},
        {
            "child_id": "CX",
            "audit_theme": "Neglect",
            "date_audit_completed": D(2026, 6, 10),
        },  # on no list
        {"child_id": "C1", "audit_theme": "Missing", "date_audit_completed": D(2026, 11, 10)},
        {
            "child_id": "C2",
            "audit_theme": "Neglect",
            "date_audit_completed": D(2026, 1, 1),
        },  # before the period
    ],
    "missing_exploitation": [
        {"child_id": "C5", "current_status": "Child protection", "risk_sexual_exploitation": "Yes"}
    ],
    "unregistered_provision": [
        {
            "child_id": "C8",
            "date_of_birth": D(2012, 5, 5),
            "provision_start_date": D(2026, 6, 1),
            "provision_end_date": D(2026, 7, 1),
            "provision_type": "Unregistered children's home",
        },  # 30 days, age 14
        {
            "child_id": "C8",
            "date_of_birth": D(2012, 5, 5),
            "provision_start_date": D(2026, 10, 1),
            "provision_type": "Unregistered supported accommodation",
            "provision_details": "Flat above a shop, Provider Z",
        },  # ongoing, 53 days, age 14: under 16 in supported accommodation; list 8 says U3 (foster)
        {
            "child_id": "C15",
            "date_of_birth": D(2011, 3, 1),
            "provision_start_date": D(2026, 9, 1),
            "provision_type": "Unregistered children's home",
        },  # ongoing, 83 days, age 15, not on list 8
        {
            "child_id": "C16",
            "provision_start_date": D(2025, 1, 1),
            "provision_end_date": D(2025, 3, 1),
            "provision_type": "Other unregistered provision",
        },  # ended before the period: not shown
    ],
    "deprivation_of_liberty": [
        {"child_id": "C15", "accommodation_type": "Unregistered children's home"},
        {"child_id": "C8", "accommodation_type": "Secure children's home"},
    ],
    "caseloads": [
        {"worker": "Worker One", "job_title": "Social worker", "team": "Team A", "open_cases": 25},
        {
            "worker": "Worker Two",
            "job_title": "Senior social worker",
            "team": "Team B",
            "open_cases": 18,
        },
        {"worker": "Unallocated", "team": "Team A", "open_cases": 7},
        {"worker": "Unallocated", "team": "Team B", "open_cases": 3},
        {
            "worker": "Worker Three",
            "job_title": "Social worker",
            "team": "Team A",
            "open_cases": 25,
        },
    ],
}

ISSUES = [
    ("list_04_assessments", "error"),
    ("list_04_assessments", "error"),
    ("list_08_children_in_care", "warning"),
    (None, "info"),
]

INDICATORS = {
    "indicator_dictionary": [
        {
            "indicator_id": "rereferrals",
            "title": "Re-referrals within 12 months",
            "topic": "Help and protection",
            "unit": "%",
            "polarity": "low",
            "decimals": 1,
            "source": "DfE CIN",
            "definition": "Test indicator",
        },
        {
            "indicator_id": "turnover",
            "title": "Social worker turnover",
            "topic": "Workforce",
            "unit": "%",
            "polarity": "low",
            "decimals": 1,
            "source": "DfE CSWW",
            "definition": "Test indicator",
        },
    ],
    "la_context": [
        {
            "la_code": LA_CODE,
            "old_la_code": "886",
            "la_name": "Kent",
            "region_code": "E12000008",
            "region_name": "South East",
            "la_type": "Shire county",
            "population_0_17": 340000,
            "population_year": "2024",
        }
    ],
    "stat_neighbours": [
        {
            "la_code": LA_CODE,
            "neighbour_code": "E10000030",
            "neighbour_name": "Surrey",
            "neighbour_rank": 2,
        },
        {
            "la_code": LA_CODE,
            "neighbour_code": "E10000015",
            "neighbour_name": "Hertfordshire",
            "neighbour_rank": 1,
        },
    ],
    "ilacs_judgements": [
        {
            "la_code": LA_CODE,
            "inspection_date": D(2022, 7, 1),
            "overall": "Good",
            "help_and_protection": "Good",
            "children_in_care": "Requires improvement to be good",
            "care_leavers": "Good",
            "leadership": "Good",
            "source": "test",
        }
    ],
    "ilacs_history": [
        {
            "la_code": LA_CODE,
            "inspection_date": D(2022, 7, 1),
            "inspection_type": "Standard inspection",
            "overall": "Good",
        },
        {
            "la_code": LA_CODE,
            "inspection_date": D(2024, 3, 1),
            "inspection_type": "Focused visit",
            "overall": None,
        },
    ],
    "history_breaks": [],
    "annex_a_recent": [
        {
            "indicator_id": "rereferrals",
            "value": 30.0,
            "numerator": 3,
            "denominator": 10,
            "period_start": D(2026, 5, 23),
            "period_end": D(2026, 11, 23),
            "note": "six months",
        }
    ],
}
COMPARISONS = [
    # la_code, indicator_id, period, la, sn, sn_count, region, england, rank, rank_of, band, previous
    (LA_CODE, "rereferrals", "2023", 20.0, 21.0, 10, 22.0, 22.4, 50, 153, "B", None),
    (LA_CODE, "rereferrals", "2024", 24.0, 21.5, 10, 22.0, 22.0, 90, 153, "C", 20.0),
    (
        LA_CODE,
        "rereferrals",
        "2025",
        25.0,
        21.0,
        10,
        21.8,
        22.1,
        100,
        153,
        "C",
        24.0,
    ),  # higher than England: less favourable
    (
        LA_CODE,
        "turnover",
        "2025",
        12.0,
        15.0,
        10,
        14.0,
        15.9,
        20,
        153,
        "A",
        13.0,
    ),  # lower: more favourable
]


def _create(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    columns: list[tuple[str, str]],
    rows: list[dict],
) -> None:
    con.execute(f'create schema if not exists "{schema}"')
    con.execute(
        f'create or replace table "{schema}"."{table}" ({", ".join(f"{c} {t}" for c, t in columns)})'
    )
    for r in rows:
        sql = f'insert into "{schema}"."{table}" values ({", ".join("?" for _ in columns)})'  # noqa: S608
        con.execute(sql, [r.get(c) for c, _ in columns])


def annex_a_columns(spec: specs.ListSpec) -> list[tuple[str, str]]:
    cols: list[tuple[str, str]] = []
    for c in spec.columns:
        cols += [(c.name, SQL_TYPES[c.type]), (f"{c.name}_raw", "varchar")]
    return cols + [
        ("source_file", "varchar"),
        ("source_sheet", "varchar"),
        ("source_row", "bigint"),
    ]


def build_warehouse(
    path: Path,
    *,
    lists: dict[str, list[dict]] | None = None,
    statistics: bool = True,
    visit_type: str = "standard",
    indicators: dict[str, list[dict]] | None = None,
    comparisons: list[tuple] | None = None,
) -> None:
    """A run warehouse as the earlier stages leave it; `lists` defaults to LISTS (absent lists: no table)."""
    lists = LISTS if lists is None else lists
    con = warehouse.connect(path)
    try:
        warehouse.set_run_context(
            con,
            la_code=LA_CODE,
            notification_date=NOTIFICATION,
            visit_type=visit_type,
            period_start=add_months(NOTIFICATION, -6),
            period_start_12m=add_months(NOTIFICATION, -12),
        )
        con.execute(findings.DDL)
        for table, rows in lists.items():
            spec = specs.spec(table)
            full = [
                {**r, "source_file": f"{table}.xlsx", "source_sheet": "Sheet1", "source_row": i + 2}
                for i, r in enumerate(rows)
            ]
            _create(con, "annex_a", table, annex_a_columns(spec), full)
        _create(
            con,
            "meta",
            "lists",
            list(META_LISTS_COLUMNS),
            [
                {
                    "list_name": s.table,
                    "number": s.number,
                    "title": s.title,
                    "provided": s.table in lists,
                    "rows": len(lists.get(s.table, [])),
                    "files": f"{s.table}.xlsx" if s.table in lists else None,
                    "sheets": "Sheet1" if s.table in lists else None,
                }
                for s in specs.SPECS
            ],
        )
        for list_name, severity in ISSUES:
            con.execute(
                "insert into quality.issues (list_name, rule, severity, message) values (?, 'date_unparseable', ?, 'test')",
                [list_name, severity],
            )
        if statistics:
            from flows.pack.sources import NATIONAL_COMPARISONS, OTHER_TABLES

            for name, rows in (INDICATORS if indicators is None else indicators).items():
                schema, table, cols = OTHER_TABLES[name]
                _create(con, schema, table, list(cols), rows)
            # the statistics stage leaves indicators.comparisons; sql/pack/100_national_comparisons.sql
            # (statistics engineer's) turns it into pack.national_comparisons
            _, _, cols = NATIONAL_COMPARISONS
            _create(
                con,
                "indicators",
                "comparisons",
                list(cols),
                [
                    dict(zip([c for c, _ in cols], r, strict=True))
                    for r in (COMPARISONS if comparisons is None else comparisons)
                ],
            )
    finally:
        con.close()


def context(
    work_dir: Path, *, visit_type: str = "standard", notes: Path | None = None
) -> RunContext:
    return RunContext(
        la=las.resolve(LA_CODE),
        notification_date=NOTIFICATION,
        visit_type=visit_type,
        work_dir=work_dir,
        notes_path=notes,
        generated_at=GENERATED,
    )


def write_manifest(work_dir: Path) -> None:
    (work_dir / "manifest.json").write_text(
        json.dumps(
            {
                "submission_id": "0123456789abcdef",
                "files": [
                    {"file": "lists.xlsx", "bytes": 12345, "sha256": "ab" * 32},
                    {"file": "audits.csv", "bytes": 678, "sha256": "cd" * 32},
                ],
            }
        ),
        encoding="utf-8",
    )


def make_run(work_dir: Path, **kw) -> RunContext:
    """A complete run folder: warehouse, manifest; returns its RunContext."""
    work_dir.mkdir(parents=True, exist_ok=True)
    visit = kw.pop("visit_type", "standard")
    notes = kw.pop("notes", None)
    build_warehouse(work_dir / "warehouse.duckdb", visit_type=visit, **kw)
    write_manifest(work_dir)
    return context(work_dir, visit_type=visit, notes=notes)
