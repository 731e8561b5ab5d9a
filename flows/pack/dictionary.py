"""The pack's dictionary: what each headline, line-of-enquiry list and theme is, and which list
columns it rests on (LAIT's habit: one row per measure, read by the code; adding one is a row here and
a model in sql/pack/).

`rests_on` is the honesty contract: a headline or list is shown only when every (list, column) it
names was provided and is not blank or unparseable on most rows (quality.column_coverage, written by
validation). Otherwise the pack says "not provided by the LA" and the data-quality section lists it.
A third element is a condition (SQL over the list, written here, never from input): a column asked
only of some rows (a return interview only of a child who went missing) is judged on those rows.
A column whose blank has a meaning (an assessment with no authorised date is still open; a plan with
no end date is still open) is not named: its blanks are the answer, not a gap.
"""

from __future__ import annotations

# Lines of enquiry, most pressing first: the dictionary drives the section (adding one is a row here
# and a model in sql/pack/). Columns: (key, header, kind) with kind in text|date|int|bool|code.
LINES_OF_ENQUIRY: tuple[dict, ...] = (
    dict(
        id="loe-cp-not-visited",
        view="loe_cp_not_visited",
        needs=("list_07_child_protection",),
        rests_on=(("list_07_child_protection", "date_last_visit"),),
        theme="help-and-protection",
        title="Children on a child protection plan not visited in the last six weeks",
        note="Open plans with no statutory visit in the 42 days before notification, or none recorded. Never visited first.",
        columns=(
            ("child_id", "Child ID", "text"),
            ("cp_plan_start_date", "Plan started", "date"),
            ("date_last_visit", "Last statutory visit", "date"),
            ("days_since_visit", "Days since visit", "int"),
            ("allocated_team", "Team", "text"),
        ),
    ),
    dict(
        id="loe-assessments-late",
        view="loe_assessments_late",
        needs=("list_04_assessments",),
        rests_on=(("list_04_assessments", "assessment_start_date"),),
        theme="front-door",
        title="Assessments open beyond 45 working days",
        note="Working days from the start of the assessment to its authorisation, or to the notification date if still open; weekends and England bank holidays excluded. Still open first, then the longest.",
        columns=(
            ("child_id", "Child ID", "text"),
            ("assessment_start_date", "Started", "date"),
            ("assessment_authorised_date", "Authorised", "date"),
            ("still_open", "Still open", "bool"),
            ("working_days", "Working days", "int"),
            ("allocated_team", "Team", "text"),
        ),
    ),
    dict(
        id="loe-missing-no-return-interview",
        view="loe_missing_no_return_interview",
        needs=("list_08_children_in_care",),
        rests_on=(
            ("list_08_children_in_care", "missing_episodes"),
            # asked only of children who went missing: its blanks count among those rows
            ("list_08_children_in_care", "return_interview_offered", "missing_episodes > 0"),
        ),
        theme="children-in-care",
        title="Children in care missing without a return interview",
        note="Missing at least once in the last 12 months and not offered a return interview after the last episode. Most episodes first.",
        columns=(
            ("child_id", "Child ID", "text"),
            ("missing_episodes", "Missing episodes (12 months)", "int"),
            ("return_interview_offered", "Return interview offered", "text"),
            ("return_interview_accepted", "Return interview accepted", "text"),
            ("allocated_team", "Team", "text"),
        ),
    ),
    dict(
        id="loe-cp-over-two-years",
        view="loe_cp_over_two_years",
        needs=("list_07_child_protection",),
        rests_on=(("list_07_child_protection", "cp_plan_start_date"),),
        theme="help-and-protection",
        title="Child protection plans lasting two years or more",
        note="Open plans that started two or more years before notification. Longest first.",
        columns=(
            ("child_id", "Child ID", "text"),
            ("cp_plan_start_date", "Plan started", "date"),
            ("days_on_plan", "Days on plan", "int"),
            ("latest_category_of_abuse", "Latest category", "text"),
            ("allocated_team", "Team", "text"),
        ),
    ),
    dict(
        id="loe-cp-repeat-plans",
        view="loe_cp_repeat_plans",
        needs=("list_07_child_protection",),
        rests_on=(("list_07_child_protection", "previous_cp_plans"),),
        theme="help-and-protection",
        title="Second or later child protection plans",
        note="Children on list 7 with one or more previous plans. Most previous plans first; open plans before ended ones.",
        columns=(
            ("child_id", "Child ID", "text"),
            ("plan_number", "Plan number", "int"),
            ("cp_plan_start_date", "Plan started", "date"),
            ("cp_plan_end_date", "Plan ended", "date"),
            ("open_plan", "Open", "bool"),
            ("allocated_team", "Team", "text"),
        ),
    ),
    dict(
        id="loe-cla-placement-moves",
        view="loe_cla_placement_moves",
        needs=("list_08_children_in_care",),
        rests_on=(("list_08_children_in_care", "placements_last_12_months"),),
        theme="children-in-care",
        title="Children in care with three or more placements in 12 months",
        note="Children in care on the notification date. Most placements first.",
        columns=(
            ("child_id", "Child ID", "text"),
            ("placements_last_12_months", "Placements (12 months)", "int"),
            ("placement_type", "Current placement type", "code:placement_type"),
            ("placement_location", "In or out of area", "text"),
            ("allocated_team", "Team", "text"),
        ),
    ),
    dict(
        id="loe-care-leavers-not-in-touch",
        view="loe_care_leavers_not_in_touch",
        needs=("list_09_care_leavers",),
        rests_on=(("list_09_care_leavers", "in_touch"),),
        theme="care-leavers",
        title="Care leavers the local authority is not in touch with",
        note="In touch recorded as No, Refused or not recorded. Longest without contact first.",
        columns=(
            ("child_id", "Child ID", "text"),
            ("in_touch", "In touch", "code:in_touch"),
            ("date_latest_contact", "Latest contact", "date"),
            ("days_since_contact", "Days since contact", "int"),
            ("eligibility_category", "Eligibility", "text"),
        ),
    ),
    dict(
        id="loe-health-assessments-overdue",
        view="loe_health_assessments_overdue",
        needs=("list_08_children_in_care",),
        rests_on=(
            ("list_08_children_in_care", "date_started_looked_after"),
            ("list_08_children_in_care", "date_last_health_assessment"),
        ),
        theme="children-in-care",
        title="Children in care with an overdue health assessment",
        note="No health assessment recorded, or the last more than 12 months ago (6 months for children under 5); children in care for under 28 days are left out. None recorded first.",
        columns=(
            ("child_id", "Child ID", "text"),
            ("age", "Age", "int"),
            ("date_started_looked_after", "In care since", "date"),
            ("date_last_health_assessment", "Last health assessment", "date"),
            ("days_since_assessment", "Days since", "int"),
        ),
    ),
    dict(
        id="loe-adoption-waiting",
        view="loe_adoption_waiting",
        needs=("list_10_adoptions",),
        rests_on=(("list_10_adoptions", "date_should_be_placed"),),
        theme="permanence",
        title="Children not placed for adoption by the date decided",
        note="Children on list 10 not placed by the date the decision said they should be: still waiting first, then the longest wait. Children no longer to be placed are left out.",
        columns=(
            ("child_id", "Child ID", "text"),
            ("date_should_be_placed", "Should be placed by", "date"),
            ("date_placed_for_adoption", "Placed", "date"),
            ("still_waiting", "Still waiting", "bool"),
            ("days_late", "Days late", "int"),
        ),
    ),
    dict(
        id="loe-unallocated",
        view="loe_unallocated",
        needs=("caseloads",),
        rests_on=(("caseloads", "worker"), ("caseloads", "open_cases")),
        theme="workforce",
        child_level=False,
        count_column="unallocated_cases",
        title="Unallocated cases (1.09)",
        note="Cases recorded against an 'Unallocated' row in 1.09 on the notification date, by team. Most first.",
        columns=(("team", "Team", "text"), ("unallocated_cases", "Unallocated cases", "int")),
    ),
    dict(
        id="loe-highest-caseloads",
        view="loe_highest_caseloads",
        evidence=False,  # always has rows: the highest caseloads are context, not a concern by themselves
        needs=("caseloads",),
        rests_on=(("caseloads", "open_cases"),),
        theme="workforce",
        child_level=False,
        title="Highest caseloads (1.09)",
        note="The 10 highest caseloads on the notification date. Workers are shown by job title and team, not by name.",
        columns=(
            ("position", "Position", "int"),
            ("job_title", "Job title", "text"),
            ("team", "Team", "text"),
            ("open_cases", "Open cases", "int"),
        ),
    ),
)


