"""The rule catalogue: every rule it declares under `sql` or `suite` fires on a crafted row, at its
list, Excel row, column and severity, and says nothing about the good submission's rows (a real
DuckDB warehouse, the real suites and sql/quality). docs/rules.md is the catalogue as generated."""

from __future__ import annotations

import re

import pytest
import quality_fixtures as Q
from quality_fixtures import A, B, C, D, K

from flows import warehouse
from flows.config import ROOT
from flows.validation import rules
from flows.validation import stage as validation

# (rule, table, the good row to start from (table, index) or None, changes, column header)
CASES: list[tuple[str, str, tuple[str, int] | None, dict, str]] = [
    # journey
    ("contact_before_birth", "list_01_contacts", ("list_01_contacts", 0),
     {"date_of_birth": D(2027, 9, 1)}, "Date of Contact"),
    ("referral_before_birth", "list_03_referrals", ("list_03_referrals", 0),
     {"date_of_birth": D(2027, 9, 1)}, "Date of referral"),
    ("assessment_before_referral", "list_04_assessments", ("list_04_assessments", 0),
     {"child_id": "J4", "assessment_start_date": D(2026, 6, 20), "assessment_authorised_date": D(2026, 7, 1)},
     "Continuous Assessment Start Date"),
    ("s47_before_referral", "list_05_section_47", ("list_05_section_47", 0),
     {"child_id": "J5", "strategy_discussion_date": D(2026, 6, 20)},
     "Strategy discussion initiating Section 47 Enquiry Start Date"),
    ("cp_plan_before_icpc", "list_07_child_protection", ("list_07_child_protection", 0),
     {"child_id": "J7", "cp_plan_start_date": D(2026, 6, 5)}, "Child Protection Plan Start Date"),
    # CIN census rules for the coverage table (flows/validation/dfe/cin.csv)
    ("cp_plan_before_referral", "list_07_child_protection", ("list_07_child_protection", 0),
     {"child_id": "CN1", "cp_plan_start_date": D(2026, 6, 20)}, "Child Protection Plan Start Date"),
    ("cp_plan_without_icpc", "list_07_child_protection", ("list_07_child_protection", 0),
     {"child_id": "CN2", "cp_plan_start_date": D(2026, 8, 3)}, "Child Protection Plan Start Date"),
    ("gender_not_recorded", "list_03_referrals", ("list_03_referrals", 0),
     {"child_id": "CN3", "gender": "Not stated/recorded", "date_of_referral": D(2026, 7, 6)}, "Gender"),
    ("closed_nfa_with_activity", "list_06_children_in_need", ("list_06_children_in_need", 0),
     {"child_id": "CN4", "cin_start_date": D(2026, 5, 1), "cin_closure_date": D(2026, 9, 1),
      "reason_for_closure": "RC8", "case_status": "Closed episode"}, "Reason for Closure"),
    ("s47_without_assessment", "list_05_section_47", ("list_05_section_47", 0),
     {"child_id": "CN5", "strategy_discussion_date": D(2026, 7, 1), "icpc_unnecessary": "Yes",
      "icpc_date": None, "icpc_resulted_in_plan": None},
     "Strategy discussion initiating Section 47 Enquiry Start Date"),
    ("activity_after_cin_closure", "list_04_assessments", ("list_04_assessments", 0),
     {"child_id": "CN6", "assessment_start_date": D(2026, 10, 1), "assessment_authorised_date": D(2026, 10, 20)},
     "Continuous Assessment Start Date"),
    ("unborn_gender", "list_01_contacts", ("list_01_contacts", 1),
     {"child_id": "CN7", "gender": "Male"}, "Gender"),
    ("rc8_without_assessment", "list_06_children_in_need", ("list_06_children_in_need", 0),
     {"child_id": "CN8", "cin_start_date": D(2026, 7, 1), "cin_closure_date": D(2026, 8, 3),
      "reason_for_closure": "RC9", "case_status": "Closed episode"}, "Reason for Closure"),
    ("activity_after_nfa_referral", "list_04_assessments", ("list_04_assessments", 0),
     {"child_id": "CN9", "assessment_start_date": D(2026, 7, 10), "assessment_authorised_date": D(2026, 7, 20)},
     "Continuous Assessment Start Date"),
    ("s47_overlap", "list_05_section_47", ("list_05_section_47", 0),
     {"child_id": "CN10", "strategy_discussion_date": D(2026, 7, 1), "icpc_unnecessary": "Yes",
      "icpc_date": None, "icpc_resulted_in_plan": None},
     "Strategy discussion initiating Section 47 Enquiry Start Date"),
    ("cp_review_not_after_start", "list_07_child_protection", ("list_07_child_protection", 0),
     {"child_id": "CN11", "date_latest_review": D(2026, 7, 1)}, "Date of latest review conference"),
    ("assessment_overlap", "list_04_assessments", ("list_04_assessments", 0),
     {"child_id": "CN12", "assessment_start_date": D(2026, 7, 1), "assessment_authorised_date": D(2026, 7, 20)},
     "Continuous Assessment Start Date"),
    ("closed_with_open_assessment", "list_04_assessments", ("list_04_assessments", 0),
     {"child_id": "CN13", "assessment_start_date": D(2026, 10, 1), "assessment_authorised_date": None},
     "Continuous Assessment Date of Authorisation"),
    ("closed_with_open_s47", "list_05_section_47", ("list_05_section_47", 0),
     {"child_id": "CN14", "strategy_discussion_date": D(2026, 11, 2), "icpc_unnecessary": "No",
      "icpc_date": None, "icpc_resulted_in_plan": None},
     "Date of Initial Child Protection Conference"),
    ("icpc_on_weekend", "list_05_section_47", ("list_05_section_47", 0),
     {"child_id": "CN15", "icpc_date": D(2026, 7, 4), "icpc_resulted_in_plan": "No"},
     "Date of Initial Child Protection Conference"),
    # blanks DfE requires
    ("primary_need_missing", "list_06_children_in_need", ("list_06_children_in_need", 0),
     {"child_id": "N6", "primary_need_code": None}, "Primary Need Code"),
    ("category_of_abuse_missing", "list_07_child_protection", ("list_07_child_protection", 0),
     {"child_id": "C71", "initial_category_of_abuse": None}, "Initial Category of Abuse"),
    ("previous_plans_missing", "list_07_child_protection", ("list_07_child_protection", 0),
     {"child_id": "C72", "previous_cp_plans": None}, "Number of Previous Child Protection Plans"),
    ("placement_provider_missing", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P81", "placement_type": "U4"}, "Placement Provider"),
    # fields filled together
    ("cin_closure_incomplete", "list_06_children_in_need", ("list_06_children_in_need", 0),
     {"child_id": "N62", "cin_closure_date": D(2026, 9, 1), "case_status": "Closed episode"},
     "Reason for Closure"),
    ("ceased_incomplete", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P82", "reason_ceased": "E4A"}, "Date Ceased to be Looked After"),
    ("adoption_reversal_incomplete", "list_10_adoptions", ("list_10_adoptions", 0),
     {"child_id": "K11", "reason_no_longer_placed": "RD1"},
     "Date of Decision that Child Should No Longer be Placed for Adoption"),
    ("care_leaver_activity_not_expected", "list_09_care_leavers", ("list_09_care_leavers", 0),
     {"child_id": "C91", "in_touch": "Died"}, "Activity Status"),
    ("care_leaver_activity_missing", "list_09_care_leavers", ("list_09_care_leavers", 0),
     {"child_id": "C92", "activity_status": None}, "Activity Status"),
    # list 8 plausibility
    ("legal_status_too_young", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P83", "date_of_birth": D(2018, 1, 1), "age": 8, "legal_status": "J1",
      "legal_status_start_date": D(2026, 1, 1), "date_started_looked_after": D(2026, 1, 1)},
     "Child's Legal Status"),
    ("placement_too_young", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P84", "date_of_birth": D(2018, 1, 1), "age": 8, "placement_type": "R5",
      "placement_provider": "PR1", "placement_start_date": D(2026, 1, 1)}, "Placement Type"),
    ("independent_placement_under_16", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P85", "date_of_birth": D(2012, 1, 1), "age": 14, "placement_type": "P2",
      "placement_start_date": D(2026, 1, 1)}, "Placement Type"),
    ("ceased_adopted_adult", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P86", "date_of_birth": D(2008, 1, 1), "age": 18, "reason_ceased": "E11",
      "date_ceased_looked_after": D(2026, 9, 1)}, "Reason Ceased to be Looked After"),
    ("ceased_independent_under_14", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P87", "date_of_birth": D(2014, 1, 1), "age": 12, "reason_ceased": "E5",
      "date_ceased_looked_after": D(2026, 9, 1)}, "Reason Ceased to be Looked After"),
    ("ceased_order_adult", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P88", "date_of_birth": D(2008, 1, 1), "age": 18, "reason_ceased": "E45",
      "date_ceased_looked_after": D(2026, 9, 1)}, "Reason Ceased to be Looked After"),
    ("residential_school_under_4", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P90", "date_of_birth": D(2023, 1, 1), "age": 3, "placement_type": "S1",
      "placement_start_date": D(2026, 1, 1)}, "Placement Type"),
    ("residential_employment_under_14", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P91", "date_of_birth": D(2013, 1, 1), "age": 13, "placement_type": "P3",
      "placement_start_date": D(2026, 1, 1)}, "Placement Type"),
    ("independent_placement_under_16", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P92", "date_of_birth": D(2011, 3, 1), "age": 15, "placement_type": "K3",
      "placement_provider": "PR4", "placement_urn": "SC100001", "placement_start_date": D(2026, 2, 28)},
     "Placement Type"),
    ("ceased_adult_care_under_16", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P93", "date_of_birth": D(2011, 1, 1), "age": 15, "reason_ceased": "E7",
      "date_ceased_looked_after": D(2026, 9, 1)}, "Reason Ceased to be Looked After"),
    ("ceased_staying_put_under_18", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P94", "date_of_birth": D(2008, 10, 1), "age": 18, "reason_ceased": "E17",
      "date_ceased_looked_after": D(2026, 9, 30)}, "Reason Ceased to be Looked After"),
    ("placement_provider_mismatch", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P95", "placement_type": "P1", "placement_provider": "PR1"}, "Placement Provider"),
    ("placement_provider_mismatch", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P96", "placement_type": "U4", "placement_provider": "PR3",
      "placement_urn": "SC100002"}, "Placement Provider"),
    ("urn_missing", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P97", "placement_type": "U6", "placement_provider": "PR1",
      "la_of_placement": "E06000050"}, "URN of Placement"),
    ("urn_not_expected", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P98", "placement_type": "P1", "placement_provider": "PR0",
      "placement_urn": "SC100003"}, "URN of Placement"),
    ("placement_location_mismatch", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P99", "placement_location": "In", "la_of_placement": "E10000016"},
     "Placement Location"),
    # SSDA903 rules 100-399 for the coverage table (flows/validation/dfe/ssda903.csv)
    # adoption sequence
    ("adopted_not_placed_for_adoption", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P70", "date_of_birth": D(2021, 1, 1), "age": 5, "reason_ceased": "E11",
      "date_ceased_looked_after": D(2026, 9, 1), "placement_type": "U4", "placement_provider": "PR1",
      "placement_urn": "SC100004"}, "Placement Type"),
    ("placement_order_missing", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P71", "placement_type": "A6", "placement_provider": "PR1",
      "placement_urn": "SC100005", "legal_status": "C2"}, "Child's Legal Status"),
    # list 8 shows a placement order (E1), list 10 has no decision, placement order or placement
    ("placed_without_decision", "list_10_adoptions", ("list_10_adoptions", 0),
     {"child_id": "K23", "date_should_be_placed": None, "date_placement_order": None,
      "date_matched": None, "date_placed_for_adoption": None}, "Date of Decision that Child Should be Placed for Adoption"),
    ("adoption_order_missing", "list_10_adoptions", ("list_10_adoptions", 0),
     {"child_id": "K22"}, "Date of Adoption Order"),
    ("adoption_not_shown_in_care", "list_10_adoptions", ("list_10_adoptions", 0),
     {"child_id": "K21", "date_adoption_order": D(2026, 9, 1)}, "Date of Adoption Order"),
    ("adoption_not_shown_in_care", "list_10_adoptions", ("list_10_adoptions", 0),
     {"child_id": "K24", "date_adoption_order": D(2026, 9, 1)}, "Date of Adoption Order"),
    ("adoption_order_not_placed", "list_10_adoptions", ("list_10_adoptions", 0),
     {"child_id": "K12", "date_placed_for_adoption": None, "date_adoption_order": D(2026, 9, 1)},
     "Date Placed for Adoption"),
    ("placed_without_decision", "list_10_adoptions", ("list_10_adoptions", 0),
     {"child_id": "K13", "date_should_be_placed": None},
     "Date of Decision that Child Should be Placed for Adoption"),
    ("adopter_stage_missing", "list_11_adopters", ("list_11_adopters", 0),
     {"adopter_id": "AD2", "date_stage1_started": None}, "Date Stage 1 started"),
    ("adoption_order_before_placement", "list_10_adoptions", ("list_10_adoptions", 0),
     {"child_id": "K14", "date_adoption_order": D(2026, 6, 1)}, "Date of Adoption Order"),
    # list 8 dates, legal status and placements
    ("care_started_before_1991", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P60", "date_started_looked_after": D(1990, 5, 1)}, "Date Started to be Looked After"),
    ("care_ended_same_day", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P61", "placement_type": "U4", "placement_provider": "PR1", "placement_urn": "SC100010",
      "placement_start_date": D(2026, 8, 1), "date_ceased_looked_after": D(2026, 8, 1),
      "reason_ceased": "E4A"}, "Date Ceased to be Looked After"),
    ("looked_after_past_18", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P62", "date_of_birth": D(2008, 1, 1), "age": 18}, "Date Ceased to be Looked After"),
    ("legal_status_too_long", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P63", "legal_status": "L2", "legal_status_start_date": D(2026, 6, 1)},
     "Child's Legal Status"),
    ("temporary_placement_too_long", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P64", "placement_type": "T4", "placement_start_date": D(2026, 10, 1)},
     "Placement Type"),
    ("temporary_placement_misused", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P65", "legal_status": "V3", "placement_type": "T2",
      "placement_start_date": D(2026, 11, 10)}, "Placement Type"),
    ("legal_status_placement_mismatch", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P66", "legal_status": "V2", "placement_type": "P1", "placement_provider": "PR0",
      "placement_start_date": D(2025, 1, 5)}, "Placement Type"),
    ("placement_provider_not_expected", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P67", "placement_type": "Z11", "placement_provider": "PR4",
      "placement_start_date": D(2025, 1, 5)}, "Placement Provider"),
    ("urn_placeholder_misused", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P68", "placement_type": "K2", "placement_provider": "PR4", "placement_urn": "XXXXXXX",
      "placement_start_date": D(2025, 1, 5)}, "URN of Placement"),
    ("placement_details_missing", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P58", "placement_type": "U4", "placement_provider": "PR1", "placement_urn": "SC100011",
      "placement_start_date": D(2025, 1, 5), "placement_postcode": "ME14 1XX"}, "LA of Placement"),
    ("uasc_young", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P69", "uasc": "Yes", "date_of_birth": D(2019, 4, 4), "age": 7},
     "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)"),
    ("gender_not_recorded_in_care", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P59", "gender": "Not stated/recorded"}, "Gender"),
    ("foyer_under_18", "list_09_care_leavers", ("list_09_care_leavers", 0),
     {"child_id": "C93", "date_of_birth": D(2009, 1, 1), "age": 17, "accommodation_type": "T"},
     "Type of Accommodation"),
    # list 10 against lists 8 and 9
    ("adoption_decision_after_care", "list_10_adoptions", ("list_10_adoptions", 0),
     {"child_id": "K25", "date_no_longer_placed": D(2026, 7, 1), "reason_no_longer_placed": "RD1"},
     "Date of Decision that Child Should No Longer be Placed for Adoption"),
    ("care_leaver_in_adoptions", "list_10_adoptions", ("list_10_adoptions", 0),
     {"child_id": "C3"}, "Child Unique ID"),
    # SSDA903 rules 400 and over for the coverage table (flows/validation/dfe/ssda903.csv)
    ("placement_provider_missing", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P65", "placement_type": "R2"}, "Placement Provider"),
    ("legal_status_adoption_law", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P60", "legal_status": "D1", "legal_status_start_date": D(2024, 1, 5)},
     "Child's Legal Status"),
    ("sgo_foster_carers_not_fostered", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P61", "reason_ceased": "E45", "date_ceased_looked_after": D(2026, 9, 1),
      "placement_type": "K2", "placement_provider": "PR4", "placement_urn": "SC100010"}, "Placement Type"),
    ("parent_provider_not_with_parents", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P62", "placement_type": "U4", "placement_provider": "PR0",
      "placement_urn": "SC100011"}, "Placement Provider"),
    ("own_provision_outside_la", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P63", "placement_type": "K2", "placement_provider": "PR1", "placement_urn": "SC100012",
      "placement_location": "Out", "la_of_placement": "E10000016"}, "LA of Placement"),
    ("care_leaver_not_eligible", "list_09_care_leavers", ("list_09_care_leavers", 0),
     {"child_id": "P64"}, "LA in Touch"),
    ("care_leaver_staying_put_under_18", "list_09_care_leavers", ("list_09_care_leavers", 0),
     {"child_id": "C93", "date_of_birth": D(2009, 6, 1), "age": 17, "eligibility_category": "Relevant child",
      "accommodation_type": "Z"}, "Type of Accommodation"),
    ("adopted_after_reversal", "list_10_adoptions", ("list_10_adoptions", 0),
     {"child_id": "K31", "date_no_longer_placed": D(2026, 7, 1), "reason_no_longer_placed": "RD4",
      "date_adoption_order": D(2026, 9, 1)},
     "Date of Decision that Child Should No Longer be Placed for Adoption"),
    ("reversal_not_recorded", "list_10_adoptions", ("list_10_adoptions", 0),
     {"child_id": "K32", "date_matched": None, "date_placed_for_adoption": None},
     "Date of Decision that Child Should No Longer be Placed for Adoption"),
    ("reversal_without_decision", "list_10_adoptions", ("list_10_adoptions", 0),
     {"child_id": "K33", "date_should_be_placed": None, "date_placement_order": None, "date_matched": None,
      "date_placed_for_adoption": None, "date_no_longer_placed": D(2026, 7, 1),
      "reason_no_longer_placed": "RD3"}, "Date of Decision that Child Should be Placed for Adoption"),
    ("reversal_before_decision", "list_10_adoptions", ("list_10_adoptions", 0),
     {"child_id": "K34", "date_matched": None, "date_placed_for_adoption": None,
      "date_no_longer_placed": D(2025, 12, 1), "reason_no_longer_placed": "RD1"},
     "Date of Decision that Child Should No Longer be Placed for Adoption"),
    ("matched_on_adoption_day", "list_10_adoptions", ("list_10_adoptions", 0),
     {"child_id": "K35", "date_matched": D(2026, 6, 1), "date_placed_for_adoption": D(2026, 6, 1),
      "date_adoption_order": D(2026, 6, 1)}, "Date of Matching Child and Prospective Adopters"),
    # duplicates
    ("duplicate_event", "list_04_assessments", ("list_04_assessments", 0), {},
     "Continuous Assessment Start Date"),
    # timeliness (info)
    ("assessment_open_long", "list_04_assessments", ("list_04_assessments", 0),
     {"child_id": "A41", "assessment_authorised_date": None}, "Continuous Assessment Date of Authorisation"),
    ("s47_without_icpc", "list_05_section_47", ("list_05_section_47", 0),
     {"child_id": "A51", "icpc_date": None, "icpc_resulted_in_plan": None}, "Date of Initial Child Protection Conference"),
    # suites
    ("cp_plan_end_order", "list_07_child_protection", ("list_07_child_protection", 0),
     {"child_id": "C73", "cp_plan_start_date": D(2026, 8, 1), "cp_plan_end_date": D(2026, 8, 1)},
     "Child Protection Plan End Date"),
    ("postcode_format", "list_08_children_in_care", ("list_08_children_in_care", 0),
     {"child_id": "P89", "placement_postcode": "not a postcode"}, "Placement postcode"),
]  # fmt: skip

