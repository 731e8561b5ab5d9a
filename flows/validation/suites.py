"""The Great Expectations suites, generated from the list specs: one per list, one per kind of
cross-list check. `python -m flows.validation.suites --write-suites` writes them to expectations/ as
reviewed JSON; tests/validation/test_quality_suites.py fails when the committed files are not current.
"""

from __future__ import annotations

import json
from pathlib import Path

from flows.findings import RULES
from flows.validation import rules as catalogue

# --- suites generated from the list specs ----------------------------------------------------------
SUITE_PREFIX = "annex_a_"


CROSS_PREFIX = "cross_list_"


# End dates that must not be before their start dates: (later, earlier). Sequences are checked pair
# by adjacent pair, so each finding points at one cell.
ORDER_CHECKS: dict[str, tuple[tuple[str, str], ...]] = {
    "list_02_early_help": (("assessment_completion_date", "assessment_start_date"),),
    "list_04_assessments": (("assessment_authorised_date", "assessment_start_date"),),
    "list_05_section_47": (("icpc_date", "strategy_discussion_date"),),
    "list_06_children_in_need": (("cin_closure_date", "cin_start_date"),),
    "list_08_children_in_care": (
        ("date_ceased_looked_after", "date_started_looked_after"),
        # the current legal status and the latest placement belong to the current period of care
        ("legal_status_start_date", "date_started_looked_after"),
        ("placement_start_date", "date_started_looked_after"),
    ),
    "list_10_adoptions": (
        ("date_should_be_placed", "date_entered_care"),
        ("date_placement_order", "date_should_be_placed"),
        ("date_matched", "date_should_be_placed"),
        ("date_placed_for_adoption", "date_matched"),
        ("date_no_longer_placed", "date_entered_care"),  # 903 118
    ),
    "list_11_adopters": (
        ("date_stage1_started", "date_enquiry"),
        ("date_stage1_ended", "date_stage1_started"),
        ("date_stage2_started", "date_stage1_ended"),
        ("date_stage2_ended", "date_stage2_started"),
        ("date_application_approved", "date_application_submitted"),
        ("date_matched", "date_application_approved"),
        ("date_placed", "date_matched"),
    ),
    "unregistered_provision": (("provision_end_date", "provision_start_date"),),
    "adoption_support": (("date_assessment_completed", "date_requested"),),
}


# Age from date of birth: (date the age is taken at — None for the notification date, min, max).
# A minimum of -1 lets an unborn child (date of birth up to a year after the event) through.
AGE_CHECKS: dict[str, tuple[str | None, int, int]] = {
    "list_01_contacts": ("date_of_contact", -1, 17),
    "list_02_early_help": ("assessment_start_date", -1, 17),
    "list_03_referrals": ("date_of_referral", -1, 17),
    "list_04_assessments": ("assessment_start_date", -1, 17),
    "list_05_section_47": ("strategy_discussion_date", -1, 17),
    "list_06_children_in_need": ("cin_start_date", -1, 17),
    "list_07_child_protection": ("cp_plan_start_date", -1, 17),
    "list_08_children_in_care": ("date_started_looked_after", 0, 17),
    "list_09_care_leavers": (None, 16, 25),
    "list_10_adoptions": ("date_entered_care", 0, 17),
    "private_fostering": ("date_arrangement_started", 0, 17),
    "missing_education": (None, 3, 18),
    "homeless_16_17": ("date_presented", 15, 17),
    "young_carers": (None, 0, 17),
    "supervision_orders": ("order_start_date", -1, 17),
    "secure_orders": ("order_start_date", 0, 17),
    "care_leavers_hmo": (None, 16, 25),
    "unregistered_provision": ("provision_start_date", 0, 17),
    "deprivation_of_liberty": ("order_date", 0, 17),
}


# Pairs where the later date must be strictly later, each with its catalogue rule: a CP plan cannot
# end the day it starts (CIN 8840), an adoption order follows the placement; most other end dates
# may fall on their start date.
STRICT_ORDER_CHECKS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "list_07_child_protection": (("cp_plan_end_date", "cp_plan_start_date", "cp_plan_end_order"),),
    # an adoption order is made after the child has lived with the adopters (at least ten weeks)
    "list_10_adoptions": (
        ("date_adoption_order", "date_placed_for_adoption", "adoption_order_before_placement"),
    ),
    "list_11_adopters": (
        ("date_adoption_order", "date_placed", "adoption_order_before_placement"),
    ),
}