# The Annex A recent measures (sql/indicators/110-150) and the list columns each rests on; `left_out`
# names what the published definition leaves out, counted from a line-of-enquiry list and shown
# beside the figure: (line of enquiry, row flag, words).
RECENT_MEASURES: dict[str, dict] = {
    "rereferral_rate": dict(rests_on=(("list_03_referrals", "referrals_last_12_months"),)),
    "assessments_within_45wd": dict(
        # no authorised date means still open (said beside the figure), so it is not a gap
        rests_on=(("list_04_assessments", "assessment_start_date"),),
        left_out=(
            "loe-assessments-late",
            "still_open",
            "assessments still open past 45 working days are not in this figure (it counts authorised ones)",
        ),
    ),
    "cpp_repeat_rate": dict(rests_on=(("list_07_child_protection", "previous_cp_plans"),)),
    "cpp_2yrs_plus_rate": dict(rests_on=(("list_07_child_protection", "cp_plan_start_date"),)),
    "cla_3plus_placements_rate": dict(
        rests_on=(("list_08_children_in_care", "placements_last_12_months"),)
    ),
    "cla_missing_rate": dict(rests_on=(("list_08_children_in_care", "missing_episodes"),)),
    "care_leavers_in_touch_17_18": dict(
        rests_on=(("list_09_care_leavers", "in_touch"), ("list_09_care_leavers", "date_of_birth"))
    ),
    "care_leavers_in_touch_19_21": dict(
        rests_on=(("list_09_care_leavers", "in_touch"), ("list_09_care_leavers", "date_of_birth"))
    ),
}