# rows the journey cases need on another list: the later referral and the ICPC that made the plan
SUPPORT = {
    "list_03_referrals": [
        {**A, "child_id": "J4", "date_of_referral": D(2026, 7, 1), "referrals_last_12_months": 1},
        {**A, "child_id": "J5", "date_of_referral": D(2026, 7, 1), "referrals_last_12_months": 1},
    ],
    "list_08_children_in_care": [
        # still in care under a placement order: list 10 says K21 was adopted
        {**K, "child_id": "K21", "date_started_looked_after": D(2024, 3, 1), "legal_status": "E1",
         "placement_type": "A6", "placement_provider": "PR1", "placement_urn": "SC100006"},
        # adopted in the period: list 10 gives K22 no adoption order
        {**K, "child_id": "K22", "date_started_looked_after": D(2024, 3, 1), "legal_status": "E1",
         "placement_type": "A6", "placement_provider": "PR1", "placement_urn": "SC100007",
         "date_ceased_looked_after": D(2026, 9, 1), "reason_ceased": "E11"},
        {**K, "child_id": "K23", "date_started_looked_after": D(2024, 3, 1), "legal_status": "E1"},
        # care taken over by another LA: list 9 has P64 as a care leaver
        {**B, "child_id": "P64", "date_started_looked_after": D(2024, 1, 5), "legal_status": "C2",
         "date_ceased_looked_after": D(2026, 6, 1), "reason_ceased": "E3"},
        # under a placement order, left care to return home: list 10 gives K32 no reversal
        {**K, "child_id": "K32", "date_started_looked_after": D(2024, 3, 1), "legal_status": "E1",
         "placement_type": "U6", "placement_provider": "PR1", "placement_urn": "SC100013",
         "date_ceased_looked_after": D(2026, 8, 1), "reason_ceased": "E4A"},
        # left care before list 10's decision to place (903 117)
        {**K, "child_id": "K25", "date_started_looked_after": D(2024, 3, 1), "legal_status": "C2",
         "date_ceased_looked_after": D(2026, 6, 1), "reason_ceased": "E4A"},
    ],
    "list_05_section_47": [
        {**A, "child_id": "J7", "strategy_discussion_date": D(2026, 6, 1), "icpc_unnecessary": "No",
         "icpc_date": D(2026, 6, 20), "icpc_resulted_in_plan": "Yes"},
    ],
}  # fmt: skip

