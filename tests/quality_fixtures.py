"""Annex A tables written straight into a real DuckDB warehouse, the shape the reader leaves them in.

A good submission (every list consistent with every other) plus helpers to plant one defect per row,
so each validation rule can be shown to fire at the exact row and column, and to stay quiet.
All child-level values here are made up.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from flows import las
from flows.annex_a import specs as S
from flows.annex_a.load import META_LISTS_SCHEMA
from flows.context import RunContext

ND = dt.date(2026, 11, 16)
D = dt.date
_TYPES = {"id": pl.String, "text": pl.String, "date": pl.Date, "int": pl.Int64, "code": pl.String}
FILE = "annex_a.xlsx"


def context(tmp_path: Path) -> RunContext:
    work = tmp_path / "work"
    work.mkdir(parents=True, exist_ok=True)
    return RunContext(
        la=las.resolve("E06000050"), notification_date=ND, visit_type="standard", work_dir=work
    )


def _raw(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def frame_for(
    spec: S.ListSpec, rows: list[dict], *, file: str = FILE, sheet: str | None = None
) -> pl.DataFrame:
    """The annex_a table of a list: spec columns typed, each followed by <name>_raw, then source columns.

    A row may give `<name>_raw` to differ from the typed value (as the reader leaves an unmapped code).
    """
    data: dict[str, list] = {}
    schema: dict[str, pl.DataType] = {}
    for c in spec.columns:
        data[c.name] = [r.get(c.name) for r in rows]
        data[f"{c.name}_raw"] = [r.get(f"{c.name}_raw", _raw(r.get(c.name))) for r in rows]
        schema[c.name], schema[f"{c.name}_raw"] = _TYPES[c.type], pl.String
    data["source_file"] = [file] * len(rows)
    data["source_sheet"] = [sheet or spec.title] * len(rows)
    data["source_row"] = [r.get("source_row", i + 2) for i, r in enumerate(rows)]
    schema.update(source_file=pl.String, source_sheet=pl.String, source_row=pl.Int64)
    return pl.DataFrame(data, schema=schema)


def make_warehouse(
    ctx: RunContext, tables: dict[str, list[dict]], *, reader_lists: bool = True
) -> Path:
    """meta.run and an empty quality.issues (as stage_init leaves them), then the given annex_a tables.

    reader_lists writes meta.lists as the reader does (then the reader, not validation, reports
    lists not provided).
    """
    from flows import stages, warehouse

    stages.stage_init(ctx)
    con = warehouse.connect(ctx.warehouse)
    try:
        for table, rows in tables.items():
            warehouse.write_table(con, "annex_a", table, frame_for(S.spec(table), rows))
        if reader_lists:
            lists = pl.DataFrame(
                [
                    {
                        "list_name": s.table,
                        "number": s.number,
                        "title": s.title,
                        "provided": s.table in tables,
                        "rows": len(tables.get(s.table, [])) or None,
                        "files": FILE if s.table in tables else None,
                        "sheets": s.title if s.table in tables else None,
                    }
                    for s in S.SPECS
                ],
                schema=META_LISTS_SCHEMA,
            )
            warehouse.write_table(con, "meta", "lists", lists)
    finally:
        con.close()
    return ctx.warehouse


# --- the children of a good submission -------------------------------------------------------------
A = {
    "child_id": "A1",
    "gender": "Male",
    "ethnicity": "WBRI",
    "date_of_birth": D(2014, 6, 10),
    "age": 12,
}
B = {
    "child_id": "B2",
    "gender": "Female",
    "ethnicity": "WIRI",
    "date_of_birth": D(2010, 2, 3),
    "age": 16,
}
C = {
    "child_id": "C3",
    "gender": "Male",
    "ethnicity": "WOTH",
    "date_of_birth": D(2007, 1, 20),
    "age": 19,
}
E = {
    "child_id": "E5",
    "gender": "Female",
    "ethnicity": "WBRI",
    "date_of_birth": D(2019, 4, 4),
    "age": 7,
}
K = {
    "child_id": "K9",
    "gender": "Male",
    "ethnicity": "WBRI",
    "date_of_birth": D(2022, 8, 1),
    "age": 4,
}


def good_submission() -> dict[str, list[dict]]:
    return {
        "list_01_contacts": [
            {**A, "date_of_contact": D(2026, 6, 1), "contact_source": "1A"},
            # an unborn child: a date of birth after the contact, and after notification, is fine here
            {
                "child_id": "U1",
                "gender": "Not stated/recorded",
                "ethnicity": "NOBT",
                "date_of_birth": D(2027, 1, 5),
                "date_of_contact": D(2026, 10, 1),
            },
        ],
        "list_02_early_help": [
            {
                **E,
                "assessment_start_date": D(2026, 7, 1),
                "assessment_completion_date": D(2026, 8, 1),
            }
        ],
        "list_03_referrals": [
            {
                **A,
                "date_of_referral": D(2026, 6, 2),
                "referral_source": "1A",
                "referral_nfa": "No",
                "referrals_last_12_months": 1,
            },
            # 11 on the referral date, 12 on the notification date: either stated age agrees
            {
                **A,
                "age": 11,
                "date_of_referral": D(2026, 6, 3),
                "referral_source": "1A",
                "referrals_last_12_months": 0,
            },
        ],
        "list_04_assessments": [
            {
                **A,
                "disability": "No",
                "assessment_start_date": D(2026, 6, 3),
                "assessment_authorised_date": D(2026, 7, 1),
                "child_seen": "Yes",
                "requires_support": "Yes",
            }
        ],
        "list_05_section_47": [
            {
                **A,
                "strategy_discussion_date": D(2026, 6, 10),
                "icpc_unnecessary": "No",
                "icpc_date": D(2026, 7, 1),
                "icpc_resulted_in_plan": "Yes",
                "s47_last_12_months": 1,
                "icpcs_last_12_months": 1,
            }
        ],
        "list_06_children_in_need": [
            {
                **A,
                "cin_start_date": D(2026, 6, 3),
                "primary_need_code": "N1",
                "case_status": "Child Protection plan",
            }
        ],
        "list_07_child_protection": [
            {
                **A,
                "cp_plan_start_date": D(2026, 7, 1),
                "initial_category_of_abuse": "Neglect",
                "previous_cp_plans": 0,
            }
        ],
        "list_08_children_in_care": [
            {
                **B,
                "uasc": "No",
                "date_started_looked_after": D(2024, 1, 5),
                "legal_status": "C2",
                "placements_last_12_months": 1,
                "missing_episodes": 0,
            }
        ],
        "list_09_care_leavers": [
            {
                **C,
                "eligibility_category": "Former relevant child",
                "in_touch": "Yes",
                "activity_status": "F1",
                "accommodation_type": "U",
            }
        ],
        "list_10_adoptions": [
            {
                **K,
                "date_entered_care": D(2024, 3, 1),
                "date_should_be_placed": D(2026, 1, 10),
                "date_placement_order": D(2026, 3, 1),
                "date_matched": D(2026, 5, 1),
                "date_placed_for_adoption": D(2026, 6, 1),
            }
        ],
        "list_11_adopters": [
            {
                "adopter_id": "AD1",
                "gender": "Female",
                "date_enquiry": D(2026, 1, 5),
                "date_stage1_started": D(2026, 2, 1),
                "date_stage1_ended": D(2026, 4, 1),
                "children_placed": 0,
            }
        ],
        "audits": [
            {"child_id": "A1", "audit_theme": "Neglect", "date_audit_completed": D(2026, 9, 1)}
        ],
        "unregistered_provision": [
            {
                "child_id": "B2",
                "date_of_birth": B["date_of_birth"],
                "provision_start_date": D(2026, 6, 1),
                "provision_type": "Unregistered children's home",
            }
        ],
        "deprivation_of_liberty": [
            {
                "child_id": "B2",
                "date_of_birth": B["date_of_birth"],
                "order_date": D(2026, 6, 1),
                "accommodation_type": "Unregistered children's home",
            }
        ],
        "caseloads": [{"worker": "SW1", "open_cases": 18}],
    }