# A recent measure on fewer cases than this is marked too small to compare.
SMALL_BASE = 10

# Headlines outside the line-of-enquiry lists, with what they rest on.
HEADLINES: dict[str, dict] = {
    "unregistered": dict(
        title="Placements in unregistered provision (3.17)",
        rests_on=(
            ("unregistered_provision", "child_id"),
            ("unregistered_provision", "provision_start_date"),
        ),
    ),
    "audit-coverage": dict(
        title="Which cohorts have no audited child",
        rests_on=(("audits", "child_id"), ("audits", "date_audit_completed")),
    ),
}

# The themes a lead inspector forms lines of enquiry around (para 75-76), in the framework's order.
# `indicators`: the published measures that speak to the theme (ids in the indicator dictionary);
# a line-of-enquiry list joins its theme by its own `theme`.
THEMES: tuple[dict, ...] = (
    dict(
        id="front-door",
        title="The front door: contacts, referrals and assessments",
        indicators=(
            "referrals_rate_per_10k",
            "rereferral_rate",
            "nfa_rate",
            "assessments_within_45wd",
            "s47_rate_per_10k",
        ),
    ),
    dict(
        id="help-and-protection",
        title="Help and protection: children in need and on child protection plans",
        indicators=(
            "cin_rate_per_10k",
            "icpc_within_15wd",
            "cpp_rate_per_10k",
            "cpp_repeat_rate",
            "cpp_2yrs_plus_rate",
            "cp_reviews_on_time",
        ),
    ),
    dict(
        id="children-in-care",
        title="Children in care: stability, health and going missing",
        indicators=(
            "cla_rate_per_10k",
            "cla_starting_rate_per_10k",
            "cla_3plus_placements_rate",
            "cla_missing_rate",
            "cla_health_assessments",
            "cla_dental_checks",
            "cla_placed_over_20_miles",
        ),
    ),
    dict(
        id="care-leavers",
        title="Care leavers: in touch, in education or work, suitably housed",
        indicators=(
            "care_leavers_in_touch_17_18",
            "care_leavers_in_touch_19_21",
            "care_leavers_eet_19_21",
            "care_leavers_suitable_accom_19_21",
        ),
    ),
    dict(
        id="permanence",
        title="Permanence: long-term stability and adoption",
        indicators=("cla_long_term_stability_rate",),
    ),
    dict(
        id="workforce",
        title="Workforce: turnover, agency staff, vacancies and caseloads",
        indicators=("sw_turnover_rate", "sw_agency_rate", "sw_vacancy_rate", "sw_caseload"),
    ),
    dict(
        id="unregistered-provision",
        title="Unregistered provision (para 307 to 312)",
        indicators=(),
    ),
)
