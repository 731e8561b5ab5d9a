"""Independent checks of synthetic lists against the issue-3 rules (used by tests/test_synth*.py).

Written against the canonical frames from flows.synth.build, not the generator's internals, so a
generator change that breaks a rule fails here. Returns rule names with a count, never values.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from flows.annex_a.specs import BY_TABLE, SPECS
from flows.context import add_months

ORDER = {  # (list, earlier, later)
    "list_02_early_help": [("assessment_start_date", "assessment_completion_date")],
    "list_04_assessments": [("assessment_start_date", "assessment_authorised_date")],
    "list_05_section_47": [("strategy_discussion_date", "icpc_date")],
    "list_07_child_protection": [
        ("cp_plan_start_date", "cp_plan_end_date"),
        ("cp_plan_start_date", "date_latest_review"),
        ("cp_plan_start_date", "date_last_visit"),
    ],
    "list_08_children_in_care": [
        ("date_started_looked_after", "date_ceased_looked_after"),
        ("date_started_looked_after", "legal_status_start_date"),
        ("date_started_looked_after", "placement_start_date"),
    ],
    "list_10_adoptions": [
        ("date_entered_care", "date_should_be_placed"),
        ("date_should_be_placed", "date_placement_order"),
        ("date_placement_order", "date_matched"),
        ("date_matched", "date_placed_for_adoption"),
        ("date_placed_for_adoption", "date_adoption_order"),
        ("date_should_be_placed", "date_no_longer_placed"),
    ],
    "list_11_adopters": [
        ("date_enquiry", "date_stage1_started"),
        ("date_stage1_started", "date_stage1_ended"),
        ("date_stage1_ended", "date_stage2_started"),
        ("date_stage2_started", "date_stage2_ended"),
        ("date_stage2_ended", "date_application_submitted"),
        ("date_application_submitted", "date_application_approved"),
        ("date_application_approved", "date_matched"),
        ("date_matched", "date_placed"),
        ("date_placed", "date_adoption_order"),
    ],
    "unregistered_provision": [("provision_start_date", "provision_end_date")],
    "adoption_support": [("date_requested", "date_assessment_completed")],
    "list_06_children_in_need": [("cin_start_date", "cin_closure_date")],
}


BORN_BY = {  # a child is born by this event (unborn children are fine on the front-door lists)
    "list_08_children_in_care": "date_started_looked_after",
    "list_10_adoptions": "date_entered_care",
    "private_fostering": "date_arrangement_started",
    "secure_orders": "order_start_date",
    "unregistered_provision": "provision_start_date",
    "deprivation_of_liberty": "order_date",
    "list_07_child_protection": "cp_plan_start_date",
}


def age_at(dob: pl.Expr, on: dt.date) -> pl.Expr:
    before = (dob.dt.month() > on.month) | ((dob.dt.month() == on.month) & (dob.dt.day() > on.day))
    return on.year - dob.dt.year() - before.cast(pl.Int32)


def violations(frames: dict[str, pl.DataFrame], nd: dt.date) -> dict[str, int]:
    """Rule -> number of offending rows (empty when the submission is clean)."""
    out: dict[str, int] = {}

    def add(rule: str, n: int) -> None:
        if n:
            out[rule] = out.get(rule, 0) + n

    ps, ps12 = add_months(nd, -6), add_months(nd, -12)
    for spec in SPECS:
        f = frames[spec.table]
        for c in spec.columns:
            s = f[c.name]
            if c.required:
                add(f"required_blank:{spec.table}.{c.name}", s.null_count())
            if c.type == "code":
                add(
                    f"code_unmapped:{spec.table}.{c.name}",
                    int((~s.is_in(c.codes.values) & s.is_not_null()).sum()),
                )
            if c.type == "date":
                add(f"date_in_future:{spec.table}.{c.name}", int((s > nd).sum()))
            if c.type == "int":
                add(f"count_negative:{spec.table}.{c.name}", int((s < 0).sum()))
        if spec.period_column:
            s = f[spec.period_column]
            lo = ps12 if spec.period == "twelve_months" else ps
            add(f"date_out_of_period:{spec.table}", int(((s < lo) | (s > nd)).sum()))
        for a, b in ORDER.get(spec.table, []):
            add(f"date_order:{spec.table}.{b}", int((f[b] < f[a]).sum()))
        if "date_of_birth" in f.columns and "age" in f.columns:
            chk = f.select(age_at(pl.col("date_of_birth"), nd).alias("a"), pl.col("age"))
            add(f"age_mismatch:{spec.table}", int((chk["a"] != chk["age"]).sum()))
        if "age" in f.columns:
            lo, hi = (
                (16, 25) if spec.table in ("list_09_care_leavers", "care_leavers_hmo") else (0, 17)
            )
            add(f"age_out_of_range:{spec.table}", int(((f["age"] < lo) | (f["age"] > hi)).sum()))
        if spec.table in BORN_BY:
            born = f["date_of_birth"] > f[BORN_BY[spec.table]]
            add(f"born_after_event:{spec.table}", int(born.sum()))
        if spec.one_row_per_child:
            add(f"duplicate_child:{spec.table}", f.height - f["child_id"].n_unique())
    # across lists: same DOB / gender / ethnicity wherever a child appears
    people = pl.concat(
        [
            frames[s.table]
            .select(
                "child_id",
                *[
                    pl.col(c).cast(pl.String)
                    for c in ("date_of_birth", "gender", "ethnicity")
                    if c in frames[s.table].columns
                ],
            )
            .with_columns(
                [
                    pl.lit(None, pl.String).alias(c)
                    for c in ("date_of_birth", "gender", "ethnicity")
                    if c not in frames[s.table].columns
                ]
            )
            .select("child_id", "date_of_birth", "gender", "ethnicity")
            for s in SPECS
            if "child_id" in s.by_name and s.table != "list_11_adopters"
        ]
    )
    for c in ("date_of_birth", "gender", "ethnicity"):
        add(
            f"cross_list_mismatch:{c}",
            int((people.drop_nulls(c).group_by("child_id").agg(pl.col(c).n_unique())[c] > 1).sum()),
        )
    l6, l7, l8 = (
        frames[t]
        for t in (
            "list_06_children_in_need",
            "list_07_child_protection",
            "list_08_children_in_care",
        )
    )
    cp_open = l7.filter(pl.col("cp_plan_end_date").is_null())["child_id"]
    cp_in_6 = l6.filter(pl.col("case_status") == "Child Protection plan")["child_id"]
    add("cp_not_in_cin", int((~cp_open.is_in(cp_in_6.implode())).sum()))
    for t in ("unregistered_provision", "deprivation_of_liberty"):
        add(
            f"not_in_children_in_care:{t}",
            int((~frames[t]["child_id"].is_in(l8["child_id"].implode())).sum()),
        )
    plan_yes = frames["list_05_section_47"].filter(pl.col("icpc_resulted_in_plan") == "Yes")[
        "child_id"
    ]
    add("icpc_plan_missing", int((~plan_yes.is_in(l7["child_id"].implode())).sum()))
    on_lists = pl.concat(
        [
            frames[s.table]["child_id"]
            for s in SPECS
            if s.number.isdigit() and "child_id" in s.by_name
        ]
    )
    add("audit_child_unknown", int((~frames["audits"]["child_id"].is_in(on_lists.implode())).sum()))
    return out


def list_names() -> list[str]:
    return list(BY_TABLE)
