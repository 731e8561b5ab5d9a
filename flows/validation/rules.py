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
writes the catalogue; tests/validation/test_validation_rules.py fails when the committed file is not current.

Every rule of DfE's validators is listed in flows/validation/dfe/ as mirrored, partly mirrored, not
applicable (with the reason) or concerning no Annex A field (flows/validation/dfe_coverage.py).
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
_L1_7 = ("list_01_contacts",) + _L2_5 + ("list_06_children_in_need", "list_07_child_protection")
_L3_7 = _L1_7[2:]


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
    # --- values (normaliser and suites); the DfE rules each generic rule covers are in dfe=
    _vocabulary(
        "required_blank",
        "completeness",
        "reader",
        dfe=("CIN 8500", "CIN 4180", "CIN 4220", "CIN 8600", "CIN 8615", "CIN 8720", "903 103"),
    ),
    _vocabulary(
        "code_unmapped",
        "values",
        "reader",
        dfe=(
            "CIN 4220",
            "CIN 8568",
            "CIN 8640",
            "CIN 8650",
            "CIN 8866",
            "903 101",
            "903 103",
            "903 105",
            "903 120",
            "903 131",
            "903 132",
            "903 133",
            "903 144",
            "903 145",
            "903 146",
            "903 149",
            "903 178",
            "903 179",
        ),
    ),
    _vocabulary(
        "date_unparseable",
        "values",
        "reader",
        dfe=(
            "903 102",
            "903 112",
            "903 113",
            "903 115",
            "903 116",
            "903 141",
            "903 147",
            "903 166",
            "903 700",
        ),
    ),
    _vocabulary("int_unparseable", "values", "reader"),
    _vocabulary("retired_code", "values", "reader"),
    _vocabulary("code_label_mismatch", "values", "reader"),
    _vocabulary("age_decimal", "values", "reader"),
    _vocabulary("place_unknown", "values", "reader", dfe=("903 169",)),
    _vocabulary("count_negative", "values", "suite"),
    _vocabulary(
        "date_in_future",
        "dates",
        "suite",
        dfe=(
            "CIN 8600",
            "CIN 8620",
            "CIN 8696",
            "CIN 8715",
            "CIN 8720",
            "CIN 8736",
            "CIN 8740",
            "CIN 8930",
            "903 117",
            "903 301",
            "903 354",
            "903 385",
            "903 703",
        ),
    ),
    _vocabulary(
        "date_out_of_period",
        "dates",
        "suite",
        framework="para 314-316",
        dfe=("CIN 8620", "CIN 8736", "CIN 8740", "CIN 8930"),
    ),
    _vocabulary(
        "date_order",
        "dates",
        "suite",
        dfe=(
            "CIN 8608",
            "CIN 8615",
            "CIN 8630",
            "903 118",
            "903 184",
            "903 331",
            "903 333",
            "903 334",
            "903 356",
            "903 521",
            "903 552",
            "903 554",
            "903 1003",
        ),
    ),
    _vocabulary(
        "age_out_of_range",
        "dates",
        "suite",
        dfe=("CIN 8775Q", "903 184", "903 302", "903 351", "903 352", "903 708"),
    ),
    _vocabulary("age_mismatch", "dates", "suite"),
    _vocabulary(
        "duplicate_child",
        "duplicates",
        "suite",
        dfe=("CIN 8510", "CIN 8815", "CIN 8935", "CIN 8940", "903 INT31", "903 INT32", "903 INT34"),
    ),
    _vocabulary(
        "cross_list_mismatch",
        "cross_list",
        "sql",
        dfe=("903 INT11", "903 INT12", "903 INT15"),
        framework="para 322",
    ),
    _vocabulary("cp_not_in_cin", "cross_list", "sql", dfe=("CIN 8590",)),
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
        dfe=("CIN 8840", "CIN 8925"),
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
        "Placement Provider is blank; every placement has a provider except temporary placements "
        "(T0-T4) and other placements (Z11-Z14).",
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
        dfe=("CIN 2889", "CIN 1104"),
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
    # --- CIN census rules mirrored for the coverage table (flows/validation/dfe/cin.csv)
    Rule(
        "cp_plan_before_referral",
        "journey",
        ("list_07_child_protection", "list_03_referrals"),
        "warning",
        "This child protection plan starts before every referral of this child in list 3; a plan "
        "follows a referral. Check both dates, or whether the referral came before the six months.",
        dfe=("CIN 1105",),
    ),
    Rule(
        "cp_plan_without_icpc",
        "journey",
        ("list_07_child_protection", "list_05_section_47"),
        "info",
        "This child protection plan starts in the period and the child has section 47 enquiries in "
        "list 5, but none has a Date of Initial Child Protection Conference on or before Child "
        "Protection Plan Start Date; a plan follows an initial conference (or a transfer-in one).",
        dfe=("CIN 2883",),
    ),
    Rule(
        "closed_nfa_with_activity",
        "journey",
        ("list_06_children_in_need", "list_05_section_47", "list_07_child_protection"),
        "warning",
        "Reason for Closure is RC8 (case closed after assessment, no further action), but the child "
        "has a section 47 enquiry (list 5) or a child protection plan (list 7) starting between CIN "
        "Start Date and CIN Closure Date.",
        dfe=("CIN 2990",),
    ),
    Rule(
        "rc8_without_assessment",
        "journey",
        ("list_06_children_in_need", "list_04_assessments"),
        "warning",
        "Reason for Closure is RC8 or RC9 (case closed after assessment), but list 4 has no "
        "assessment for the child; the episode started in the period and its referral was not NFA, "
        "so its assessment should be there.",
        dfe=("CIN 8825Q",),
    ),
    Rule(
        "s47_without_assessment",
        "journey",
        ("list_05_section_47", "list_04_assessments"),
        "info",
        "This section 47 enquiry follows a referral of the child in list 3, but list 4 has no "
        "assessment for the child; an enquiry comes with an assessment.",
        dfe=("CIN 2991Q",),
    ),
    Rule(
        "activity_after_nfa_referral",
        "journey",
        (
            "list_04_assessments",
            "list_05_section_47",
            "list_07_child_protection",
            "list_03_referrals",
        ),
        "warning",
        "The child's latest referral on or before this date (list 3) has Referral NFA? Yes, yet an "
        "assessment, section 47 enquiry or child protection plan starts after it; check Referral NFA? "
        "or the dates.",
        dfe=("CIN 8831", "CIN 8832"),
    ),
    Rule(
        "activity_after_cin_closure",
        "journey",
        (
            "list_04_assessments",
            "list_05_section_47",
            "list_07_child_protection",
            "list_06_children_in_need",
        ),
        "warning",
        "This date is after the CIN Closure Date of the child's episode in list 6; no assessment, "
        "enquiry, conference or plan continues after the episode closes. Check both dates.",
        dfe=("CIN 8565",),
    ),
    Rule(
        "closed_with_open_assessment",
        "journey",
        ("list_04_assessments", "list_06_children_in_need"),
        "warning",
        "The child's CIN episode (list 6) is closed, but this assessment, which started within it, has "
        "no Continuous Assessment Date of Authorisation.",
        dfe=("CIN 8867",),
    ),
    Rule(
        "closed_with_open_s47",
        "journey",
        ("list_05_section_47", "list_06_children_in_need"),
        "warning",
        "The child's CIN episode (list 6) is closed, but this section 47 enquiry, which started within "
        "it, has no Date of Initial Child Protection Conference and the ICPC was not deemed "
        "unnecessary.",
        dfe=("CIN 8868",),
    ),
    Rule(
        "assessment_overlap",
        "journey",
        ("list_04_assessments",),
        "warning",
        "This assessment starts while another assessment of the same child is still open (after its "
        "Continuous Assessment Start Date and on or before its Date of Authorisation, or it has none).",
        dfe=("CIN 8863Q", "CIN 8896"),
    ),
    Rule(
        "s47_overlap",
        "journey",
        ("list_05_section_47",),
        "warning",
        "This section 47 enquiry starts while another enquiry of the same child is still open (after "
        "its strategy discussion and on or before its ICPC, or it has no ICPC and one was not deemed "
        "unnecessary).",
        dfe=("CIN 8890", "CIN 8839"),
    ),
    Rule(
        "cp_review_not_after_start",
        "dates",
        ("list_07_child_protection",),
        "warning",
        "Date of latest review conference is on or before Child Protection Plan Start Date; a review "
        "conference follows the plan's start.",
        dfe=("CIN 8841",),
    ),
    Rule(
        "icpc_on_weekend",
        "dates",
        ("list_05_section_47",),
        "warning",
        "Date of Initial Child Protection Conference is a Saturday or Sunday; conferences are not held "
        "at weekends. Check the date.",
        dfe=("CIN 8875",),
    ),
    Rule(
        "unborn_gender",
        "values",
        _L1_7,
        "warning",
        "Date of Birth is after the notification date (an unborn child), but Gender is Male or Female; "
        "an unborn child's gender is Not stated/recorded.",
        dfe=("CIN 8750",),
    ),
    Rule(
        "gender_not_recorded",
        "completeness",
        _L3_7,
        "info",
        "Gender is Not stated/recorded on more than 2% of this list's rows for children already "
        "born; record it where it is known.",
        dfe=("CIN 2886Q",),
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
        dfe=("903 119",),
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
    # --- SSDA903 rules 100-399 mirrored for the coverage table (flows/validation/dfe/ssda903.csv)
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
        dfe=("903 372",),
    ),
    Rule(
        "independent_placement_under_16",
        "care",
        ("list_08_children_in_care",),
        "warning",
        "Placement Type is supported accommodation or independent or semi-independent living (K3, P2, "
        "H5) for a child under 16 when the placement started; children under 16 may not be placed "
        "there.",
        dfe=("903 371",),
    ),
    Rule(
        "residential_school_under_4",
        "care",
        ("list_08_children_in_care",),
        "warning",
        "Placement Type is a residential school (S1) for a child under 4 when the placement started.",
        dfe=("903 373",),
    ),
    Rule(
        "residential_employment_under_14",
        "care",
        ("list_08_children_in_care",),
        "warning",
        "Placement Type is residential employment (P3) for a child under 14 when the placement "
        "started.",
        dfe=("903 374",),
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
    Rule(
        "ceased_adult_care_under_16",
        "care",
        ("list_08_children_in_care",),
        "error",
        "Reason Ceased is a transfer to residential care funded by adult social care (E7), but the "
        "child was under 16 when care ceased.",
        dfe=("903 389",),
    ),
    Rule(
        "ceased_staying_put_under_18",
        "care",
        ("list_08_children_in_care",),
        "error",
        "Reason Ceased is staying put with current carers at 18 or over (E17), but the child was "
        "under 18 when care ceased.",
        dfe=("903 460",),
    ),
    Rule(
        "placement_provider_mismatch",
        "care",
        ("list_08_children_in_care",),
        "error",
        "Placement Provider does not fit the Placement Type: a placement with parents (P1) has "
        "provider PR0; an NHS establishment or young offender institution (R2, R5) is never LA "
        "provision (PR1, PR2); foster, adoption and children's home placements (U1-U6, A3-A6, K1, "
        "K2) are never other public provision (PR3).",
        dfe=("903 527", "903 528", "903 529", "903 530", "903 531"),
    ),
    Rule(
        "urn_missing",
        "care",
        ("list_08_children_in_care",),
        "warning",
        "URN of Placement is blank; a foster, adoption, children's home, supported accommodation, "
        "family centre or residential school placement in England has an Ofsted URN (SSDA903 "
        "writes XXXXXXX where it has none).",
        dfe=("903 218",),
    ),
    Rule(
        "urn_not_expected",
        "care",
        ("list_08_children_in_care",),
        "warning",
        "URN of Placement is given for a placement that has no Ofsted URN (with parents, residential "
        "employment, residential care home, NHS establishment, young offender institution, "
        "temporary placement); leave it blank.",
        dfe=("903 222",),
    ),
    Rule(
        "placement_location_mismatch",
        "care",
        ("list_08_children_in_care",),
        "warning",
        "Placement Location is In (inside the LA's area), but LA of Placement is another local "
        "authority or outside England.",
        dfe=("903 411",),
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
        ("list_10_adoptions", "list_08_children_in_care"),
        "warning",
        "The date of the decision that the child should be placed for adoption is blank, but the "
        "child has a placement order or has been placed for adoption (in this list, or in list 8: "
        "legal status E1 or placement type A3-A6); the decision comes first.",
        dfe=("903 551", "903 553"),
    ),
    Rule(
        "adopted_not_placed_for_adoption",
        "adoption",
        ("list_08_children_in_care",),
        "error",
        "Reason Ceased is adoption (E11, E12), but Placement Type is not a placement for adoption "
        "(A3-A6); an adopted child's last placement is with the adopters.",
        dfe=("903 390",),
    ),
    Rule(
        "placement_order_missing",
        "adoption",
        ("list_08_children_in_care",),
        "error",
        "Placement Type is placed for adoption with a placement order (A5, A6), but Child's Legal "
        "Status is not a placement order (E1).",
        dfe=("903 408",),
    ),
    Rule(
        "adoption_order_missing",
        "adoption",
        ("list_10_adoptions", "list_08_children_in_care"),
        "warning",
        "List 8 records this child as adopted (Reason Ceased E11 or E12 in the period), but Date of "
        "Adoption Order is blank here.",
        dfe=("903 601",),
    ),
    Rule(
        "adoption_not_shown_in_care",
        "adoption",
        ("list_10_adoptions", "list_08_children_in_care"),
        "error",
        "Date of Adoption Order is in the period, but list 8 does not show this child adopted (the "
        "child is not in list 8, or is still in care, or left care for another reason); an adoption "
        "order ends the period of care with Reason Ceased E11 or E12.",
        dfe=("903 602",),
    ),
    Rule(
        "adopter_stage_missing",
        "adoption",
        ("list_11_adopters",),
        "warning",
        "A later adopter stage has a date but Date Stage 1 started is blank; stage 1 comes first.",
    ),
    # --- SSDA903 rules 100-399: list 8 legal status, placements and dates
    Rule(
        "care_started_before_1991",
        "dates",
        ("list_08_children_in_care",),
        "error",
        "Date Started to be Looked After, Start date of current legal status or Start Date of Most "
        "Recent Placement is before 14 October 1991, when the Children Act 1989 came into force.",
        dfe=("903 353",),
    ),
    Rule(
        "care_ended_same_day",
        "dates",
        ("list_08_children_in_care",),
        "warning",
        "Date Ceased to be Looked After is the day the latest placement or legal status started; a "
        "placement or legal status that lasted less than a day is not recorded.",
        dfe=("903 355",),
    ),
    Rule(
        "looked_after_past_18",
        "care",
        ("list_08_children_in_care",),
        "warning",
        "The young person is 18 or over and still looked after (Date Ceased to be Looked After is "
        "blank); past 18 only accommodation under section 20 (V2) in a children's home (K2) "
        "continues.",
        dfe=("903 359",),
    ),
    Rule(
        "legal_status_too_long",
        "care",
        ("list_08_children_in_care",),
        "warning",
        "Child's Legal Status has lasted longer than the law allows, from Start date of current legal "
        "status to Date Ceased to be Looked After (or the notification date): police protection (L1) "
        "72 hours, emergency protection order (L2) 21 days, child assessment order (L3) 7 days, PACE "
        "detention (J2) 21 days, a single short break (V3) 17 days.",
        dfe=("903 361", "903 362", "903 363", "903 364", "903 365"),
    ),
    Rule(
        "legal_status_placement_mismatch",
        "care",
        ("list_08_children_in_care",),
        "warning",
        "Child's Legal Status does not fit the Placement Type: a child placed with parents (P1) is not "
        "accommodated under section 20 (V2), and a child on short breaks (V3, V4) is not in a "
        "long-term foster placement (U1, U4).",
        dfe=("903 378", "903 384"),
    ),
    Rule(
        "temporary_placement_too_long",
        "care",
        ("list_08_children_in_care",),
        "warning",
        "The temporary placement has lasted longer than its type allows, from Start Date of Most "
        "Recent Placement to Date Ceased to be Looked After (or the notification date): hospital (T1) "
        "six weeks, while the foster carer is on holiday (T3) three weeks, seven days or less (T4) "
        "seven days.",
        dfe=("903 375", "903 376", "903 379"),
    ),
    Rule(
        "temporary_placement_misused",
        "care",
        ("list_08_children_in_care",),
        "warning",
        "Placement Type is temporary (T0-T4) where it cannot be: a period of care does not start or "
        "end with a temporary placement, and a child on short breaks (V3, V4) is not in one.",
        dfe=("903 380", "903 381", "903 382"),
    ),
    Rule(
        "placement_provider_not_expected",
        "care",
        ("list_08_children_in_care",),
        "warning",
        "Placement Provider is given for a temporary or other placement (T0-T4, Z11-Z14), which has "
        "none; leave it blank.",
        dfe=("903 213",),
    ),
    Rule(
        "urn_placeholder_misused",
        "care",
        ("list_08_children_in_care",),
        "warning",
        "URN of Placement is XXXXXXX for a children's home, supported accommodation, family centre "
        "or residential school (K1, K2, K3, R3, S1); SSDA903 allows XXXXXXX only for adoption and "
        "foster placements through a regional adoption agency. Give the provider's Ofsted URN.",
        dfe=("903 242",),
    ),
    Rule(
        "placement_details_missing",
        "completeness",
        ("list_08_children_in_care",),
        "warning",
        "LA of Placement or Placement postcode is blank for a child with a Placement Type who is not on "
        "short breaks (V3, V4); every other placement has both.",
        dfe=("903 169", "903 392b"),
    ),
    Rule(
        "uasc_young",
        "care",
        ("list_08_children_in_care",),
        "warning",
        "The child is recorded as an unaccompanied asylum-seeking child but is under 11; check the "
        "Date of Birth and the UASC column.",
        dfe=("903 231",),
    ),
    Rule(
        "gender_not_recorded_in_care",
        "care",
        ("list_08_children_in_care", "list_09_care_leavers", "list_10_adoptions"),
        "info",
        "Gender is not stated or recorded for a child in care, care leaver or child in the adoption "
        "list; DfE's return does not accept an unknown sex for these children.",
        dfe=("903 232",),
    ),
    Rule(
        "foyer_under_18",
        "care",
        ("list_09_care_leavers",),
        "warning",
        "Type of Accommodation is a foyer (T) for a care leaver under 18; foyers are not for under-18s.",
        dfe=("903 347",),
    ),
    # --- SSDA903 rules 100-399: adoption and care leavers across lists
    Rule(
        "adoption_decision_after_care",
        "adoption",
        ("list_10_adoptions", "list_08_children_in_care"),
        "warning",
        "The decision that the child should (or should no longer) be placed for adoption is after the "
        "child ceased to be looked after (list 8's Date Ceased to be Looked After); the decisions are "
        "made while the child is in care.",
        dfe=("903 117",),
    ),
    Rule(
        "care_leaver_in_adoptions",
        "cross_list",
        ("list_10_adoptions", "list_09_care_leavers"),
        "warning",
        "This care leaver (list 9) also has adoption dates in list 10; a care leaver is not a child "
        "being placed for adoption. Check the Child ID in both lists.",
        dfe=("903 134",),
    ),
    # --- SSDA903 rules 400 and over mirrored for the coverage table (flows/validation/dfe/ssda903.csv)
    Rule(
        "legal_status_adoption_law",
        "care",
        ("list_08_children_in_care",),
        "error",
        "Child's Legal Status does not fit the Adoption and Children Act 2002, in force from 30 "
        "December 2005: a freeing order (D1) cannot start after it or still be in force, and a "
        "placement order (E1) cannot start before December 2005.",
        dfe=("903 446",),
    ),
    Rule(
        "sgo_foster_carers_not_fostered",
        "care",
        ("list_08_children_in_care",),
        "error",
        "Reason Ceased is a special guardianship order to former foster carers (E45, E46), but "
        "Placement Type is not a foster placement (U1-U6); the child's last placement was with "
        "those foster carers.",
        dfe=("903 516",),
    ),
    Rule(
        "parent_provider_not_with_parents",
        "care",
        ("list_08_children_in_care",),
        "error",
        "Placement Provider is parents or others with parental responsibility (PR0), but Placement "
        "Type is not placed with parents (P1).",
        dfe=("903 550",),
    ),
    Rule(
        "own_provision_outside_la",
        "care",
        ("list_08_children_in_care",),
        "warning",
        "Placement Provider is the LA's own provision (PR1), but LA of Placement is another local "
        "authority or outside England; only foster, adoption and supported accommodation "
        "placements (U1-U6, A3-A6, K3) and short breaks (V3, V4) may be own provision elsewhere.",
        dfe=("903 1015",),
    ),
    Rule(
        "care_leaver_not_eligible",
        "cross_list",
        ("list_09_care_leavers", "list_08_children_in_care"),
        "warning",
        "This care leaver's care ended because they died (E2) or because another LA took over "
        "their care (E3) in list 8, so they are not this LA's care leaver; check list 8's Reason "
        "Ceased or remove the row.",
        dfe=("903 1000", "903 1011"),
    ),
    Rule(
        "care_leaver_staying_put_under_18",
        "dates",
        ("list_09_care_leavers",),
        "warning",
        "Type of Accommodation is with former foster carers (Z), but the care leaver is under 18; "
        "staying put starts at 18, and a younger child living with foster carers is still in "
        "care.",
        dfe=("903 3001",),
    ),
    Rule(
        "adopted_after_reversal",
        "adoption",
        ("list_10_adoptions", "list_08_children_in_care"),
        "warning",
        "The decision that the child should be placed for adoption was reversed, but the child "
        "was adopted (Date of Adoption Order here, or Reason Ceased E11 or E12 in list 8); an "
        "adopted child's decision was not reversed.",
        dfe=("903 525", "903 558"),
    ),
    Rule(
        "reversal_not_recorded",
        "adoption",
        ("list_10_adoptions", "list_08_children_in_care"),
        "warning",
        "List 8 shows this child placed for adoption or under a placement order and then leaving "
        "care without being adopted, but the Date of Decision that Child Should No Longer be "
        "Placed for Adoption is blank here.",
        dfe=("903 557",),
    ),
    Rule(
        "reversal_without_decision",
        "adoption",
        ("list_10_adoptions",),
        "warning",
        "The decision that the child should no longer be placed for adoption is given, but the "
        "Date of Decision that Child Should be Placed for Adoption is blank.",
        dfe=("903 563",),
    ),
    Rule(
        "reversal_before_decision",
        "adoption",
        ("list_10_adoptions",),
        "error",
        "Date of Decision that Child Should No Longer be Placed for Adoption is before the Date of "
        "Decision that Child Should be Placed for Adoption; a decision is reversed after it is "
        "made.",
        dfe=("903 522",),
    ),
    Rule(
        "matched_on_adoption_day",
        "adoption",
        ("list_10_adoptions",),
        "warning",
        "Date of Matching Child and Prospective Adopters is the same day as the Date of Adoption "
        "Order; a child is matched with adopters well before the order.",
        dfe=("903 582",),
    ),
    # --- duplicates
    Rule(
        "duplicate_event",
        "duplicates",
        _L2_5,
        "warning",
        "The same child has another row in this list with the same date; remove the duplicate or "
        "correct the date.",
        dfe=("CIN 8820",),
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
            dfe = (
                ", ".join(r.dfe[:4]) + (f" and {len(r.dfe) - 4} more" if len(r.dfe) > 4 else "")
                or "-"
            )
            lines.append(f"| `{r.id}` | {r.severity} | {lists} | {r.where} | {dfe} | {r.message} |")
        lines.append("")
    from flows.validation import dfe_coverage

    lines += dfe_coverage.markdown(CATALOGUE)
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
