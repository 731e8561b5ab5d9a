"""A corpus of the shapes Annex A arrives in, built here from public facts, each read like the template.

The same synthetic children are written once as the template spells them (the control) and once in
each external shape: the template's own dropdown spellings, liia-tools-style header variants, a
Standard Safeguarding Dataset (SSD) extract as CSV (its column aliases, NULL text, dd/MM/yyyy
strings, 01/01/1900 placeholders), patch-app sheet names, the 2026 template's `Sex`, LA value
spellings, decimal ages and the older 13-column list 9. Every shape must give the same typed
annex_a.* tables as the control (no value lost) and no error and no warning it does not deserve.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl
import pytest
from annex_a_fixtures import new_warehouse, write_csv, write_xlsx

from flows import las, synth
from flows.annex_a import codes as C
from flows.annex_a import load, places
from flows.annex_a import specs as S
from flows.synth.write import template_value

LA = "E06000050"
ND = dt.date(2026, 11, 16)
ROWS = 40  # per list: enough for every shape's rotations, small enough to stay quick


# --- how a shape writes a cell -------------------------------------------------------------------
def template_code(cs: C.CodeSet, code: str, i: int) -> str:
    return template_value(cs, code)


def dropdown_code(cs: C.CodeSet, code: str, i: int) -> str:
    """The template's dropdown: 'a) 1A: Individual: family member …', or with ' - ', in any case."""
    n = cs.values.index(code)
    label = cs.labels[code]
    forms = (
        f"{chr(97 + n)}) {code}: {label}",
        f"{chr(97 + n)}) {code} - {label}",
        f"{code}: {label}",
    )
    raw = forms[i % 3]
    return raw.upper() if i % 5 == 4 else raw


# LA value spellings (liia-tools-pipeline's value maps are the public record of these)
LA_SPELLINGS = {
    ("gender", "Male"): "1 - Male",
    ("gender", "Female"): "2 - Female",
    ("case_status", "Looked after child"): "CLA",
    ("case_status", "Child in need plan"): "CiN Plan",
    ("case_status", "Child Protection plan"): "CP Plan",
    ("placement_location", "In"): "In borough",
    ("placement_location", "Out"): "Out of borough",
    ("yes_no", "Yes"): "1 - Yes",
    ("yes_no", "No"): "0 - No",
    ("abuse_category", "Neglect"): "1d Neglect",
}


def la_code(cs: C.CodeSet, code: str, i: int) -> str:
    if (cs.name, code) in LA_SPELLINGS:
        return LA_SPELLINGS[(cs.name, code)]
    if cs.name in ("ethnicity", "need", "category_of_need", "cin_closure", "placement_type"):
        return f"{code} - {cs.labels[code]}"  # "WBRI - White British", "N1 - Abuse or neglect"
    return template_value(cs, code)


def ssd_code(cs: C.CodeSet, code: str, i: int) -> str:
    """As the SSD's Annex A script writes codes: lettered, 'N1 - …', 'RC1 - …', 'B: …'."""
    if cs.name in ("need", "category_of_need", "cin_closure", "adoption_reversed"):
        return f"{code} - {cs.labels[code]}"
    if cs.name in ("accommodation", "activity"):
        return f"{code}: {cs.labels[code]}"
    if cs.name == "source":
        return f"{chr(97 + cs.values.index(code))}) {code}: {cs.labels[code].split(':')[0]}"
    return template_value(cs, code)


def la_place(code: str, i: int) -> str:
    """An LA of placement as LAs write it: old DfE code, ONS code, '<name> Council' or the name."""
    if code in places.OUTSIDE_ENGLAND:
        return code
    la = las.all_las()[code]
    return (la.old_code, la.ons_code, f"{la.name} Council", la.name)[i % 4]


# --- headers ---------------------------------------------------------------------------------------
# liia-tools-style variants: possessives, word order, notes in brackets, synonyms, abbreviations
LIIA_HEADERS = {
    "child_id": ("Child Identifier", "Unique Child ID", "Child's ID", "LCS Child ID",
                 "Child ID (Mosaic)", "Child Reference ID"),
    "date_of_birth": ("Child's Date of Birth", "Date of birth (dd/mm/yyyy)", "DoB"),
    "age": ("Child's age", "Age of Child", "AGE_OF_CHILD_YEARS"),
    "ethnicity": ("Ethnicity (Annex A code)",),
    "date_of_contact": ("Date Contact Received",),
    "contact_source": ("Contact Source (Annex A code)",),
    "date_of_referral": ("Date of Referral (start)",),
    "legal_status": ("Child Legal Status",),
    "strategy_discussion_date": ("S47 Start Date",),
    "icpc_date": ("ICPC Date",),
    "cp_plan_start_date": ("CP Plan Start Date",),
    "date_started_looked_after": ("CLA Start Date",),
    "allocated_personal_advisor": ("PA",),
    "uasc": ("UASC",),
    "disability": ("Disability (Y/N)",),
}  # fmt: skip

