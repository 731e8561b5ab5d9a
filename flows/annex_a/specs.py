"""The list specs: the one source of truth for every Annex A list's columns.

Each `ListSpec` names its DuckDB table, its template headers (in template order), the canonical
snake_case column names, accepted header variants, types, whether a value may be blank, and the
code set a value must belong to. Readers, normalisers, validation suites, the synthetic generator
and the pack all read these specs; nothing else declares a list's columns.

Header matching is on a *key* (see `header_key`): case-folded, pivot prefixes ("Sum of ",
"Count of ") removed, everything but letters and digits dropped (curly quotes with the rest). So
"Date of Referral", "DateOfReferral", "date_of_referral " and "Date of referral" all match one
column; only genuinely different wordings need an alias.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from flows.annex_a import codes as C
from flows.annex_a.codes import CodeSet

ColumnType = Literal["id", "text", "date", "int", "code"]
Period = Literal["six_months", "twelve_months", "point_of_inspection", "notification_date"]

_PIVOT_PREFIX = re.compile(r"^\s*(sum|count|max|min|average) of\s+", re.IGNORECASE)
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def header_key(header: str) -> str:
    """The matching key of a header cell (see module docstring)."""
    h = _PIVOT_PREFIX.sub("", str(header)).casefold()
    return _NON_ALNUM.sub("", h)


@dataclass(frozen=True)
class Column:
    name: str  # canonical snake_case name in annex_a.*
    header: str  # the template header
    type: ColumnType = "text"
    required: bool = False  # a blank is a finding
    codes: CodeSet | None = None
    aliases: tuple[str, ...] = ()  # other headers LAs use (CamelCase extracts match by key already)
    key_date: bool = False  # an unparseable value makes the row unusable (severity error)
    personal: bool = False  # free text or identifying: never leaves the process except to the LA
    place: bool = False  # an LA name or code, typed to its ONS code (places.py)
    since: str | None = None  # the template version that added the column (older layouts lack it)

    def keys(self) -> set[str]:
        return {header_key(h) for h in (self.header, self.name, *self.aliases)} - {""}


@dataclass(frozen=True)
class ListSpec:
    table: str  # DuckDB table in schema annex_a, e.g. list_03_referrals
    number: str  # Annex A number: "1".."11", "audits", "2.02", "3.17", "1.09", ...
    title: str
    columns: tuple[Column, ...]
    period: Period = "six_months"
    period_column: str | None = None  # the date that must fall in the period
    one_row_per_child: bool = False
    child_level: bool = True
    hints: tuple[str, ...] = ()  # words in sheet or file names that break ties
    description: str = ""
    by_name: dict[str, Column] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {c.name: c for c in self.columns})
        keys: dict[str, str] = {}
        for c in self.columns:
            for k in c.keys():
                if keys.setdefault(k, c.name) != c.name:
                    raise ValueError(f"{self.table}: header key {k!r} claimed by {keys[k]} and {c.name}")

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def column(self, name: str) -> Column:
        return self.by_name[name]


# --- columns shared by the child-level lists -----------------------------------------------------
def child_id(header: str = "Child Unique ID") -> Column:
    return Column(
        "child_id", header, "id", required=True,
        aliases=("Child ID", "ChildID", "Unique ID", "Child Unique Identifier", "LA Child ID", "Person ID",
                 "PersonID", "Client ID", "CHILD_UNIQUE_ID", "UPN", "ChildUniqueID"),
        personal=True,
    )


GENDER = Column("gender", "Gender", "code", required=True, codes=C.GENDER, aliases=("Sex", "Gender Code"))
ETHNICITY = Column(
    "ethnicity", "Ethnicity", "code", required=True, codes=C.ETHNICITY,
    aliases=("Ethnic Group", "Ethnicity Code", "Ethnic Origin"),
)
DOB = Column("date_of_birth", "Date of Birth", "date", aliases=("DOB", "Birth Date", "PersonBirthDate"), personal=True)
AGE = Column("age", "Age of Child (Years)", "int", aliases=("Age", "Age (Years)", "Age of Child", "AgeYears", "Age at Referral", "Age at Contact"))
DISABILITY = Column(
    "disability", "Does the Child have a Disability", "code", codes=C.YES_NO_UNKNOWN,
    aliases=("Disability", "Disabled", "Disability (Y/N)", "Has Disability"),
)
TEAM = Column("allocated_team", "Allocated Team", "text", aliases=("Team", "Team Name"))
WORKER = Column("allocated_worker", "Allocated Worker", "text", aliases=("Worker", "Social Worker", "Allocated Social Worker", "Worker Name"), personal=True)
PERSON = (GENDER, ETHNICITY, DOB, AGE)


def _list(table: str, number: str, title: str, *columns: Column, **kw) -> ListSpec:
    return ListSpec(table, number, title, tuple(columns), **kw)


LIST_01 = _list(
    "list_01_contacts", "1", "Contacts",
    child_id(), *PERSON,
    Column("date_of_contact", "Date of Contact", "date", required=True, key_date=True, aliases=("Contact Date",)),
    Column("contact_source", "Contact Source", "code", codes=C.SOURCE, aliases=("Source of Contact", "Source")),
    period_column="date_of_contact", hints=("contact",),
)

LIST_02 = _list(
    "list_02_early_help", "2", "Early help",
    child_id(), *PERSON,
    Column("assessment_start_date", "Assessment start date", "date", required=True, key_date=True,
           aliases=("Early Help Assessment Start Date", "EH Assessment Start Date", "EHA Start Date")),
    Column("assessment_completion_date", "Assessment completion date", "date",
           aliases=("Early Help Assessment Completion Date", "EH Assessment Completion Date", "EHA Completion Date")),
    Column("organisation_completing_assessment", "Organisation completing assessment", "text",
           aliases=("Organisation", "Completing Organisation", "Lead Agency")),
    period_column="assessment_start_date", hints=("early help", "eh"),
)

LIST_03 = _list(
    "list_03_referrals", "3", "Referrals",
    child_id(), *PERSON,
    Column("date_of_referral", "Date of referral", "date", required=True, key_date=True, aliases=("Referral Date",)),
    Column("referral_source", "Referral Source", "code", codes=C.SOURCE, aliases=("Source of Referral",)),
    Column("referral_nfa", "Referral NFA?", "code", codes=C.YES_NO, aliases=("NFA", "Referral NFA", "Referral No Further Action")),
    Column("referrals_last_12_months", "Number of Referrals in Last 12 Months", "int",
           aliases=("Referrals in Last 12 Months", "No. of Referrals in Last 12 Months", "ReferralsLast12Months")),
    TEAM, WORKER,
    period_column="date_of_referral", hints=("referral",),
)

LIST_04 = _list(
    "list_04_assessments", "4", "Assessments",
    child_id(), *PERSON, DISABILITY,
    Column("assessment_start_date", "Continuous Assessment Start Date", "date", required=True, key_date=True,
           aliases=("Assessment Start Date", "Start Date of Assessment", "AssessmentStartDate",
                    "ContinuousAssessmentStart")),
    Column("child_seen", "Child Seen During Continuous Assessment", "code", codes=C.YES_NO_UNKNOWN,
           aliases=("Child Seen", "Child Seen During Assessment", "ContinuousAssessmentChildSeen")),
    Column("assessment_authorised_date", "Continuous Assessment Date of Authorisation", "date",
           aliases=("Assessment Authorisation Date", "Date of Authorisation", "Assessment Completion Date",
                    "AssessmentAuthorisationDate", "ContinuousAssessmentAuthDate")),
    Column("requires_support", "Was the child assessed as requiring LA children's social care support?", "code",
           codes=C.YES_NO_UNKNOWN, aliases=("Assessed as Requiring Support", "Requires Support", "Outcome Requires Support",
                    "CSCSupportRequired")),
    TEAM, WORKER,
    period_column="assessment_start_date", hints=("assessment",),
)

LIST_05 = _list(
    "list_05_section_47", "5", "Section 47 enquiries and ICPCs",
    child_id(), *PERSON, DISABILITY,
    Column("strategy_discussion_date", "Strategy discussion initiating Section 47 Enquiry Start Date", "date",
           required=True, key_date=True,
           aliases=("Strategy Discussion Date", "S47 Start Date", "Section 47 Start Date", "S47StartDate",
                    "Strategy Discussion Initiating Section 47 Enquiry Date", "StratDiscussionDate")),
    Column("icpc_unnecessary", "Was an Initial Child Protection Conference deemed unnecessary?", "code",
           codes=C.YES_NO, aliases=("ICPC Unnecessary", "ICPC Deemed Unnecessary")),
    Column("icpc_date", "Date of Initial Child Protection Conference", "date", aliases=("ICPC Date", "Date of ICPC")),
    Column("icpc_resulted_in_plan", "Did the Initial Child Protection Conference Result in a Child Protection Plan",
           "code", codes=C.YES_NO, aliases=("ICPC Resulted in CP Plan", "ICPC Outcome CP Plan", "CP Plan from ICPC", "CPConfResultInCPPlan")),
    Column("s47_last_12_months", "Number of Section 47 Enquiries in the last 12 months", "int",
           aliases=("S47s in Last 12 Months", "Number of S47 Enquiries in Last 12 Months", "NumberS47s12m")),
    Column("icpcs_last_12_months", "Number of ICPCs in the last 12 months", "int", aliases=("ICPCs in Last 12 Months", "NumberICPCs12m")),
    TEAM, WORKER,
    period_column="strategy_discussion_date", hints=("s47", "section 47", "icpc"),
)

LIST_06 = _list(
    "list_06_children_in_need", "6", "Children in need",
    child_id(), *PERSON, DISABILITY,
    Column("cin_start_date", "CIN Start Date", "date", required=True, key_date=True,
           aliases=("Child in Need Start Date", "CIN Episode Start Date")),
    Column("primary_need_code", "Primary Need Code", "code", codes=C.NEED, aliases=("Primary Need", "Category of Need")),
    Column("date_last_seen", "Date Child Was Last Seen", "date", aliases=("Date Last Seen", "Last Seen Date")),
    Column("cin_closure_date", "CIN Closure Date", "date", aliases=("Closure Date", "CIN End Date")),
    Column("reason_for_closure", "Reason for Closure", "code", codes=C.CIN_CLOSURE, aliases=("Closure Reason",)),
    Column("case_status", "Case Status", "code", codes=C.CASE_STATUS, aliases=("Status",)),
    TEAM, WORKER,
    period="point_of_inspection", period_column="cin_closure_date", one_row_per_child=True,
    hints=("cin", "children in need", "child in need"),
)

LIST_07 = _list(
    "list_07_child_protection", "7", "Child protection",
    child_id(), *PERSON, DISABILITY,
    Column("cp_plan_start_date", "Child Protection Plan Start Date", "date", required=True, key_date=True,
           aliases=("CP Plan Start Date", "CPP Start Date", "CPPStartDate")),
    Column("initial_category_of_abuse", "Initial Category of Abuse", "code", codes=C.ABUSE_CATEGORY,
           aliases=("Initial Category",)),
    Column("latest_category_of_abuse", "Latest Category of Abuse", "code", codes=C.ABUSE_CATEGORY,
           aliases=("Latest Category", "Category of Abuse")),
    Column("date_last_visit", "Date of the Last Statutory Visit", "date",
           aliases=("Date of Last Statutory Visit", "Last Statutory Visit", "Last Visit Date")),
    Column("seen_alone", "Was the Child Seen Alone?", "code", codes=C.YES_NO_UNKNOWN, aliases=("Seen Alone", "Child Seen Alone")),
    Column("date_latest_review", "Date of latest review conference", "date",
           aliases=("Latest Review Conference Date", "Date of Last Review Conference", "Last Review Date",
                    "DateOfLatestReviewConf")),
    Column("cp_plan_end_date", "Child Protection Plan End Date", "date", aliases=("CP Plan End Date", "CPP End Date")),
    Column("emergency_protection", "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)",
           "code", codes=C.YES_NO, aliases=("EPO or Police Protection", "Emergency Protection Order (Y/N)", "ProtectionLastSixMonths")),
    Column("previous_cp_plans", "Number of Previous Child Protection Plans", "int",
           aliases=("Previous CP Plans", "Number of Previous CP Plans")),
    TEAM, WORKER,
    period="point_of_inspection", period_column="cp_plan_end_date", one_row_per_child=True,
    hints=("cp", "child protection", "cpp"),
)

LIST_08 = _list(
    "list_08_children_in_care", "8", "Children in care",
    child_id(), *PERSON,
    Column("uasc", "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)", "code", codes=C.YES_NO,
           aliases=("UASC", "UASC (Y/N)")),
    DISABILITY,
    Column("date_started_looked_after", "Date Started to be Looked After", "date", required=True, key_date=True,
           aliases=("Date Started Looked After", "Date Entered Care", "CLA Start Date", "Period of Care Start Date")),
    Column("category_of_need", "Child's Category of Need", "code", codes=C.CATEGORY_OF_NEED,
           aliases=("Category of Need", "CLA Category of Need")),
    Column("subsequent_period", "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)",
           "code", codes=C.YES_NO, aliases=("Second or Subsequent Period", "Subsequent Period of Care", "SubsequentLACEpisodeLast12Months")),
    Column("legal_status_start_date", "Start date of current legal status", "date",
           aliases=("Legal Status Start Date", "MostRecentLegalStatusStart")),
    Column("legal_status", "Child's Legal Status", "code", codes=C.LEGAL_STATUS, aliases=("Legal Status",)),
    Column("date_latest_review", "Date of Latest Statutory Review", "date", aliases=("Latest Statutory Review", "Latest Review Date")),
    Column("date_last_visit", "Date of Last Social Work Visit", "date", aliases=("Last Social Work Visit", "Last Visit Date")),
    Column("permanence_plan", "What is the permanence plan for this child?", "code", codes=C.PERMANENCE_PLAN,
           aliases=("Permanence Plan",)),
    Column("date_last_iro_contact", "Date of Last IRO Visit / Contact to the Child", "date",
           aliases=("Date of Last IRO Visit", "Last IRO Contact", "LastIROVisitDate")),
    Column("date_last_health_assessment", "Date of Last Health Assessment", "date", aliases=("Last Health Assessment",)),
    Column("date_last_dental_check", "Date of Last Dental Check", "date", aliases=("Last Dental Check",)),
    Column("placements_last_12_months", "Number of Placements in the Last 12 months", "int",
           aliases=("Placements in Last 12 Months", "Number of Placements")),
    Column("date_ceased_looked_after", "Date Ceased to be Looked After", "date", aliases=("Date Ceased Looked After", "CLA End Date")),
    Column("reason_ceased", "Reason Ceased to be Looked After", "code", codes=C.REASON_CEASED, aliases=("Reason Ceased",)),
    Column("placement_start_date", "Start Date of Most Recent Placement", "date",
           aliases=("Placement Start Date", "MostRecentPlacementStartDate")),
    Column("placement_type", "Placement Type", "code", codes=C.PLACEMENT_TYPE),
    Column("placement_provider", "Placement Provider", "code", codes=C.PLACEMENT_PROVIDER),
    Column("placement_postcode", "Placement postcode", "text", aliases=("Postcode",), personal=True),
    Column("placement_urn", "URN of Placement", "text", aliases=("Placement URN", "URN")),
    Column("placement_location", "Placement Location", "code", codes=C.PLACEMENT_LOCATION, aliases=("In or Out of Area",)),
    Column("la_of_placement", "LA of Placement", "text", aliases=("Placement LA", "Placement Local Authority"),
           place=True),
    Column("missing_episodes", "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months", "int",
           aliases=("Missing Episodes", "Number of Missing Episodes", "EpisodesChildMissingFromPlacement")),
    Column("absent_episodes", "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months", "int",
           aliases=("Absent Episodes", "Number of Absent Episodes", "EpisodesChildAbsentFromPlacement")),
    Column("return_interview_offered", "Was the child offered a Return Interview after their last missing episode (Y/N)?", "code",
           codes=C.YES_NO_UNKNOWN, aliases=("Return Interview Offered", "ChildOfferedReturnInterviewAfterLastMFH")),
    Column("return_interview_accepted", "Did the child accept a Return Interview after their last missing episode (Y/N)?", "code",
           codes=C.YES_NO_UNKNOWN, aliases=("Return Interview Accepted", "ChildAcceptedReturnInterviewAfterLastMFH")),
    TEAM, WORKER,
    period="point_of_inspection", period_column="date_ceased_looked_after", one_row_per_child=True,
    hints=("cla", "looked after", "children in care", "lac"),
)

LIST_09 = _list(
    "list_09_care_leavers", "9", "Care leavers",
    child_id(), *PERSON,
    Column("uasc", "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)", "code", codes=C.YES_NO,
           aliases=("UASC", "UASC (Y/N)", "Former UASC"), since="2024"),
    DISABILITY, TEAM, WORKER,
    Column("allocated_personal_advisor", "Allocated Personal Advisor", "text", aliases=("Personal Advisor", "PA"),
           personal=True, since="2024"),
    Column("eligibility_category", "Eligibility Category", "code", codes=C.CARE_LEAVER_ELIGIBILITY,
           aliases=("Eligibility", "Care Leaver Category")),
    Column("date_latest_pathway_plan_review", "Latest Pathway Plan Review Date", "date",
           aliases=("Pathway Plan Review Date", "LatestPathwayPlan"), since="2024"),
    Column("in_touch", "LA in Touch", "code", codes=C.IN_TOUCH, aliases=("In Touch", "LA In Touch with Care Leaver")),
    Column("date_latest_contact", "Latest Date of Contact", "date",
           aliases=("Date of Latest Contact", "Last Contact Date", "LatestContact"), since="2024"),
    Column("accommodation_type", "Type of Accommodation", "code", codes=C.ACCOMMODATION, aliases=("Accommodation Type", "Accommodation")),
    Column("accommodation_suitability", "Suitability of Accommodation", "code", codes=C.ACCOMMODATION_SUITABILITY,
           aliases=("Accommodation Suitability", "Suitable Accommodation")),
    Column("activity_status", "Activity Status", "code", codes=C.ACTIVITY, aliases=("Activity", "Main Activity")),
    period="point_of_inspection", one_row_per_child=True, hints=("care leaver", "leaving care", "cl"),
)

LIST_10 = _list(
    "list_10_adoptions", "10", "Adoptions",
    child_id(),
    Column("family_id", "Family identifier", "id", aliases=("Family ID", "FamilyID", "Family Identifier")),
    *PERSON, DISABILITY,
    Column("date_entered_care", "Date the Child Entered Care", "date", required=True, key_date=True,
           aliases=("Date Entered Care", "Date Started to be Looked After")),
    Column("date_should_be_placed", "Date of Decision that Child Should be Placed for Adoption", "date",
           aliases=("Date of ADM Decision", "SHOBPA Date", "Date Should be Placed for Adoption", "ADMSHOBPADecisionDate")),
    Column("date_placement_order", "Date of Placement Order", "date", aliases=("Placement Order Date",)),
    Column("date_matched", "Date of Matching Child and Prospective Adopters", "date",
           aliases=("Date Matched", "Matching Date", "MatchedForAdoptionDate")),
    Column("date_placed_for_adoption", "Date Placed for Adoption", "date", aliases=("Placed for Adoption Date",)),
    Column("date_adoption_order", "Date of Adoption Order", "date", aliases=("Adoption Order Date",)),
    Column("date_no_longer_placed", "Date of Decision that Child Should No Longer be Placed for Adoption", "date",
           aliases=("Date Decision Reversed", "DecisionReversedDate")),
    Column("reason_no_longer_placed", "Reason Why Child No Longer Placed for Adoption", "code", codes=C.ADOPTION_REVERSED,
           aliases=("Reason Decision Reversed", "DecisionReversedReason")),
    Column("date_ffa_placement", "Date the child was placed for fostering in FFA or concurrent planning placement", "date",
           aliases=("FFA Placement Date", "Date Placed in FFA", "DateFFAConsurrencyPlacement", "DateFFAConcurrencyPlacement")),
    period="twelve_months", period_column="date_should_be_placed", one_row_per_child=True, hints=("adoption", "adopted"),
)

LIST_11 = _list(
    "list_11_adopters", "11", "Adopters",
    Column("adopter_id", "Individual adopter identifier", "id", required=True,
           aliases=("Adopter ID", "AdopterID", "Individual Adopter ID"), personal=True),
    Column("family_id", "Family identifier", "id", aliases=("Family ID", "FamilyID")),
    Column("gender", "Gender", "code", codes=C.GENDER, aliases=GENDER.aliases),
    Column("ethnicity", "Ethnicity", "code", codes=C.ETHNICITY, aliases=ETHNICITY.aliases),
    Column("disability", "Disability", "code", codes=C.YES_NO_UNKNOWN, aliases=("HasDisability", "Has Disability")),
    Column("fostering_for_adoption", "Is the (prospective) adopter fostering for adoption?", "code", codes=C.YES_NO,
           aliases=("Fostering for Adoption", "FFA", "AdoptedByCarer")),
    Column("date_enquiry", "Date enquiry received", "date", required=True, key_date=True, aliases=("Enquiry Date",)),
    Column("date_stage1_started", "Date Stage 1 started", "date"),
    Column("date_stage1_ended", "Date Stage 1 ended", "date"),
    Column("date_stage2_started", "Date Stage 2 started", "date"),
    Column("date_stage2_ended", "Date Stage 2 ended", "date"),
    Column("date_application_submitted", "Date application submitted", "date", aliases=("ApplicationDate",)),
    Column("date_application_approved", "Date application approved", "date", aliases=("ApplicationApprDate",)),
    Column("date_matched", "Date adopter matched with child(ren)", "date", aliases=("Date Matched",)),
    Column("date_placed", "Date child/children placed with adopter(s)", "date", aliases=("Date Placed",)),
    Column("children_placed", "No. of children placed", "int", aliases=("Number of Children Placed", "NumSiblingsPlaced")),
    Column("date_adoption_order", "Date of Adoption Order", "date", aliases=("Adoption Order Date",)),
    Column("date_left_process", "Date of leaving adoption process", "date", aliases=("Date Left Process", "AdoptionLeaveDate")),
    Column("reason_left_process", "Reason for leaving adoption process", "code", codes=C.ADOPTER_LEAVING,
           aliases=("Reason Left Process", "AdoptingLeaveReason")),
    period="twelve_months", period_column="date_enquiry", hints=("adopter",),
)

# --- management-information lists (para 328, 331-333); these have no fixed template -------------
AUDITS = _list(
    "audits", "audits", "Case audits",
    child_id(),
    Column("audit_theme", "Audit Theme", "text", required=True, aliases=("Theme", "Audit Type", "Audit Topic")),
    Column("date_audit_completed", "Date Audit Completed", "date", required=True, key_date=True,
           aliases=("Audit Completed Date", "Date Completed", "Audit Date", "Date of Audit")),
    Column("audit_grade", "Audit Grade", "text", aliases=("Audit Outcome", "Grade", "Judgement")),
    period_column="date_audit_completed", hints=("audit",),
    description="para 328: child ID, audit theme, date completed",
)

MISSING_EXPLOITATION = _list(
    "missing_exploitation", "2.02", "Children missing or at risk of exploitation",
    child_id(),
    Column("current_status", "Current Status", "code", required=True, codes=C.CURRENT_STATUS,
           aliases=("Status", "Child Status", "Current Legal Status")),
    Column("missing", "Missing (Y/N)", "code", codes=C.YES_NO, aliases=("Missing", "Missing From Home or Care")),
    Column("risk_sexual_exploitation", "At Risk of Sexual Exploitation (Y/N)", "code", codes=C.YES_NO,
           aliases=("At Risk of CSE", "CSE", "Sexual Exploitation Risk", "At Risk of Sexual Exploitation")),
    Column("risk_criminal_exploitation", "At Risk of Criminal Exploitation (Y/N)", "code", codes=C.YES_NO,
           aliases=("At Risk of CCE", "CCE", "Criminal Exploitation Risk", "At Risk of Criminal Exploitation")),
    period="twelve_months", hints=("missing", "exploitation", "2.02"),
)

PRIVATE_FOSTERING = _list(
    "private_fostering", "2.03", "Children privately fostered",
    child_id(), DOB,
    Column("date_arrangement_started", "Date Private Fostering Arrangement Commenced", "date", required=True, key_date=True,
           aliases=("Date Arrangement Commenced", "Arrangement Start Date", "Private Fostering Start Date")),
    period="point_of_inspection", hints=("private fostering", "2.03"),
)

MISSING_EDUCATION = _list(
    "missing_education", "2.05", "Children missing education",
    child_id("Child Unique ID or UPN"), DOB,
    Column("provision_type", "Type of Educational Provision", "text", aliases=("Provision Type", "Educational Provision")),
    Column("hours_per_week", "Hours of Provision per Week", "int", aliases=("Hours per Week", "Weekly Hours")),
    Column("exclusion_type", "Type of Exclusion", "text", aliases=("Exclusion Type", "Exclusion")),
    Column("date_alternative_provision", "Date Alternative Provision Began", "date",
           aliases=("Alternative Provision Start Date", "AP Start Date")),
    period="point_of_inspection", hints=("missing education", "cme", "2.05"),
)

HOMELESS_16_17 = _list(
    "homeless_16_17", "2.06", "16 and 17 year olds presenting as homeless",
    child_id(), *PERSON,
    Column("date_presented", "Date Presented as Homeless", "date", required=True, key_date=True,
           aliases=("Presentation Date", "Date Presented")),
    Column("outcome", "Outcome", "text", aliases=("Outcome of Presentation",)),
    period="six_months", period_column="date_presented", hints=("homeless", "2.06"),
)

YOUNG_CARERS = _list(
    "young_carers", "2.07", "Young carers supported under section 17",
    child_id(), *PERSON,
    Column("date_identified", "Date Identified as Young Carer", "date", aliases=("Date Identified",)),
    period="point_of_inspection", hints=("young carer", "2.07"),
)

SUPERVISION_ORDERS = _list(
    "supervision_orders", "2.08", "Children subject to a supervision order",
    child_id(), *PERSON,
    Column("order_type", "Type of Supervision Order", "text", aliases=("Order Type", "Supervision Order Type")),
    Column("order_start_date", "Supervision Order Start Date", "date", aliases=("Order Start Date", "Date of Order")),
    Column("on_cp_plan", "Also Subject to a Child Protection Plan (Y/N)", "code", codes=C.YES_NO,
           aliases=("On CP Plan", "Subject to CP Plan", "CP Plan (Y/N)")),
    period="point_of_inspection", hints=("supervision order", "2.08"),
)

SECURE_ORDERS = _list(
    "secure_orders", "3.10", "Young people placed under secure accommodation welfare orders",
    child_id(), *PERSON,
    Column("order_start_date", "Secure Order Start Date", "date", aliases=("Order Start Date", "Date of Order")),
    Column("placement", "Placement", "text", aliases=("Secure Placement", "Placement Name")),
    period="point_of_inspection", hints=("secure", "section 25", "3.10"),
)

CARE_LEAVERS_HMO = _list(
    "care_leavers_hmo", "3.14", "Care leavers living in houses in multiple occupation",
    child_id(), *PERSON,
    Column("date_moved_in", "Date Moved into HMO", "date", aliases=("HMO Start Date", "Date Moved In")),
    period="point_of_inspection", hints=("hmo", "multiple occupation", "3.14"),
)

UNREGISTERED_PROVISION = _list(
    "unregistered_provision", "3.17", "Children living in unregistered provision",
    child_id(), DOB,
    Column("provision_start_date", "Date Provision Started", "date", required=True, key_date=True,
           aliases=("Provision Start Date", "Start Date", "Placement Start Date", "Date Placement Started")),
    Column("provision_end_date", "Date Provision Finished", "date",
           aliases=("Provision End Date", "End Date", "Placement End Date", "Date Placement Ended", "Date Provision Ended")),
    Column("provision_type", "Type of Provision", "code", required=True, codes=C.UNREGISTERED_TYPE,
           aliases=("Provision Type", "Type of Placement")),
    Column("provision_details", "Details of Provision", "text",
           aliases=("Details", "Provision Details", "Summary of Support and Oversight"), personal=True),
    period="six_months", period_column="provision_end_date", hints=("unregistered", "3.17"),
    description="every placement; several rows per child allowed",
)

DEPRIVATION_OF_LIBERTY = _list(
    "deprivation_of_liberty", "3.18", "Children subject to a deprivation of liberty order",
    child_id(), DOB,
    Column("order_date", "Date of Order", "date", aliases=("DoL Order Date", "Order Date", "DOLS Order Date")),
    Column("accommodation_type", "Type of Accommodation Most Recently Placed", "code", required=True,
           codes=C.DOLS_ACCOMMODATION, aliases=("Type of Accommodation", "Accommodation Type", "Most Recent Accommodation")),
    period="six_months", hints=("deprivation", "dol", "dols", "3.18"),
)

ADOPTION_SUPPORT = _list(
    "adoption_support", "3.20", "Adoptive families asking for an adoption support assessment",
    Column("family_id", "Family identifier", "id", required=True, aliases=("Family ID", "FamilyID", "Adoptive Family ID")),
    Column("date_requested", "Date Assessment Requested", "date", required=True, key_date=True,
           aliases=("Date of Request", "Request Date")),
    Column("date_assessment_completed", "Date Assessment Completed", "date", aliases=("Assessment Completed",)),
    Column("outcome", "Outcome", "text"),
    period="six_months", period_column="date_requested", child_level=False, hints=("adoption support", "3.20"),
)

CASELOADS = _list(
    "caseloads", "1.09", "Caseloads of case-holding workers",
    Column("worker", "Worker", "text", required=True,
           aliases=("Worker Name", "Social Worker", "Practitioner", "Worker ID", "Staff ID", "Name"), personal=True),
    Column("job_title", "Job Title", "text", aliases=("Role", "Position")),
    Column("team", "Team", "text", aliases=("Team Name", "Service Area")),
    Column("open_cases", "Open Cases on Notification Date", "int", required=True,
           aliases=("Open Cases", "Number of Open Cases", "Caseload", "Number of Cases", "Cases Held")),
    period="notification_date", child_level=False, hints=("caseload", "1.09", "workforce"),
    description="one row per worker; a row whose worker is 'Unallocated' carries the unallocated cases",
)

SPECS: tuple[ListSpec, ...] = (
    LIST_01, LIST_02, LIST_03, LIST_04, LIST_05, LIST_06, LIST_07, LIST_08, LIST_09, LIST_10, LIST_11,
    AUDITS, MISSING_EXPLOITATION, PRIVATE_FOSTERING, MISSING_EDUCATION, HOMELESS_16_17, YOUNG_CARERS,
    SUPERVISION_ORDERS, SECURE_ORDERS, CARE_LEAVERS_HMO, UNREGISTERED_PROVISION, DEPRIVATION_OF_LIBERTY,
    ADOPTION_SUPPORT, CASELOADS,
)
BY_TABLE: dict[str, ListSpec] = {s.table: s for s in SPECS}
CHILD_LISTS = tuple(s for s in SPECS if s.number.isdigit())  # lists 1-11


def spec(table: str) -> ListSpec:
    return BY_TABLE[table]