# CIN census rules for the coverage table: the rows their cases need on other lists
CIN_SUPPORT = {
    "list_03_referrals": [
        {**A, "child_id": "CN1", "date_of_referral": D(2026, 7, 1), "referrals_last_12_months": 1},
        {**A, "child_id": "CN9", "date_of_referral": D(2026, 7, 1), "referral_nfa": "Yes",
         "referral_source": "1A", "referrals_last_12_months": 1},
        {**A, "child_id": "CN5", "date_of_referral": D(2026, 6, 25), "referrals_last_12_months": 1},
    ],
    "list_04_assessments": [
        {**A, "child_id": "CN12", "disability": "No", "assessment_start_date": D(2026, 6, 5),
         "assessment_authorised_date": None},
    ],
    "list_05_section_47": [
        {**A, "child_id": "CN1", "strategy_discussion_date": D(2026, 6, 10), "icpc_unnecessary": "No",
         "icpc_date": D(2026, 6, 15), "icpc_resulted_in_plan": "Yes"},
        {**A, "child_id": "CN4", "strategy_discussion_date": D(2026, 7, 1), "icpc_unnecessary": "Yes"},
        {**A, "child_id": "CN10", "strategy_discussion_date": D(2026, 6, 15), "icpc_unnecessary": "No"},
        # an ICPC after the plan's start, which did not make it
        {**A, "child_id": "CN2", "strategy_discussion_date": D(2026, 7, 20), "icpc_unnecessary": "No",
         "icpc_date": D(2026, 8, 10), "icpc_resulted_in_plan": "No"},
    ],
    "list_06_children_in_need": [
        {**A, "child_id": child, "cin_start_date": D(2026, 6, 1), "cin_closure_date": closed,
         "reason_for_closure": "RC7", "primary_need_code": "N1", "case_status": "Closed episode"}
        for child, closed in (("CN6", D(2026, 9, 1)), ("CN13", D(2026, 10, 30)), ("CN14", D(2026, 11, 10)))
    ],
}  # fmt: skip
for _table, _rows in CIN_SUPPORT.items():
    SUPPORT.setdefault(_table, []).extend(_rows)