# the SSD's Annex A script aliases (data-to-insight/ssd-data-model, AnnexA_sqlserver_*.sql)
SSD_HEADERS = {
    "list_01_contacts": {"date_of_contact": "DateOfContact", "contact_source": "ContactSource"},
    "list_02_early_help": {
        "assessment_start_date": "AssessmentStartDate",
        "assessment_completion_date": "AssessmentCompletionDate",
        "organisation_completing_assessment": "OrganisationCompletingAssessment",
    },
    "list_03_referrals": {
        "date_of_referral": "ReferralDate",
        "referral_source": "ReferralSource",
        "referral_nfa": "ReferralNFA",
        "referrals_last_12_months": "ReferralsLast12Months",
    },
    "list_04_assessments": {
        "disability": "HasDisability",
        "assessment_start_date": "ContinuousAssessmentStart",
        "child_seen": "ContinuousAssessmentChildSeen",
        "assessment_authorised_date": "ContinuousAssessmentAuthDate",
        "requires_support": "CSCSupportRequired",
    },
    "list_05_section_47": {
        "disability": "HasDisability",
        "strategy_discussion_date": "StratDiscussionDate",
        "icpc_unnecessary": "InitialCPConfUnnecessary",
        "icpc_date": "InitialCPConfDate",
        "icpc_resulted_in_plan": "CPConfResultInCPPlan",
        "s47_last_12_months": "NumberS47s12m",
        "icpcs_last_12_months": "NumberICPCs12m",
    },
    "list_06_children_in_need": {
        "disability": "HasDisability",
        "cin_start_date": "CINStartDate",
        "primary_need_code": "PrimaryNeedCode",
        "date_last_seen": "DateChildLastSeen",
        "cin_closure_date": "CINClosureDate",
        "reason_for_closure": "ReasonForClosure",
        "case_status": "CaseStatus",
    },
    "list_07_child_protection": {
        "disability": "HasDisability",
        "cp_plan_start_date": "ChildProtectionPlanStartDate",
        "initial_category_of_abuse": "InitialCategoryOfAbuse",
        "latest_category_of_abuse": "LatestCategoryOfAbuse",
        "date_last_visit": "DateOfLastStatutoryVisit",
        "seen_alone": "ChildSeenAlone",
        "date_latest_review": "DateOfLatestReviewConf",
        "cp_plan_end_date": "ChildProtectionPlanEndDate",
        "emergency_protection": "ProtectionLastSixMonths",
        "previous_cp_plans": "NumberOfPreviousChildProtectionPlans",
    },
    "list_08_children_in_care": {
        "uasc": "UASC",
        "disability": "HasDisability",
        "date_started_looked_after": "LoookedAfterStartDate",
        "category_of_need": "ChildCategoryOfNeed",
        "subsequent_period": "SubsequentLACEpisodeLast12Months",
        "legal_status_start_date": "MostRecentLegalStatusStart",
        "legal_status": "LegalStatus",
        "date_latest_review": "LatestStatutoryReviewDate",
        "date_last_visit": "LastSocialWorkVisitDate",
        "permanence_plan": "PermanencePlan",
        "date_last_iro_contact": "LastIROVisitDate",
        "date_last_health_assessment": "LastHealthAssessmentDate",
        "date_last_dental_check": "LastDentalCheckDate",
        "placements_last_12_months": "PlacementsLast12Months",
        "date_ceased_looked_after": "CeasedLookedAfterDate",
        "reason_ceased": "ReasonCeasedLookedAfter",
        "placement_start_date": "MostRecentPlacementStartDate",
        "placement_type": "PlacementType",
        "placement_provider": "PlacementProvider",
        "placement_postcode": "PlacementPostcode",
        "placement_urn": "PlacementURN",
        "missing_episodes": "EpisodesChildMissingFromPlacement",
        "absent_episodes": "EpisodesChildAbsentFromPlacement",
        "return_interview_offered": "ChildOfferedReturnInterviewAfterLastMFH",
        "return_interview_accepted": "ChildAcceptedReturnInterviewAfterLastMFH",
    },
    "list_09_care_leavers": {
        "uasc": "UASC",
        "disability": "HasDisability",
        "allocated_personal_advisor": "AllocatedPersonalAdvisor",
        "eligibility_category": "EligibilityCategory",
        "date_latest_pathway_plan_review": "LatestPathwayPlan",
        "in_touch": "LAInTouch",
        "date_latest_contact": "LatestContact",
        "accommodation_type": "TypeOfAccommodation",
        "accommodation_suitability": "SuitabilityOfAccommodation",
        "activity_status": "ActivityStatus",
    },
    "list_10_adoptions": {
        "family_id": "FamilyID",
        "disability": "HasDisability",
        "date_entered_care": "EnteredCareDate",
        "date_should_be_placed": "ADMSHOBPADecisionDate",
        "date_placement_order": "PlacementOrderDate",
        "date_matched": "MatchedForAdoptionDate",
        "date_placed_for_adoption": "PlacedForAdoptionDate",
        "date_adoption_order": "AdoptionOrderDate",
        "date_no_longer_placed": "DecisionReversedDate",
        "reason_no_longer_placed": "DecisionReversedReason",
        "date_ffa_placement": "DateFFAConsurrencyPlacement",
    },
    "list_11_adopters": {
        "adopter_id": "AdopterID",
        "disability": "HasDisability",
        "fostering_for_adoption": "AdoptedByCarer",
        "date_enquiry": "EnquiryDate",
        "date_stage1_started": "Stage1StartDate",
        "date_stage1_ended": "Stage1EndDate",
        "date_stage2_started": "Stage2StartDate",
        "date_stage2_ended": "Stage2EndDate",
        "date_application_submitted": "ApplicationDate",
        "date_application_approved": "ApplicationApprDate",
        "date_matched": "MatchedDate",
        "date_placed": "PlacedDate",
        "children_placed": "NumSiblingsPlaced",
        "date_adoption_order": "AdoptionOrderDate",
        "date_left_process": "AdoptionLeaveDate",
        "reason_left_process": "AdoptingLeaveReason",
    },
}
SSD_COMMON = {
    "child_id": "ChildUniqueID",
    "gender": "Gender",
    "ethnicity": "Ethnicity",
    "date_of_birth": "DateOfBirth",
    "age": "Age",
    "allocated_team": "AllocatedTeam",
    "allocated_worker": "AllocatedWorker",
}
# patch-app style sheet names
PATCH_SHEETS = {"list_05_section_47": "Sec47 and ICPC", "list_09_care_leavers": "List_9 CL"}