# Text columns with a format, each with its catalogue rule: a UK postcode, whole (ME14 1XX) or its
# outward half (ME14), any case, with or without the space (903 392c).
FORMAT_CHECKS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "list_08_children_in_care": (
        (
            "placement_postcode",
            r"^\s*[A-Za-z]{1,2}[0-9][A-Za-z0-9]?(\s*[0-9][A-Za-z]{2})?\s*$",
            "postcode_format",
        ),
    ),
}


AGE_AT = "_age_at_reference"  # derived columns the suites refer to


AGE_AGREES = "_stated_age_agrees"


PERIOD_PARAMETER = {
    "six_months": "period_start",
    "twelve_months": "period_start_12m",
    "point_of_inspection": "period_start",
}


def _exp(
    type_: str,
    kwargs: dict,
    *,
    rule: str,
    column: str,
    message: str,
    severity: str | None = None,
) -> dict:
    meta = {
        "rule": rule,
        "severity": severity or RULES[rule][0],
        "column": column,
        "message": message,
    }
    return {"type": type_, "kwargs": kwargs, "meta": meta}


def suite_for(spec) -> dict:
    """The suite of one list, derived from its spec: every rule here is a column property."""
    exps: list[dict] = []
    unborn_ok = AGE_CHECKS.get(spec.table, (None, 0, 0))[1] < 0
    for c in spec.columns:
        if c.required:
            severity = "error" if c.type == "id" or c.key_date else "warning"
            exps.append(
                _exp(
                    "expect_column_values_to_not_be_null",
                    {"column": c.name},
                    rule="required_blank",
                    column=c.name,
                    severity=severity,
                    message=f"{c.header} is blank; it must be given.",
                )
            )
        if c.type == "code" and c.codes is not None:
            exps.append(
                _exp(
                    "expect_column_values_to_be_in_set",
                    {"column": c.name, "value_set": c.codes.values},
                    rule="code_unmapped",
                    column=c.name,
                    message=f"{c.header}: the value is not one of the template's codes for this column.",
                )
            )
        if c.type == "int" and c.name != "age":
            exps.append(
                _exp(
                    "expect_column_values_to_be_between",
                    {"column": c.name, "min_value": 0},
                    rule="count_negative",
                    column=c.name,
                    message=f"{c.header} is below zero; a count cannot be negative.",
                )
            )
        if c.type == "date" and not (c.name == "date_of_birth" and unborn_ok):
            exps.append(
                _exp(
                    "expect_column_values_to_be_between",
                    {"column": c.name, "max_value": {"$PARAMETER": "notification_date"}},
                    rule="date_in_future",
                    column=c.name,
                    message=f"{c.header} is after the notification date; check the date or the extract.",
                )
            )
    if spec.period_column and spec.period in PERIOD_PARAMETER:
        c = spec.column(spec.period_column)
        months = "12 months" if spec.period == "twelve_months" else "six months"
        what = "ends" if spec.period == "point_of_inspection" else "is"
        exps.append(
            _exp(
                "expect_column_values_to_be_between",
                {"column": c.name, "min_value": {"$PARAMETER": PERIOD_PARAMETER[spec.period]}},
                rule="date_out_of_period",
                column=c.name,
                message=f"{c.header} {what} before the {months} this list must cover; "
                "remove the row or check the date.",
            )
        )
    orders = [(a, b, True, "date_order") for a, b in ORDER_CHECKS.get(spec.table, ())]
    orders += [(a, b, False, rule) for a, b, rule in STRICT_ORDER_CHECKS.get(spec.table, ())]
    for later, earlier, or_equal, rule in orders:
        a, b = spec.column(later), spec.column(earlier)
        exps.append(
            _exp(
                "expect_column_pair_values_a_to_be_greater_than_b",
                {
                    "column_A": a.name,
                    "column_B": b.name,
                    "or_equal": or_equal,
                    "ignore_row_if": "either_value_is_missing",
                },
                rule=rule,
                column=a.name,
                severity=None if rule in RULES else catalogue.severity(rule),
                message=f"{a.header} is before {b.header}."
                if rule in RULES
                else catalogue.BY_ID[rule].message,
            )
        )
    for name, regex, rule in FORMAT_CHECKS.get(spec.table, ()):
        exps.append(
            _exp(
                "expect_column_values_to_match_regex",
                {"column": name, "regex": regex},
                rule=rule,
                column=name,
                severity=catalogue.severity(rule),
                message=catalogue.BY_ID[rule].message,
            )
        )
    if spec.table in AGE_CHECKS and "date_of_birth" in spec.by_name:
        at, lo, hi = AGE_CHECKS[spec.table]
        when = spec.column(at).header if at else "the notification date"
        exps.append(
            _exp(
                "expect_column_values_to_be_between",
                {"column": AGE_AT, "min_value": lo, "max_value": hi},
                rule="age_out_of_range",
                column="date_of_birth",
                message=f"Date of Birth gives an age at {when} outside {max(lo, 0)} to {hi} years, "
                "which is not plausible for this list.",
            )
        )
    if "age" in spec.by_name and "date_of_birth" in spec.by_name:
        exps.append(
            _exp(
                "expect_column_values_to_be_in_set",
                {"column": AGE_AGREES, "value_set": [True]},
                rule="age_mismatch",
                column="age",
                message="Age of Child (Years) does not agree with Date of Birth.",
            )
        )
    if spec.one_row_per_child and "child_id" in spec.by_name:
        c = spec.column("child_id")
        exps.append(
            _exp(
                "expect_column_values_to_be_unique",
                {"column": "child_id"},
                rule="duplicate_child",
                column="child_id",
                message=f"{c.header} appears on more than one row; this list has one row per child.",
            )
        )
    return {
        "name": f"{SUITE_PREFIX}{spec.table}",
        "expectations": exps,
        "meta": {
            "generated_from": "flows/annex_a/specs.py by `python -m flows.validation.suites --write-suites`",
            "list": spec.table,
            "annex_a_number": spec.number,
            "title": spec.title,
        },
    }