# valid rows the rules must stay quiet on, beside the good submission's
VALID = {
    "list_08_children_in_care": [
        {
            **B,
            "child_id": "V1",
            "placement_postcode": "ME14 1XX",
            "date_started_looked_after": D(2024, 1, 5),
            "placement_type": "U4",
            "placement_provider": "PR1",
            "placement_urn": "SC200001",
            "placement_location": "In",
            "la_of_placement": "E06000050",
            "placement_start_date": D(2024, 1, 5),
        },
        {
            **B,
            "child_id": "V2",
            "placement_postcode": "TN23 1AA",
            "date_started_looked_after": D(2024, 1, 5),
            "placement_type": "P1",
            "placement_provider": "PR0",
            "placement_location": "Out",
            "la_of_placement": "E10000016",
            "placement_start_date": D(2024, 1, 5),
        },
        {
            **B,
            "child_id": "V3",
            "placement_postcode": "CF10 1AA",
            "date_started_looked_after": D(2024, 1, 5),
            "placement_type": "K3",
            "placement_provider": "PR4",
            "placement_urn": "SC200002",
            "placement_location": "Out",
            "la_of_placement": "WAL",
            "placement_start_date": D(2026, 2, 3),
        },
        {
            **B,
            "child_id": "V4",
            "placement_postcode": "M1 1AA",
            "la_of_placement": "E08000003",
            "date_started_looked_after": D(2024, 1, 5),
            "placement_type": "R5",
            "placement_provider": "PR3",
            "placement_urn": "XXXXXXX",
            "placement_start_date": D(2025, 1, 5),
            "date_ceased_looked_after": D(2026, 2, 3),
            "reason_ceased": "E7",
        },
        {
            **C,
            "child_id": "V5",
            "placement_postcode": "CF10 2AA",
            "date_started_looked_after": D(2024, 1, 5),
            "placement_type": "U6",
            "placement_provider": "PR4",
            "placement_location": "Out",
            "la_of_placement": "WAL",
            "date_ceased_looked_after": D(2025, 1, 20),
            "reason_ceased": "E17",
        },
        {
            **K,
            "child_id": "V6",
            "placement_postcode": "ME15",
            "la_of_placement": "E06000050",
            "date_started_looked_after": D(2024, 3, 1),
            "legal_status": "E1",
            "placement_type": "A6",
            "placement_provider": "PR1",
            "placement_urn": "SC200003",
            "date_ceased_looked_after": D(2026, 9, 1),
            "reason_ceased": "E11",
        },
        {
            **B,
            "child_id": "V7",
            "date_started_looked_after": D(2024, 1, 5),
            "placement_type": "K2",
            "placement_provider": "PR1",
            "placement_urn": "SC200004",
            "placement_location": "In",
            "la_of_placement": "E06000050",
            "placement_postcode": "ME14 2XX",
            "placement_start_date": D(2024, 1, 5),
        },
        {
            **B,
            "child_id": "V8",
            "date_started_looked_after": D(2024, 1, 5),
            "placement_type": "T1",
            "la_of_placement": "E06000050",
            "placement_postcode": "ME14 3XX",
            "placement_start_date": D(2026, 11, 2),
        },
        {
            **C,
            "child_id": "V9",
            "date_started_looked_after": D(2023, 1, 5),
            "placement_type": "U3",
            "la_of_placement": "E06000050",
            "placement_postcode": "ME14 4XX",
            "placement_provider": "PR1",
            "placement_urn": "SC200005",
            "date_ceased_looked_after": D(2025, 1, 20),
            "reason_ceased": "E45",
        },
    ],
    "list_09_care_leavers": [
        {
            **C,
            "child_id": "V10",
            "eligibility_category": "Former relevant child",
            "in_touch": "Yes",
            "activity_status": "F2",
            "accommodation_type": "Z",
        },
    ],
    "list_10_adoptions": [
        {
            **K,
            "child_id": "V6",
            "date_entered_care": D(2024, 3, 1),
            "date_should_be_placed": D(2026, 1, 10),
            "date_placement_order": D(2026, 3, 1),
            "date_matched": D(2026, 5, 1),
            "date_placed_for_adoption": D(2026, 6, 1),
            "date_adoption_order": D(2026, 9, 1),
        },
    ],
}


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    sub = Q.good_submission()
    for table, rows in VALID.items():
        sub[table].extend(rows)
    good_rows = {t: len(rows) for t, rows in sub.items()}
    for table, rows in SUPPORT.items():
        sub[table].extend(rows)
    planted = []
    for rule, table, start, changes, header in CASES:
        base = dict(sub[start[0]][start[1]]) if start else {}
        sub[table].append({**base, **changes})
        planted.append((rule, table, len(sub[table]) + 1, header))  # header on Excel row 1
    ctx = Q.context(tmp_path_factory.mktemp("rules"))
    Q.make_warehouse(ctx, sub)
    validation.validate(ctx)
    con = warehouse.connect(ctx.warehouse, read_only=True)
    try:
        issues = con.sql("select * from quality.issues").pl()
    finally:
        con.close()
    return issues, planted, good_rows