def template_header(spec: S.ListSpec, col: S.Column) -> str:
    return col.header


def liia_header(spec: S.ListSpec, col: S.Column) -> str:
    options = LIIA_HEADERS.get(col.name)
    return options[S.SPECS.index(spec) % len(options)] if options else col.header


def ssd_header(spec: S.ListSpec, col: S.Column) -> str:
    return SSD_HEADERS.get(spec.table, {}).get(col.name) or (
        SSD_COMMON.get(col.name, col.header) if spec.number.isdigit() else col.header
    )


def sex_header(spec: S.ListSpec, col: S.Column) -> str:
    return "Sex" if col.name == "gender" else col.header


@dataclass
class Shape:
    name: str
    header: Callable[[S.ListSpec, S.Column], str] = template_header
    code: Callable[[C.CodeSet, str, int], str] = template_code
    place: Callable[[str, int], str] = lambda code, i: places.name(code)
    sheet: Callable[[S.ListSpec], str] = lambda spec: spec.title[:31]
    blank: Callable[[S.ListSpec, S.Column], str | None] = lambda spec, col: None
    age: Callable[[int, int], str] = lambda age, i: str(age)
    csv: bool = False  # one CSV per list (else one workbook)
    drop: frozenset[tuple[str, str]] = frozenset()  # (table, column) the shape's layout lacks
    # findings (rule, severity) this shape deserves beyond the control's
    expected: set[tuple[str, str]] = field(default_factory=set)


def _ssd_blank(spec: S.ListSpec, col: S.Column) -> str:
    # the SSD writes NULL, and '01/01/1900' for the list 11 dates it does not hold
    return "01/01/1900" if spec.table == "list_11_adopters" and col.type == "date" else "NULL"


