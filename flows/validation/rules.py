"""The rule catalogue: one declaration per validation rule, and docs/rules.md generated from it.

Each rule has an id (the `rule` of its findings), a family, the lists it concerns, a severity, the
message the LA analyst reads, the ILACS framework paragraph it serves and the DfE validation rules it
mirrors (CIN census, SSDA903). `where` says what evaluates it:
- "reader": the reader and normaliser (files, sheets, headers, values), flows/annex_a;
- "suite": the Great Expectations suites generated from the specs (flows/validation/suites.py);
- "sql": sql/quality/060_check_rules.sql, which names the rule; severity and message come from here
  (validate writes them to quality.rule_catalogue for the SQL to join);
- "validate": the validate stage itself (coverage, lists not provided).

Severity: `error` when the fact is impossible or the row cannot be used, `warning` when it is
suspicious, `info` when it is worth knowing. `python -m flows.validation.rules > docs/rules.md`
writes the catalogue; tests/test_validation_rules.py fails when the committed file is not current.

The DfE rules listed in DFE_NOT_APPLICABLE are those concerning a field Annex A carries that no rule
here mirrors, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from flows import findings as F


@dataclass(frozen=True)
class Rule:
    id: str
    family: str
    lists: tuple[str, ...]
    severity: F.Severity
    message: str
    framework: str = "para 86, 326"  # the analytical officer's first job: query the LA's data
    dfe: tuple[str, ...] = ()
    where: str = "sql"


FAMILIES = {
    "files": "Files, sheets and columns",
    "values": "Values as sent",
    "completeness": "Blanks the template and DfE require",
    "dates": "Dates and periods",
    "journey": "The child's journey across lists, in date order",
    "together": "Fields filled together",
    "care": "Children in care (list 8): plausibility by age and code",
    "adoption": "Adoption sequence (lists 10 and 11)",
    "duplicates": "Duplicates",
    "cross_list": "The same child on several lists",
    "timeliness": "Timeliness queries",
}

_L2_5 = (
    "list_02_early_help",
    "list_03_referrals",
    "list_04_assessments",
    "list_05_section_47",
)
_ALL = ("*",)


def _vocabulary(rule_id: str, family: str, where: str, lists=_ALL, dfe=(), framework=None) -> Rule:
    """A rule whose severity and summary findings.RULES holds (readers and suites report by it)."""
    severity, message = F.RULES[rule_id]
    return Rule(rule_id, family, lists, severity, message, framework or "para 86, 326", dfe, where)


CATALOGUE: tuple[Rule, ...] = (
    # --- files, sheets, columns (reader)
    _vocabulary("file_unreadable", "files", "reader"),
    _vocabulary("file_too_large", "files", "reader"),
    _vocabulary("sheet_unrecognised", "files", "reader"),
    _vocabulary("list_duplicated", "files", "reader"),
    _vocabulary("list_not_provided", "files", "reader", framework="para 80, 314"),
    _vocabulary("column_missing", "files", "reader"),
    _vocabulary("column_unexpected", "files", "reader"),
    _vocabulary("text_damaged", "files", "reader"),
    _vocabulary("header_unrecognised", "files", "reader"),
    _vocabulary("header_ambiguous", "files", "reader"),
    _vocabulary("template_layout_old", "files", "reader"),
    _vocabulary("column_mostly_blank", "completeness", "validate"),
    # --- values (normaliser and suites)
    _vocabulary("required_blank", "completeness", "reader", dfe=("CIN 8500",)),
    _vocabulary("code_unmapped", "values", "reader"),
    _vocabulary("date_unparseable", "values", "reader"),
    _vocabulary("int_unparseable", "values", "reader"),
    _vocabulary("retired_code", "values", "reader"),
    _vocabulary("code_label_mismatch", "values", "reader"),
    _vocabulary("age_decimal", "values", "reader"),
    _vocabulary("place_unknown", "values", "reader"),
    _vocabulary("count_negative", "values", "suite"),
    _vocabulary("date_in_future", "dates", "suite"),
    _vocabulary("date_out_of_period", "dates", "suite", framework="para 314-316"),
    _vocabulary("date_order", "dates", "suite", dfe=("CIN 8608", "903 356")),
    _vocabulary("age_out_of_range", "dates", "suite"),
    _vocabulary("age_mismatch", "dates", "suite"),
    _vocabulary("duplicate_child", "duplicates", "suite"),
    _vocabulary("cross_list_mismatch", "cross_list", "sql", framework="para 322"),
    _vocabulary("cp_not_in_cin", "cross_list", "sql"),
    _vocabulary("not_in_children_in_care", "cross_list", "sql"),
    _vocabulary("icpc_plan_missing", "cross_list", "sql"),
    _vocabulary("audit_child_unknown", "cross_list", "sql", framework="para 328"),
    # --- same-day and formats (suites)
    Rule(
        "cp_plan_end_order",
        "dates",
        ("list_07_child_protection",),
        "error",
        "Child Protection Plan End Date is on or before its start date; a plan cannot end the day it "
        "starts.",
        dfe=("CIN 8840",),
        where="suite",
    ),
    Rule(
        "postcode_format",
        "values",
        ("list_08_children_in_care",),
        "warning",
        "Placement postcode is not in the form of a UK postcode (for example ME14 1XX, or its first "
        "half ME14).",
        dfe=("903 392c",),
        where="suite",
    ),
    # --- blanks DfE requires (sql: conditional on other columns)
    Rule(
        "primary_need_missing",
        "completeness",
        ("list_06_children_in_need",),
        "warning",
        "Primary Need Code is blank; every child in need has a primary need.",
        dfe=("CIN 8610",),
    ),
    Rule(
        "category_of_abuse_missing",
        "completeness",
        ("list_07_child_protection",),
        "warning",
        "Initial Category of Abuse is blank; every child protection plan has one.",
        dfe=("CIN 8905",),
    ),
    Rule(
        "previous_plans_missing",
        "completeness",
        ("list_07_child_protection",),
        "warning",
        "Number of Previous Child Protection Plans is blank; give 0 when there were none.",
        dfe=("CIN 8730",),
    ),
    Rule(
        "placement_provider_missing",
        "completeness",
        ("list_08_children_in_care",),
        "warning",
        "Placement Provider is blank for a foster or residential placement, which always has one.",
        dfe=("903 526",),
    ),
    # --- journey
    Rule(
        "contact_before_birth",
        "journey",
        ("list_01_contacts",),
        "error",
        "Date of Contact is more than 40 weeks before Date of Birth: no contact can be made about a "
        "child before it is conceived.",
        dfe=("CIN 8606",),
    ),
    Rule(
        "referral_before_birth",
        "journey",
        ("list_03_referrals",),
        "error",
        "Date of referral is more than 40 weeks before Date of Birth: no child can be referred before "
        "it is conceived.",
        dfe=("CIN 8606",),
    ),
    Rule(
        "assessment_before_referral",
        "journey",
        ("list_04_assessments", "list_03_referrals"),
        "warning",
        "This assessment starts before every referral of this child in list 3; an assessment follows "
        "its referral. Check both dates, or whether the referral came before the six months.",
        dfe=("CIN 1103",),
    ),
    Rule(
        "s47_before_referral",
        "journey",
        ("list_05_section_47", "list_03_referrals"),
        "warning",
        "This strategy discussion is before every referral of this child in list 3; a section 47 "
        "enquiry follows a referral. Check both dates, or whether the referral came before the six "
        "months.",
        dfe=("CIN 2889",),
    ),
    Rule(
        "cp_plan_before_icpc",
        "journey",
        ("list_07_child_protection", "list_05_section_47"),
        "warning",
        "This child protection plan starts before the initial child protection conference in list 5 "
        "that resulted in a plan; a plan starts at or after the conference that made it.",
        dfe=("CIN 2885",),
    ),
    # --- fields filled together
    Rule(
        "cin_closure_incomplete",
        "together",
        ("list_06_children_in_need",),
        "error",
        "CIN Closure Date and Reason for Closure go together: one is given, the other is blank.",
        dfe=("CIN 8805", "CIN 8810"),
    ),
    Rule(
        "ceased_incomplete",
        "together",
        ("list_08_children_in_care",),
        "error",
        "Date Ceased to be Looked After and Reason Ceased to be Looked After go together: one is "
        "given, the other is blank.",
        dfe=("903 148",),
    ),
    Rule(
        "adoption_reversal_incomplete",
        "together",
        ("list_10_adoptions",),
        "error",
        "The date of the decision that the child should no longer be placed for adoption and its "
        "reason go together: one is given, the other is blank.",
    ),
    Rule(
        "care_leaver_activity_not_expected",
        "together",
        ("list_09_care_leavers",),
        "error",
        "The care leaver has died or returned home (LA in Touch), but an activity or accommodation is "
        "recorded; leave both blank.",
        dfe=("903 344", "903 153"),
    ),
    Rule(
        "care_leaver_activity_missing",
        "together",
        ("list_09_care_leavers",),
        "warning",
        "The LA is in touch with this care leaver, but their activity or accommodation is blank.",
        dfe=("903 345", "903 153"),
    ),
    # --- list 8 plausibility
    Rule(
        "legal_status_too_young",
        "care",
        ("list_08_children_in_care",),
        "error",
        "Child's Legal Status is a criminal justice status (J1, J2, J3) for a child under 10 when it "
        "started; children under 10 cannot be remanded or sentenced.",
        dfe=("903 358",),
    ),
    Rule(
        "placement_too_young",
        "care",
        ("list_08_children_in_care",),
        "error",
        "Placement Type is a young offender institution or prison (R5) for a child under 10 when the "
        "placement started.",
    ),
    Rule(
        "independent_placement_under_16",
        "care",
        ("list_08_children_in_care",),
        "warning",
        "Placement Type is independent or semi-independent living (P2, H5) for a child under 16 when "
        "the placement started; children under 16 may not be placed there.",
    ),
    Rule(
        "ceased_adopted_adult",
        "care",
        ("list_08_children_in_care",),
        "error",
        "Reason Ceased is adoption (E11, E12), but the child was 18 or over when care ceased.",
        dfe=("903 386",),
    ),
    Rule(
        "ceased_independent_under_14",
        "care",
        ("list_08_children_in_care",),
        "error",
        "Reason Ceased is a move to independent living or adult residential care (E5, E6), but the "
        "child was under 14 when care ceased.",
        dfe=("903 387",),
    ),
    Rule(
        "ceased_order_adult",
        "care",
        ("list_08_children_in_care",),
        "error",
        "Reason Ceased is a special guardianship or child arrangements order (E45-E48), but the "
        "child was over 18 when care ceased.",
        dfe=("903 407",),
    ),
    # --- adoption sequence
    Rule(
        "adoption_order_before_placement",
        "adoption",
        ("list_10_adoptions", "list_11_adopters"),
        "error",
        "Date of Adoption Order is on or before the date the child was placed; an order is made only "
        "after the child has lived with the adopters.",
        where="suite",
    ),
    Rule(
        "adoption_order_not_placed",
        "adoption",
        ("list_10_adoptions",),
        "error",
        "Date of Adoption Order is given but Date Placed for Adoption is blank; a child is placed "
        "before an adoption order is made.",
    ),
    Rule(
        "placed_without_decision",
        "adoption",
        ("list_10_adoptions",),
        "warning",
        "Date Placed for Adoption is given but the date of the decision that the child should be "
        "placed for adoption is blank.",
    ),
    Rule(
        "adopter_stage_missing",
        "adoption",
        ("list_11_adopters",),
        "warning",
        "A later adopter stage has a date but Date Stage 1 started is blank; stage 1 comes first.",
    ),
    # --- duplicates
    Rule(
        "duplicate_event",
        "duplicates",
        _L2_5,
        "warning",
        "The same child has another row in this list with the same date; remove the duplicate or "
        "correct the date.",
        dfe=("CIN 8820", "CIN 8890"),
    ),
    # --- timeliness (info)
    Rule(
        "assessment_open_long",
        "timeliness",
        ("list_04_assessments",),
        "info",
        "This assessment started more than 45 working days before the notification date and has no "
        "date of authorisation.",
        framework="para 86, 326",
        dfe=("CIN 8670Q",),
    ),
    Rule(
        "s47_without_icpc",
        "timeliness",
        ("list_05_section_47",),
        "info",
        "This section 47 enquiry started more than 15 working days before the notification date, no "
        "ICPC date is given and the ICPC was not deemed unnecessary.",
        dfe=("CIN 8675Q",),
    ),
)

BY_ID: dict[str, Rule] = {r.id: r for r in CATALOGUE}

# DfE rules on a field Annex A carries that no rule here mirrors, and why.
DFE_NOT_APPLICABLE: dict[str, str] = {
    "CIN 8606 (expected date of birth)": "Annex A has one date of birth; the 40-week rule is applied to it.",
    "CIN 8820 (overlapping CIN episodes)": "List 6 has one row per child (its current episode); "
    "overlaps cannot be seen. Same-date duplicates in lists 1-5 are checked (duplicate_event).",
    "CIN 8670Q, 8675Q (census year end)": "Measured from the notification date instead of 31 March.",
    "903 218, 222 (URN by placement type)": "Which placement types need a URN was not confirmed "
    "against DfE's guidance in this change; URN of Placement is free text.",
    "903 411 (placement location against LA of placement)": "LA of Placement is free text (a name "
    "or a code); compared only once it is normalised to a code.",
    "903 527-531 (provider against placement type)": "Not yet mirrored: the allowed pairs need "
    "checking against the 903 guidance for the current year.",
    "903 389, 460 (other reasons ceased by age)": "Not yet mirrored: the ages need checking against "
    "the 903 guidance for the current year.",
    "903 371-374 (age against placement type)": "The exact conditions were not checked against the "
    "rule files in this change; the two cases the issue names are checked without claiming the ids "
    "(placement_too_young, independent_placement_under_16).",
    "903 390, 408, 551, 553, 601, 602, 1003 (adoption sequence against care episodes)": "Annex A "
    "carries no episode history; list 10's own order (date_order), an order without a placement "
    "(adoption_order_not_placed), a placement without a decision (placed_without_decision) and "
    "the reversal pair (adoption_reversal_incomplete) are checked, without claiming the ids until "
    "each is compared with its rule file.",
    "CIN 8730 (previous plans against plan history)": "Annex A has no plan history; only a blank is "
    "checked (previous_plans_missing).",
    "CIN 8910 (latest category of abuse)": "LAs leave Latest Category blank while it equals the "
    "initial one; not reported.",
}


def severity(rule_id: str) -> F.Severity:
    return BY_ID[rule_id].severity


def sql_rules() -> list[Rule]:
    """The rules sql/quality/060_check_rules.sql names."""
    return [r for r in CATALOGUE if r.where == "sql" and r.id not in F.RULES]


def markdown() -> str:
    """docs/rules.md: the catalogue by family, then the DfE coverage table."""
    lines = [
        "# Validation rules",
        "",
        "Generated from `flows/validation/rules.py` by `python -m flows.validation.rules > docs/rules.md`;",
        "do not edit by hand. Severity: **error** the fact is impossible or the row cannot be used;",
        "**warning** suspicious; **info** worth knowing. `pia validate` exits 1 on any error.",
        "",
    ]
    for family, title in FAMILIES.items():
        rules = [r for r in CATALOGUE if r.family == family]
        if not rules:
            continue
        lines += [
            f"## {title}",
            "",
            "| Rule | Severity | Lists | Checked by | DfE rules | Message |",
        ]
        lines.append("|---|---|---|---|---|---|")
        for r in rules:
            lists = "all" if r.lists == _ALL else ", ".join(r.lists)
            dfe = ", ".join(r.dfe) or "-"
            lines.append(f"| `{r.id}` | {r.severity} | {lists} | {r.where} | {dfe} | {r.message} |")
        lines.append("")
    lines += [
        "## DfE rules: mirrored",
        "",
        "| DfE rule | Mirrored by |",
        "|---|---|",
    ]
    mirrored: dict[str, list[str]] = {}
    for r in CATALOGUE:
        for d in r.dfe:
            mirrored.setdefault(d, []).append(f"`{r.id}`")
    for d in sorted(mirrored, key=_dfe_key):
        lines.append(f"| {d} | {', '.join(mirrored[d])} |")
    lines += [
        "",
        "## DfE rules on Annex A fields not mirrored",
        "",
        "| DfE rule | Why |",
        "|---|---|",
    ]
    for d, why in DFE_NOT_APPLICABLE.items():
        lines.append(f"| {d} | {why} |")
    return "\n".join(lines) + "\n"


def _dfe_key(name: str) -> tuple[str, int, str]:
    source, _, number = name.partition(" ")
    digits = "".join(ch for ch in number if ch.isdigit())
    return source, int(digits or 0), number


if __name__ == "__main__":
    print(markdown(), end="")