@pytest.mark.parametrize("case", range(len(CASES)), ids=[c[0] for c in CASES])
def test_rule_fires_on_its_crafted_row(validated, case):
    issues, planted, _ = validated
    rule, table, row, header = planted[case]
    hits = issues.filter(
        (issues["rule"] == rule) & (issues["list_name"] == table) & (issues["source_row"] == row)
    )
    assert hits["column_name"].to_list() == [header]
    assert hits["severity"].to_list() == [rules.severity(rule)]
    assert hits["message"].to_list() == [rules.BY_ID[rule].message]
    assert hits["source_file"].to_list() == [Q.FILE]


@pytest.mark.parametrize("rule", sorted({c[0] for c in CASES}))
def test_rule_quiet_on_the_good_rows(validated, rule):
    issues, _, good_rows = validated
    hits = issues.filter(issues["rule"] == rule)
    for table, n in good_rows.items():
        on_good = hits.filter((hits["list_name"] == table) & (hits["source_row"] <= n + 1))
        assert on_good.is_empty(), (table, on_good.select("source_row", "column_name").rows())


def test_every_sql_and_suite_rule_has_a_case():
    checked = {r.id for r in rules.CATALOGUE if r.where in ("sql", "suite")} - set(rules.F.RULES)
    assert checked == {c[0] for c in CASES}