OLD_LIST_9 = frozenset(("list_09_care_leavers", c.name) for c in S.LIST_09.columns if c.since)
SHAPES = [
    Shape("dropdown spellings", code=dropdown_code),
    Shape("liia-style headers", header=liia_header),
    Shape("SSD extract CSV", header=ssd_header, code=ssd_code, blank=_ssd_blank, csv=True),
    Shape(
        "patch-app sheet names",
        sheet=lambda spec: PATCH_SHEETS.get(spec.table, f"List_{spec.number}"[:31]),
    ),
    Shape("2026 Sex layout", header=sex_header),
    Shape("LA value spellings", code=la_code, place=la_place),
    Shape(
        "decimal ages",
        age=lambda age, i: f"{age}.{138261464750171 + i}",
        expected={("age_decimal", "info")},
    ),
    Shape("older list 9 layout", drop=OLD_LIST_9, expected={("template_layout_old", "warning")}),
]


# --- writing and reading ---------------------------------------------------------------------------
def _cell(shape: Shape, spec: S.ListSpec, col: S.Column, v, i: int):
    if v is None:
        return shape.blank(spec, col)
    if col.type == "date":
        return v.strftime("%d/%m/%Y")
    if col.name == "age":
        return shape.age(v, i)
    if col.type == "code":
        return shape.code(col.codes, v, i)
    if col.place:
        return shape.place(v, i)
    return str(v)


def write_shape(shape: Shape, frames: dict[str, pl.DataFrame], out: Path) -> list[Path]:
    out.mkdir(parents=True)
    sheets: dict[str, list[list]] = {}
    for spec in S.SPECS:
        cols = [c for c in spec.columns if (spec.table, c.name) not in shape.drop]
        rows = [[shape.header(spec, c) for c in cols]]
        for i, rec in enumerate(frames[spec.table].iter_rows(named=True)):
            rows.append([_cell(shape, spec, c, rec[c.name], i) for c in cols])
        if shape.csv:
            write_csv(out / f"AA_{spec.number.replace('.', '_')}_{spec.table}.csv", rows)
        else:
            sheets[shape.sheet(spec)] = rows
    if sheets:
        write_xlsx(out / "annex_a.xlsx", sheets)
    return sorted(out.iterdir())


@dataclass
class Loaded:
    tables: dict[str, pl.DataFrame]
    findings: pl.DataFrame


def load_shape(shape: Shape, frames: dict[str, pl.DataFrame], tmp: Path) -> Loaded:
    out = tmp / shape.name.replace(" ", "_")
    files = write_shape(shape, frames, out)
    wh = new_warehouse(tmp / f"{out.name}.duckdb")
    load.load_submission(files, wh, relative_to=out)
    con = duckdb.connect(str(wh), read_only=True)
    try:
        tables = {
            spec.table: con.sql(
                f"select {', '.join(c.name for c in spec.columns)} from annex_a.{spec.table} "  # noqa: S608
                "order by source_file, source_sheet, source_row"
            ).pl()
            for spec in S.SPECS
        }
        findings = con.sql("select * from quality.issues").pl()
    finally:
        con.close()
    return Loaded(tables, findings)


@pytest.fixture(scope="module")
def frames() -> dict[str, pl.DataFrame]:
    built = synth.build(las.resolve(LA), ND, scale=0.2)
    return {t: f.head(ROWS) for t, f in built.items()}


@pytest.fixture(scope="module")
def control(frames, tmp_path_factory) -> Loaded:
    return load_shape(Shape("control"), frames, tmp_path_factory.mktemp("control"))


def test_the_control_reads_back_every_value_with_no_finding(frames, control):
    for spec in S.SPECS:
        want = frames[spec.table].select(c.name for c in spec.columns)
        assert control.tables[spec.table].equals(want.cast(control.tables[spec.table].schema))
    assert control.findings.height == 0, control.findings.select("rule", "list_name").unique()


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: s.name)
def test_each_shape_gives_the_controls_typed_lists_and_no_false_finding(
    shape, frames, control, tmp_path_factory
):
    got = load_shape(shape, frames, tmp_path_factory.mktemp("shape"))
    for spec in S.SPECS:
        want = control.tables[spec.table]
        dropped = [c for t, c in shape.drop if t == spec.table]
        if dropped:  # the layout has no such column: the same children, those values blank
            want = want.with_columns(pl.lit(None, want.schema[c]).alias(c) for c in dropped)
        assert got.tables[spec.table].equals(want), (shape.name, spec.table)
    found = {
        (r["rule"], r["severity"])
        for r in got.findings.select("rule", "severity").unique().iter_rows(named=True)
    }
    assert found == shape.expected, got.findings.select(
        "rule", "list_name", "column_name", "message"
    )