# Cross-list checks: sql/quality/<n>_<kind>.sql builds quality.check_<kind> with one row per row
# checked (location, column_name, value, message, list_name, passed); the suite expects passed.
CROSS_CHECKS: dict[str, tuple[str, str]] = {
    "child_details": ("cross_list_mismatch", "The child's details differ between lists."),
    "cp_in_cin": ("cp_not_in_cin", "A child on a CP plan is not in list 6 with a CP case status."),
    "in_children_in_care": ("not_in_children_in_care", "A child in 3.17 or 3.18 is not in list 8."),
    "icpc_plan": (
        "icpc_plan_missing",
        "An ICPC resulted in a plan but the child has no plan in list 7.",
    ),
    "audit_children": ("audit_child_unknown", "An audited child is on none of the lists."),
    # sql/quality/060_check_rules.sql: every SQL rule of the catalogue; each row names its rule,
    # severity and message (flows/validation/rules.py), which override these
    "rules": ("catalogue_rule", "A rule of the catalogue; the row names which."),
}


def cross_suite_for(kind: str) -> dict:
    rule, message = CROSS_CHECKS[kind]
    severity = None if rule in RULES else "warning"  # "rules": each row gives its own
    return {
        "name": f"{CROSS_PREFIX}{kind}",
        "expectations": [
            _exp(
                "expect_column_values_to_be_in_set",
                {"column": "passed", "value_set": [True]},
                rule=rule,
                column="column_name",
                message=message,
                severity=severity,
            )
        ],
        "meta": {
            "generated_from": "flows/validation/suites.py by `python -m flows.validation.suites --write-suites`",
            "table": f"quality.check_{kind}",
        },
    }


def generated_suites() -> dict[str, dict]:
    """File name → suite, for every list and every kind of cross-list check."""
    from flows.annex_a.specs import SPECS

    out = {f"{SUITE_PREFIX}{s.table}.json": suite_for(s) for s in SPECS}
    out.update({f"{CROSS_PREFIX}{k}.json": cross_suite_for(k) for k in CROSS_CHECKS})
    return out


def suite_text(suite: dict) -> str:
    return json.dumps(suite, indent=2, ensure_ascii=False) + "\n"


def write_suites(directory: Path | None = None) -> list[Path]:
    """Write every generated suite as reviewed JSON (source files: plain writes, normal permissions)."""
    from flows.config import EXPECTATIONS_DIR

    directory = directory or EXPECTATIONS_DIR
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, suite in generated_suites().items():
        path = directory / name
        path.write_text(suite_text(suite), encoding="utf-8")
        paths.append(path)
    return paths


def suite_path(name: str) -> Path:
    from flows.config import EXPECTATIONS_DIR

    return EXPECTATIONS_DIR / f"{name}.json"


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["--write-suites"]:
        for p in write_suites():
            print(p)
    else:
        print("usage: python -m flows.validation.suites --write-suites", file=sys.stderr)
        sys.exit(2)