def test_the_sql_names_exactly_the_catalogue_sql_rules():
    text = (ROOT / "sql" / "quality" / "060_check_rules.sql").read_text(encoding="utf-8")
    named = set(re.findall(r"'([a-z0-9_]+)'(?: as rule)?\s*\n\s*from", text))
    named |= set(re.findall(r", '([a-z0-9_]+)'(?: as rule)?$", text, re.MULTILINE))
    named |= set(re.findall(r"^\s*\('[A-Z0-9]+', \d+, '([a-z0-9_]+)'\),?$", text, re.MULTILINE))
    named |= set(re.findall(r"'rule': '([a-z0-9_]+)'", text))  # one pass, hits as structs
    assert named == {r.id for r in rules.sql_rules()}


def test_catalogue_ids_unique_and_severities_known():
    ids = [r.id for r in rules.CATALOGUE]
    assert len(ids) == len(set(ids))
    assert {r.severity for r in rules.CATALOGUE} <= {"error", "warning", "info"}
    assert {r.family for r in rules.CATALOGUE} <= set(rules.FAMILIES)
    assert set(rules.F.RULES) <= set(ids)  # every vocabulary rule is catalogued


def test_docs_rules_md_is_current():
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == rules.markdown(), "run: python -m flows.validation.rules > docs/rules.md"


def test_dfe_coverage_lists_every_rule_consistently():
    # every rule of DfE's validators is in flows/validation/dfe/, and its status agrees with the
    # catalogue's `dfe=` and with the Annex A specs
    from flows.annex_a.specs import SPECS
    from flows.validation import dfe_coverage

    assert dfe_coverage.problems(rules.CATALOGUE, SPECS) == []


def test_errors_mean_impossible_facts():
    # the journey across lists can be explained by a referral before the period: never an error
    for rule_id in ("assessment_before_referral", "s47_before_referral", "cp_plan_before_icpc"):
        assert rules.severity(rule_id) == "warning"
    assert rules.severity("legal_status_too_young") == "error"
    assert B["child_id"] != A["child_id"]