# --- what the findings say when a sheet does not fit ------------------------------------------------
def _load_sheets(tmp: Path, sheets: dict[str, list[list]]) -> pl.DataFrame:
    out = tmp / "sub"
    out.mkdir()
    write_xlsx(out / "a.xlsx", sheets)
    wh = new_warehouse(tmp / "w.duckdb")
    load.load_submission([out / "a.xlsx"], wh, relative_to=out)
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return con.sql(
            "select * from quality.issues where rule <> 'list_not_provided' order by rule, source_row"
        ).pl()
    finally:
        con.close()


def test_headers_that_do_not_fit_are_reported_never_guessed_or_called_blank(frames, tmp_path):
    spec = S.LIST_08
    cols = [
        c for c in spec.columns if c.name not in ("date_started_looked_after", "la_of_placement")
    ]
    headers = [c.header for c in cols] + [
        "Date Entered The System",
        "Unique Child ID",
        "Visit Date",
    ]
    rows = [headers]
    for i, rec in enumerate(frames[spec.table].head(5).iter_rows(named=True)):
        rows.append([_cell(SHAPES[0], spec, c, rec[c.name], i) for c in cols] + ["x", "y", "z"])
    found = _load_sheets(tmp_path, {"CLA": rows})
    by_rule = {r: found.filter(pl.col("rule") == r) for r in found.get_column("rule").unique()}
    # the key date's column is missing: said once, and no row is told its value is blank
    missing = by_rule["column_missing"]
    assert missing.select("column_name", "severity").rows() == [
        ("Date Started to be Looked After", "error"),
        ("LA of Placement", "warning"),
    ]
    assert "required_blank" not in by_rule
    # a header not recognised: named as sent, with the nearest template header, values kept
    unrec = by_rule["header_unrecognised"]
    assert unrec.get_column("column_name").to_list() == ["Date Entered The System"]
    (message,) = unrec.get_column("message").to_list()
    assert "'Date Started to be Looked After'" in message and "raw_extra" in message
    assert unrec.get_column("severity").to_list() == ["warning"]  # a column is missing
    # a second header claiming the child's ID: reported, the first kept; a header that fits two
    # columns ("Visit Date": the social worker's or the IRO's?) is reported and used for neither
    amb = {
        r["column_name"]: r["message"] for r in by_rule["header_ambiguous"].iter_rows(named=True)
    }
    assert set(amb) == {"Unique Child ID", "Visit Date"}
    assert "'Child Unique ID' was used" in amb["Unique Child ID"]
    assert "'Date of Last Social Work Visit' or 'Date of Last IRO Visit" in amb["Visit Date"]


def test_retired_codes_label_mismatches_and_unknown_places_are_reported_once_per_value(
    frames, tmp_path
):
    spec = S.LIST_08
    rows = [spec.headers]
    for i, rec in enumerate(frames[spec.table].head(6).iter_rows(named=True)):
        row = [_cell(SHAPES[0], spec, c, rec[c.name], i) for c in spec.columns]
        row[spec.headers.index("Placement Type")] = "H5" if i < 4 else "U4"
        row[spec.headers.index("Child's Category of Need")] = "N1 - Family in acute stress"
        row[spec.headers.index("LA of Placement")] = "Narnia" if i == 5 else "383"
        rows.append(row)
    found = _load_sheets(tmp_path, {"CLA": rows})
    summary = found.select("rule", "severity", "source_row", "column_name", "value").rows()
    assert summary == [
        (
            "code_label_mismatch",
            "info",
            2,
            "Child's Category of Need",
            "N1 - Family in acute stress",
        ),
        ("place_unknown", "warning", 7, "LA of Placement", "Narnia"),
        ("retired_code", "warning", 2, "Placement Type", "H5"),
    ]
    assert "4 row(s)" in found.filter(pl.col("rule") == "retired_code").get_column("message").item()


def test_audits_need_only_child_theme_and_date_completed(tmp_path):
    rows = [["Child ID", "Audit Theme", "Date Audit Completed"], ["C1", "Neglect", "01/10/2026"]]
    found = _load_sheets(tmp_path, {"Audits": rows})
    assert found.filter(pl.col("severity") != "info").height == 0, found
    assert [c.name for c in S.AUDITS.columns if c.required] == [
        "child_id",
        "audit_theme",
        "date_audit_completed",
    ]
