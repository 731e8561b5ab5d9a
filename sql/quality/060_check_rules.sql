-- depends: meta.calendar, meta.run, quality.rule_catalogue, quality.spec_headers, staging.list_01_contacts, staging.list_02_early_help, staging.list_03_referrals, staging.list_04_assessments, staging.list_05_section_47, staging.list_06_children_in_need, staging.list_07_child_protection, staging.list_08_children_in_care, staging.list_09_care_leavers, staging.list_10_adoptions, staging.list_11_adopters
-- The rule catalogue's SQL rules (flows/validation/rules.py, where = "sql"): one row per row that
-- breaks a rule, naming the list where the fix belongs, the column (spec name, shown as its template
-- header) and the value sent. Severity and message come from the catalogue (quality.rule_catalogue),
-- so they are declared once. Ages are whole years (date_sub counts complete years). A blank is a
-- typed value that is null: blank-like tokens ('#N/A') are blank, and a value the reader could not
-- read is reported there, at that cell (validate drops a second finding on a cell).
create or replace table quality.check_rules as
with run as (
    select la_code, notification_date, period_start,
           -- the working days before notification that CIN 8670Q and 8675Q count (meta.calendar:
           -- weekends and bank holidays of England and Wales)
           (select day from meta.calendar where working_day and day < notification_date
            order by day desc limit 1 offset 44) as working_days_45,
           (select day from meta.calendar where working_day and day < notification_date
            order by day desc limit 1 offset 14) as working_days_15
    from meta.run
),
referrals as (  -- list 3's referral dates by child
    select upper(trim(child_id)) as child_key, date_of_referral
    from staging.list_03_referrals
    where trim(child_id) <> '' and date_of_referral is not null
),
first_referral as (
    select child_key, min(date_of_referral) as first_referral from referrals group by 1
),
icpc_plans as (  -- list 5's ICPCs that resulted in a plan, by child
    select upper(trim(child_id)) as child_key, min(icpc_date) as first_icpc
    from staging.list_05_section_47
    where trim(child_id) <> '' and icpc_resulted_in_plan = 'Yes' and icpc_date is not null
    group by 1
),
care as (  -- list 8 by child: what the list 10 checks need to know of the child's care
    select upper(trim(child_id)) as child_key,
           bool_or(placement_type in ('A3', 'A4', 'A5', 'A6') or legal_status = 'E1') as adoption_route,
           coalesce(bool_or(reason_ceased in ('E11', 'E12')), false) as adopted,
           bool_or(reason_ceased in ('E11', 'E12') and date_ceased_looked_after >= run.period_start)
               as adopted_in_period,
           -- a reason the reader could not read is reported there; nothing is inferred from it
           bool_or(reason_ceased is null and reason_ceased_raw is not null) as reason_unread,
           max(date_started_looked_after) as last_start
    from staging.list_08_children_in_care, run
    where trim(child_id) <> ''
    group by 1
),
placement_ages(placement_type, min_age, rule) as (  -- the youngest a child may be when a
    -- placement of the type starts (903 371-374)
    values
        ('R5', 10, 'placement_too_young'),
        ('K3', 16, 'independent_placement_under_16'),
        ('P2', 16, 'independent_placement_under_16'),
        ('H5', 16, 'independent_placement_under_16'),
        ('S1', 4, 'residential_school_under_4'),
        ('P3', 14, 'residential_employment_under_14')
),
care_provided as (select count(*) > 0 as provided from staging.list_08_children_in_care),
events as (  -- lists 2-5: the child and the date that makes a row an event (list 1 is left out:
             -- two contacts about a child on one day, from different sources, are common)
    select 'list_02_early_help' as list_name, 'assessment_start_date' as column_key, source_file,
           source_sheet, source_row, child_id, assessment_start_date as event_date,
           assessment_start_date_raw as value
    from staging.list_02_early_help
    union all
    select 'list_03_referrals', 'date_of_referral', source_file, source_sheet, source_row, child_id,
           date_of_referral, date_of_referral_raw
    from staging.list_03_referrals
    union all
    select 'list_04_assessments', 'assessment_start_date', source_file, source_sheet, source_row, child_id,
           assessment_start_date, assessment_start_date_raw
    from staging.list_04_assessments
    union all
    select 'list_05_section_47', 'strategy_discussion_date', source_file, source_sheet, source_row, child_id,
           strategy_discussion_date, strategy_discussion_date_raw
    from staging.list_05_section_47
),
duplicated as (  -- only these children's rows are ranked (a window over every row cost ~0.1 s)
    select list_name, upper(trim(child_id)) as child_key, event_date
    from events
    where trim(child_id) <> '' and event_date is not null
    group by all
    having count(*) > 1
),
cin_people as not materialized (  -- lists 1-7: each row's gender and date of birth (CIN 8750, 2886Q)
    select 'list_01_contacts' as list_name, source_file, source_sheet, source_row, gender, gender_raw,
           date_of_birth
    from staging.list_01_contacts
    union all
    select 'list_02_early_help', source_file, source_sheet, source_row, gender, gender_raw, date_of_birth
    from staging.list_02_early_help
    union all
    select 'list_03_referrals', source_file, source_sheet, source_row, gender, gender_raw, date_of_birth
    from staging.list_03_referrals
    union all
    select 'list_04_assessments', source_file, source_sheet, source_row, gender, gender_raw, date_of_birth
    from staging.list_04_assessments
    union all
    select 'list_05_section_47', source_file, source_sheet, source_row, gender, gender_raw, date_of_birth
    from staging.list_05_section_47
    union all
    select 'list_06_children_in_need', source_file, source_sheet, source_row, gender, gender_raw,
           date_of_birth
    from staging.list_06_children_in_need
    union all
    select 'list_07_child_protection', source_file, source_sheet, source_row, gender, gender_raw,
           date_of_birth
    from staging.list_07_child_protection
),
cin_gender_lists as (  -- lists 3-7 where over 2% of the rows of born children have no gender (2886Q)
    select 'list_03_referrals' as list_name
    from staging.list_03_referrals, run
    where date_of_birth is null or date_of_birth <= run.notification_date
    having count(*) filter (where gender = 'Not stated/recorded') > 0.02 * count(*)
    union all
    select 'list_04_assessments' as list_name
    from staging.list_04_assessments, run
    where date_of_birth is null or date_of_birth <= run.notification_date
    having count(*) filter (where gender = 'Not stated/recorded') > 0.02 * count(*)
    union all
    select 'list_05_section_47' as list_name
    from staging.list_05_section_47, run
    where date_of_birth is null or date_of_birth <= run.notification_date
    having count(*) filter (where gender = 'Not stated/recorded') > 0.02 * count(*)
    union all
    select 'list_06_children_in_need' as list_name
    from staging.list_06_children_in_need, run
    where date_of_birth is null or date_of_birth <= run.notification_date
    having count(*) filter (where gender = 'Not stated/recorded') > 0.02 * count(*)
    union all
    select 'list_07_child_protection' as list_name
    from staging.list_07_child_protection, run
    where date_of_birth is null or date_of_birth <= run.notification_date
    having count(*) filter (where gender = 'Not stated/recorded') > 0.02 * count(*)
),
cin_closed as (  -- list 6 children whose every row is closed, with the latest closure (CIN 8565)
    select upper(trim(child_id)) as child_key, max(cin_closure_date) as closed_on
    from staging.list_06_children_in_need
    where trim(child_id) <> ''
    group by 1
    having count(*) = count(cin_closure_date)
),
cin_referral_days as (  -- list 3 by child and day: every referral that day NFA (CIN 8825Q, 8831, 8832)
    select upper(trim(child_id)) as child_key, date_of_referral,
           bool_and(coalesce(referral_nfa = 'Yes', false)) as nfa
    from staging.list_03_referrals
    where trim(child_id) <> '' and date_of_referral is not null
    group by 1, 2
),
cin_starts as (  -- lists 4, 5 and 7: the day each assessment, enquiry and plan starts
    select 'list_04_assessments' as list_name, source_file, source_sheet, source_row,
           upper(trim(child_id)) as child_key, 'assessment_start_date' as column_key,
           assessment_start_date as start_date, assessment_start_date_raw as value
    from staging.list_04_assessments
    where trim(child_id) <> '' and assessment_start_date is not null
    union all
    select 'list_05_section_47', source_file, source_sheet, source_row, upper(trim(child_id)),
           'strategy_discussion_date', strategy_discussion_date, strategy_discussion_date_raw
    from staging.list_05_section_47
    where trim(child_id) <> '' and strategy_discussion_date is not null
    union all
    select 'list_07_child_protection', source_file, source_sheet, source_row, upper(trim(child_id)),
           'cp_plan_start_date', cp_plan_start_date, cp_plan_start_date_raw
    from staging.list_07_child_protection
    where trim(child_id) <> '' and cp_plan_start_date is not null
),
cin_nfa_spans as (  -- the days from an all-NFA referral day to the child's next referral day (for
    -- children with an NFA day and an assessment, enquiry or plan)
    select child_key, date_of_referral as nfa_on, next_referral
    from (select child_key, date_of_referral, nfa,
                 lead(date_of_referral) over (partition by child_key order by date_of_referral)
                     as next_referral
          from cin_referral_days
          where child_key in (select child_key from cin_referral_days where nfa)
            and child_key in (select child_key from cin_starts))
    where nfa
),
cin_assessed as (  -- children with an assessment in list 4 (CIN 8825Q, 2991Q)
    select distinct child_key from cin_starts where list_name = 'list_04_assessments'
),
cin_icpc as (  -- list 5 by child: the first ICPC, null when none (CIN 2883)
    select upper(trim(child_id)) as child_key, min(icpc_date) as first_icpc
    from staging.list_05_section_47
    where trim(child_id) <> ''
    group by 1
),
hits as (
    -- journey: no contact or referral before conception (40 weeks before birth)
    select 'list_01_contacts' as list_name, source_file, source_sheet, source_row,
           'date_of_contact' as column_key, date_of_contact_raw as value, 'contact_before_birth' as rule
    from staging.list_01_contacts
    where date_of_contact < date_of_birth - interval 280 day
    union all
    select 'list_03_referrals', source_file, source_sheet, source_row, 'date_of_referral',
           date_of_referral_raw, 'referral_before_birth'
    from staging.list_03_referrals
    where date_of_referral < date_of_birth - interval 280 day
    union all
    -- journey: an assessment or S47 in the six months before every referral list 3 has for the child
    select 'list_04_assessments', a.source_file, a.source_sheet, a.source_row, 'assessment_start_date',
           a.assessment_start_date_raw, 'assessment_before_referral'
    from staging.list_04_assessments as a
    join first_referral as f on f.child_key = upper(trim(a.child_id))
    cross join run
    where a.assessment_start_date >= run.period_start and a.assessment_start_date < f.first_referral
    union all
    select 'list_05_section_47', s.source_file, s.source_sheet, s.source_row, 'strategy_discussion_date',
           s.strategy_discussion_date_raw, 's47_before_referral'
    from staging.list_05_section_47 as s
    join first_referral as f on f.child_key = upper(trim(s.child_id))
    cross join run
    where s.strategy_discussion_date >= run.period_start and s.strategy_discussion_date < f.first_referral
    union all
    -- journey: a plan started in the period before the ICPC that resulted in a plan
    select 'list_07_child_protection', p.source_file, p.source_sheet, p.source_row, 'cp_plan_start_date',
           p.cp_plan_start_date_raw, 'cp_plan_before_icpc'
    from staging.list_07_child_protection as p
    join icpc_plans as i on i.child_key = upper(trim(p.child_id))
    cross join run
    where p.cp_plan_start_date >= run.period_start and p.cp_plan_start_date < i.first_icpc
    union all
    -- blanks DfE requires
    select 'list_06_children_in_need', source_file, source_sheet, source_row, 'primary_need_code',
           primary_need_code_raw, 'primary_need_missing'
    from staging.list_06_children_in_need
    where primary_need_code is null
    union all
    select 'list_07_child_protection', source_file, source_sheet, source_row, 'initial_category_of_abuse',
           initial_category_of_abuse_raw, 'category_of_abuse_missing'
    from staging.list_07_child_protection
    where initial_category_of_abuse is null
    union all
    select 'list_07_child_protection', source_file, source_sheet, source_row, 'previous_cp_plans',
           previous_cp_plans_raw, 'previous_plans_missing'
    from staging.list_07_child_protection
    where previous_cp_plans is null
    union all
    select 'list_08_children_in_care', source_file, source_sheet, source_row, 'placement_provider',
           placement_provider_raw, 'placement_provider_missing'
    from staging.list_08_children_in_care
    -- every placement has a provider but temporary (T0-T4) and other (Z11-Z14; Z1, the retired
    -- code they replace) placements (903 526, 2025-26 onwards)
    where placement_type not in ('T0', 'T1', 'T2', 'T3', 'T4', 'Z1', 'Z11', 'Z12', 'Z13', 'Z14')
      and placement_provider is null
    union all
    -- (CIN census rules for the coverage table, flows/validation/dfe/cin.csv: each a select ... union all)
    -- CIN 1105: a plan started in the period before every referral of the child in list 3
    select 'list_07_child_protection', p.source_file, p.source_sheet, p.source_row, 'cp_plan_start_date',
           p.cp_plan_start_date_raw, 'cp_plan_before_referral'
    from staging.list_07_child_protection as p
    join first_referral as f on f.child_key = upper(trim(p.child_id))
    cross join run
    where p.cp_plan_start_date >= run.period_start and p.cp_plan_start_date < f.first_referral
    union all
    -- CIN 2883 (per plan): a plan started in the period for a child with enquiries in list 5, none
    -- with an ICPC on or before the plan's start
    select 'list_07_child_protection', p.source_file, p.source_sheet, p.source_row, 'cp_plan_start_date',
           p.cp_plan_start_date_raw, 'cp_plan_without_icpc'
    from staging.list_07_child_protection as p
    join cin_icpc as i on i.child_key = upper(trim(p.child_id))
    cross join run
    where p.cp_plan_start_date >= run.period_start
      and (i.first_icpc is null or i.first_icpc > p.cp_plan_start_date)
    union all
    -- CIN 2990: an episode closed RC8 (no further action) with an S47 or a plan starting inside it
    select distinct 'list_06_children_in_need', c.source_file, c.source_sheet, c.source_row,
           'reason_for_closure', c.reason_for_closure_raw, 'closed_nfa_with_activity'
    from staging.list_06_children_in_need as c
    join cin_starts as s on s.child_key = upper(trim(c.child_id))
     and s.start_date between c.cin_start_date and c.cin_closure_date
    where c.reason_for_closure = 'RC8' and s.list_name <> 'list_04_assessments'
    union all
    -- CIN 8825Q: an episode started in the period closed after assessment (RC8, RC9) with no assessment
    -- in list 4 (when list 4 has rows); an episode that is a referral with no further action, NFA in
    -- list 3 that day, has none
    select 'list_06_children_in_need', c.source_file, c.source_sheet, c.source_row, 'reason_for_closure',
           c.reason_for_closure_raw, 'rc8_without_assessment'
    from staging.list_06_children_in_need as c
    cross join run
    left join cin_assessed as a on a.child_key = upper(trim(c.child_id))
    left join cin_referral_days as r
      on r.child_key = upper(trim(c.child_id)) and r.date_of_referral = c.cin_start_date
    where c.reason_for_closure in ('RC8', 'RC9') and c.cin_start_date >= run.period_start
      and trim(c.child_id) <> '' and a.child_key is null and not coalesce(r.nfa, false)
      and (select count(*) from cin_assessed) > 0
    union all
    -- CIN 2991Q: an S47 after a referral of the child in list 3, with no assessment in list 4 (when
    -- list 4 has rows)
    select 'list_05_section_47', s.source_file, s.source_sheet, s.source_row, 'strategy_discussion_date',
           s.strategy_discussion_date_raw, 's47_without_assessment'
    from staging.list_05_section_47 as s
    join first_referral as f on f.child_key = upper(trim(s.child_id))
    left join cin_assessed as a on a.child_key = f.child_key
    where s.strategy_discussion_date >= f.first_referral and a.child_key is null
      and (select count(*) from cin_assessed) > 0
    union all
    -- CIN 8831, 8832: the child's latest referral day on or before the start had only NFA referrals
    select s.list_name, s.source_file, s.source_sheet, s.source_row, s.column_key, s.value,
           'activity_after_nfa_referral'
    from cin_starts as s
    join cin_nfa_spans as n on n.child_key = s.child_key
    where s.start_date >= n.nfa_on and (n.next_referral is null or s.start_date < n.next_referral)
    union all
    -- CIN 8565: activity dated after the close of the child's episode in list 6
    select 'list_04_assessments', a.source_file, a.source_sheet, a.source_row,
           case when a.assessment_start_date > c.closed_on then 'assessment_start_date'
                else 'assessment_authorised_date' end,
           case when a.assessment_start_date > c.closed_on then a.assessment_start_date_raw
                else a.assessment_authorised_date_raw end, 'activity_after_cin_closure'
    from staging.list_04_assessments as a
    join cin_closed as c on c.child_key = upper(trim(a.child_id))
    where a.assessment_start_date > c.closed_on or a.assessment_authorised_date > c.closed_on
    union all
    select 'list_05_section_47', s.source_file, s.source_sheet, s.source_row,
           case when s.strategy_discussion_date > c.closed_on then 'strategy_discussion_date'
                else 'icpc_date' end,
           case when s.strategy_discussion_date > c.closed_on then s.strategy_discussion_date_raw
                else s.icpc_date_raw end, 'activity_after_cin_closure'
    from staging.list_05_section_47 as s
    join cin_closed as c on c.child_key = upper(trim(s.child_id))
    where s.strategy_discussion_date > c.closed_on or s.icpc_date > c.closed_on
    union all
    select 'list_07_child_protection', p.source_file, p.source_sheet, p.source_row,
           case when p.cp_plan_start_date > c.closed_on then 'cp_plan_start_date'
                else 'cp_plan_end_date' end,
           case when p.cp_plan_start_date > c.closed_on then p.cp_plan_start_date_raw
                else p.cp_plan_end_date_raw end, 'activity_after_cin_closure'
    from staging.list_07_child_protection as p
    join cin_closed as c on c.child_key = upper(trim(p.child_id))
    where p.cp_plan_start_date > c.closed_on or p.cp_plan_end_date > c.closed_on
    union all
    -- CIN 8867, 8868: an assessment or S47 still open inside a closed episode
    select 'list_04_assessments', a.source_file, a.source_sheet, a.source_row, 'assessment_authorised_date',
           a.assessment_authorised_date_raw, 'closed_with_open_assessment'
    from staging.list_04_assessments as a
    join staging.list_06_children_in_need as c on upper(trim(c.child_id)) = upper(trim(a.child_id))
    where trim(a.child_id) <> '' and a.assessment_authorised_date is null
      and a.assessment_start_date between c.cin_start_date and c.cin_closure_date
    union all
    select 'list_05_section_47', s.source_file, s.source_sheet, s.source_row, 'icpc_date',
           s.icpc_date_raw, 'closed_with_open_s47'
    from staging.list_05_section_47 as s
    join staging.list_06_children_in_need as c on upper(trim(c.child_id)) = upper(trim(s.child_id))
    where trim(s.child_id) <> '' and s.icpc_date is null and s.icpc_unnecessary is distinct from 'Yes'
      and s.strategy_discussion_date between c.cin_start_date and c.cin_closure_date
    union all
    -- CIN 8863Q, 8896: an assessment starting while an earlier one of the child is open (open until
    -- authorised)
    select 'list_04_assessments', source_file, source_sheet, source_row, 'assessment_start_date', value,
           'assessment_overlap'
    from (select source_file, source_sheet, source_row, assessment_start_date,
                 assessment_start_date_raw as value,
                 max(coalesce(assessment_authorised_date, date '9999-12-31')) over (
                     partition by upper(trim(child_id)) order by assessment_start_date
                     range between unbounded preceding and interval 1 day preceding) as open_until
          from staging.list_04_assessments
          where assessment_start_date is not null and upper(trim(child_id)) in (
              select upper(trim(child_id)) from staging.list_04_assessments
              where trim(child_id) <> '' group by 1 having count(*) > 1))
    where assessment_start_date <= open_until
    union all
    -- CIN 8890, 8839: an S47 starting while an earlier one of the child is open (until its ICPC; one
    -- with neither an ICPC nor 'ICPC unnecessary' is still open)
    select 'list_05_section_47', source_file, source_sheet, source_row, 'strategy_discussion_date', value,
           's47_overlap'
    from (select source_file, source_sheet, source_row, strategy_discussion_date,
                 strategy_discussion_date_raw as value,
                 max(case when icpc_date is not null then icpc_date
                          when icpc_unnecessary = 'Yes' then date '0001-01-01'
                          else date '9999-12-31' end) over (
                     partition by upper(trim(child_id)) order by strategy_discussion_date
                     range between unbounded preceding and interval 1 day preceding) as open_until
          from staging.list_05_section_47
          where strategy_discussion_date is not null and upper(trim(child_id)) in (
              select upper(trim(child_id)) from staging.list_05_section_47
              where trim(child_id) <> '' group by 1 having count(*) > 1))
    where strategy_discussion_date <= open_until
    union all
    -- CIN 8841: the latest review conference on or before the plan's start
    select 'list_07_child_protection', source_file, source_sheet, source_row, 'date_latest_review',
           date_latest_review_raw, 'cp_review_not_after_start'
    from staging.list_07_child_protection
    where date_latest_review <= cp_plan_start_date
    union all
    -- CIN 8875: an ICPC at a weekend
    select 'list_05_section_47', source_file, source_sheet, source_row, 'icpc_date', icpc_date_raw,
           'icpc_on_weekend'
    from staging.list_05_section_47
    where dayofweek(icpc_date) in (0, 6)
    union all
    -- CIN 8750: an unborn child (born after the notification date) with a gender
    select l.list_name, l.source_file, l.source_sheet, l.source_row, 'gender', l.gender_raw, 'unborn_gender'
    from cin_people as l, run
    where l.date_of_birth > run.notification_date and l.gender in ('Male', 'Female')
    union all
    -- CIN 2886Q: gender not recorded, in a list where over 2% of born children's rows have none
    select l.list_name, l.source_file, l.source_sheet, l.source_row, 'gender', l.gender_raw,
           'gender_not_recorded'
    from cin_people as l
    join cin_gender_lists as g on g.list_name = l.list_name
    cross join run
    where l.gender = 'Not stated/recorded'
      and (l.date_of_birth is null or l.date_of_birth <= run.notification_date)
    union all
    -- fields filled together: the finding points at the blank one
    select 'list_06_children_in_need', source_file, source_sheet, source_row,
           case when cin_closure_date is null then 'cin_closure_date' else 'reason_for_closure' end,
           case when cin_closure_date is null then cin_closure_date_raw else reason_for_closure_raw end,
           'cin_closure_incomplete'
    from staging.list_06_children_in_need
    where (cin_closure_date is null) <> (reason_for_closure is null)
    union all
    select 'list_08_children_in_care', source_file, source_sheet, source_row,
           case when date_ceased_looked_after is null then 'date_ceased_looked_after' else 'reason_ceased' end,
           case when date_ceased_looked_after is null then date_ceased_looked_after_raw else reason_ceased_raw end,
           'ceased_incomplete'
    from staging.list_08_children_in_care
    where (date_ceased_looked_after is null) <> (reason_ceased is null)
    union all
    select 'list_10_adoptions', source_file, source_sheet, source_row,
           case when date_no_longer_placed is null then 'date_no_longer_placed' else 'reason_no_longer_placed' end,
           case when date_no_longer_placed is null then date_no_longer_placed_raw else reason_no_longer_placed_raw end,
           'adoption_reversal_incomplete'
    from staging.list_10_adoptions
    where (date_no_longer_placed is null) <> (reason_no_longer_placed is null)
    union all
    select 'list_09_care_leavers', source_file, source_sheet, source_row,
           case when activity_status is not null then 'activity_status' else 'accommodation_type' end,
           case when activity_status is not null then activity_status_raw else accommodation_type_raw end,
           'care_leaver_activity_not_expected'
    from staging.list_09_care_leavers
    where in_touch in ('Died', 'Rhom') and (activity_status is not null or accommodation_type is not null)
    union all
    select 'list_09_care_leavers', source_file, source_sheet, source_row,
           case when activity_status is null then 'activity_status' else 'accommodation_type' end,
           case when activity_status is null then activity_status_raw else accommodation_type_raw end,
           'care_leaver_activity_missing'
    from staging.list_09_care_leavers
    where in_touch = 'Yes' and (activity_status is null or accommodation_type is null)
    union all
    -- (SSDA903 rules 100-399 for the coverage table, flows/validation/dfe/ssda903.csv)
    -- list 8: age against legal status, placement type and reason ceased
    select 'list_08_children_in_care', source_file, source_sheet, source_row, 'legal_status',
           legal_status_raw, 'legal_status_too_young'
    from staging.list_08_children_in_care
    where legal_status in ('J1', 'J2', 'J3')
      and date_sub('year', date_of_birth, coalesce(legal_status_start_date, date_started_looked_after)) < 10
    union all
    select 'list_08_children_in_care', l.source_file, l.source_sheet, l.source_row, 'placement_type',
           l.placement_type_raw, a.rule
    from staging.list_08_children_in_care as l
    join placement_ages as a on a.placement_type = l.placement_type
    where date_sub('year', l.date_of_birth, l.placement_start_date) < a.min_age
    union all
    select 'list_08_children_in_care', source_file, source_sheet, source_row, 'reason_ceased',
           reason_ceased_raw, 'ceased_adopted_adult'
    from staging.list_08_children_in_care
    where reason_ceased in ('E11', 'E12') and date_sub('year', date_of_birth, date_ceased_looked_after) >= 18
    union all
    select 'list_08_children_in_care', source_file, source_sheet, source_row, 'reason_ceased',
           reason_ceased_raw, 'ceased_independent_under_14'
    from staging.list_08_children_in_care
    where reason_ceased in ('E5', 'E6') and date_sub('year', date_of_birth, date_ceased_looked_after) < 14
    union all
    select 'list_08_children_in_care', source_file, source_sheet, source_row, 'reason_ceased',
           reason_ceased_raw, 'ceased_order_adult'
    from staging.list_08_children_in_care
    where reason_ceased in ('E45', 'E46', 'E47', 'E48')
      and date_ceased_looked_after > date_of_birth + interval 18 year
    union all
    select 'list_08_children_in_care', source_file, source_sheet, source_row, 'reason_ceased',
           reason_ceased_raw, 'ceased_adult_care_under_16'
    from staging.list_08_children_in_care
    where reason_ceased = 'E7' and date_sub('year', date_of_birth, date_ceased_looked_after) < 16
    union all
    select 'list_08_children_in_care', source_file, source_sheet, source_row, 'reason_ceased',
           reason_ceased_raw, 'ceased_staying_put_under_18'
    from staging.list_08_children_in_care
    where reason_ceased = 'E17' and date_sub('year', date_of_birth, date_ceased_looked_after) < 18
    union all
    -- list 8: placement provider, URN and location against placement type and LA (903 527-531,
    -- 218, 222, 411); retired placement types are reported as retired, not checked here
    select 'list_08_children_in_care', source_file, source_sheet, source_row, 'placement_provider',
           placement_provider_raw, 'placement_provider_mismatch'
    from staging.list_08_children_in_care
    where (placement_type = 'P1' and placement_provider in ('PR1', 'PR2', 'PR3', 'PR4', 'PR5'))
       or (placement_type in ('R2', 'R5') and placement_provider in ('PR1', 'PR2'))
       or (placement_type in ('A3', 'A4', 'A5', 'A6', 'K1', 'K2', 'U1', 'U2', 'U3', 'U4', 'U5', 'U6')
           and placement_provider = 'PR3')
    union all
    select 'list_08_children_in_care', source_file, source_sheet, source_row, 'placement_urn',
           placement_urn_raw, 'urn_missing'
    from staging.list_08_children_in_care
    where placement_type in ('U1', 'U2', 'U3', 'U4', 'U5', 'U6', 'A3', 'A4', 'A5', 'A6', 'K1', 'K2', 'K3',
                             'R3', 'S1')
      and placement_urn is null
      and coalesce(la_of_placement, '') not in ('NIR', 'SCO', 'WAL', 'NUK', 'CON')
    union all
    select 'list_08_children_in_care', source_file, source_sheet, source_row, 'placement_urn',
           placement_urn_raw, 'urn_not_expected'
    from staging.list_08_children_in_care
    where placement_type in ('P1', 'P3', 'R1', 'R2', 'R5', 'T0', 'T1', 'T2', 'T3', 'T4', 'Z1')
      and placement_urn is not null and upper(trim(placement_urn)) <> 'XXXXXXX'
    union all
    select 'list_08_children_in_care', l.source_file, l.source_sheet, l.source_row, 'placement_location',
           l.placement_location_raw, 'placement_location_mismatch'
    from staging.list_08_children_in_care as l, run
    where l.placement_location = 'In' and l.la_of_placement <> run.la_code and l.la_of_placement <> 'CON'
    union all
    -- adoption sequence
    select 'list_10_adoptions', source_file, source_sheet, source_row, 'date_placed_for_adoption',
           date_placed_for_adoption_raw, 'adoption_order_not_placed'
    from staging.list_10_adoptions
    where date_adoption_order is not null and date_placed_for_adoption is null
    union all
    -- adoption sequence: list 8's latest placement and legal status (903 390, 408)
    select 'list_08_children_in_care', source_file, source_sheet, source_row, 'placement_type',
           placement_type_raw, 'adopted_not_placed_for_adoption'
    from staging.list_08_children_in_care
    where reason_ceased in ('E11', 'E12') and placement_type not in ('A3', 'A4', 'A5', 'A6')
    union all
    select 'list_08_children_in_care', source_file, source_sheet, source_row, 'legal_status',
           legal_status_raw, 'placement_order_missing'
    from staging.list_08_children_in_care
    where placement_type in ('A5', 'A6') and legal_status <> 'E1'
    union all
    -- placed or under a placement order (list 10, or list 8 for a child in list 10) without the
    -- decision to place (903 551, 553)
    select 'list_10_adoptions', a.source_file, a.source_sheet, a.source_row, 'date_should_be_placed',
           a.date_should_be_placed_raw, 'placed_without_decision'
    from staging.list_10_adoptions as a
    left join care as c on c.child_key = upper(trim(a.child_id))
    where a.date_should_be_placed is null
      and (a.date_placed_for_adoption is not null or a.date_placement_order is not null
           or coalesce(c.adoption_route, false))
    union all
    -- list 8 and list 10 agree that a child was adopted (903 601, 602): an adoption order in the
    -- six months ends a period of care that list 8 covers, unless a later period started after it
    select 'list_10_adoptions', a.source_file, a.source_sheet, a.source_row, 'date_adoption_order',
           a.date_adoption_order_raw, 'adoption_order_missing'
    from staging.list_10_adoptions as a
    join care as c on c.child_key = upper(trim(a.child_id))
    where c.adopted_in_period and a.date_adoption_order is null
    union all
    select 'list_10_adoptions', a.source_file, a.source_sheet, a.source_row, 'date_adoption_order',
           a.date_adoption_order_raw, 'adoption_not_shown_in_care'
    from staging.list_10_adoptions as a
    cross join run
    cross join care_provided as p
    left join care as c on c.child_key = upper(trim(a.child_id))
    where a.date_adoption_order >= run.period_start and p.provided
      and (c.child_key is null
           or (not c.adopted and not c.reason_unread and c.last_start <= a.date_adoption_order))
    union all
    select 'list_11_adopters', source_file, source_sheet, source_row, 'date_stage1_started',
           date_stage1_started_raw, 'adopter_stage_missing'
    from staging.list_11_adopters
    where date_stage1_started is null
      and coalesce(date_stage1_ended, date_stage2_started, date_stage2_ended) is not null
    union all
    -- list 8: dates of the latest period, legal status and placement (903 169, 213, 231, 232, 242,
    -- 353, 355, 359, 361-365, 375-382, 384, 392b), in one pass over the list: each row's hits as structs
    select 'list_08_children_in_care', source_file, source_sheet, source_row, h.column_key, h.value, h.rule
    from (
        select l.source_file, l.source_sheet, l.source_row, unnest(list_filter([
            {'hit': least(l.date_started_looked_after, l.legal_status_start_date, l.placement_start_date)
                    < date '1991-10-14',
             'column_key': case when l.date_started_looked_after < date '1991-10-14' then 'date_started_looked_after'
                                when l.legal_status_start_date < date '1991-10-14' then 'legal_status_start_date'
                                else 'placement_start_date' end,
             'value': case when l.date_started_looked_after < date '1991-10-14' then l.date_started_looked_after_raw
                           when l.legal_status_start_date < date '1991-10-14' then l.legal_status_start_date_raw
                           else l.placement_start_date_raw end,
             'rule': 'care_started_before_1991'},
            -- the last episode starts at the later of the latest placement and legal status
            {'hit': l.date_ceased_looked_after
                    = greatest(coalesce(l.placement_start_date, l.date_started_looked_after),
                               coalesce(l.legal_status_start_date, l.date_started_looked_after),
                               l.date_started_looked_after),
             'column_key': 'date_ceased_looked_after', 'value': l.date_ceased_looked_after_raw,
             'rule': 'care_ended_same_day'},
            {'hit': l.date_ceased_looked_after_raw is null
                    and date_sub('year', l.date_of_birth, run.notification_date) >= 18
                    and not (coalesce(l.legal_status, '') = 'V2' and coalesce(l.placement_type, '') = 'K2'),
             'column_key': 'date_ceased_looked_after', 'value': l.date_ceased_looked_after_raw,
             'rule': 'looked_after_past_18'},
            {'hit': date_diff('day', l.legal_status_start_date,
                              coalesce(l.date_ceased_looked_after, run.notification_date))
                    > case l.legal_status when 'L1' then 3 when 'L2' then 21 when 'L3' then 7
                                          when 'J2' then 21 when 'V3' then 17 end,
             'column_key': 'legal_status', 'value': l.legal_status_raw, 'rule': 'legal_status_too_long'},
            {'hit': date_diff('day', l.placement_start_date,
                              coalesce(l.date_ceased_looked_after, run.notification_date))
                    > case l.placement_type when 'T1' then 42 when 'T3' then 21 when 'T4' then 7 end,
             'column_key': 'placement_type', 'value': l.placement_type_raw,
             'rule': 'temporary_placement_too_long'},
            {'hit': l.placement_type in ('T0', 'T1', 'T2', 'T3', 'T4')
                    and (l.date_ceased_looked_after is not null
                         or l.placement_start_date = l.date_started_looked_after
                         or l.legal_status in ('V3', 'V4')),
             'column_key': 'placement_type', 'value': l.placement_type_raw,
             'rule': 'temporary_placement_misused'},
            {'hit': (l.placement_type = 'P1' and l.legal_status = 'V2')
                    or (l.placement_type in ('U1', 'U4') and l.legal_status in ('V3', 'V4')),
             'column_key': 'placement_type', 'value': l.placement_type_raw,
             'rule': 'legal_status_placement_mismatch'},
            {'hit': l.placement_type in ('T0', 'T1', 'T2', 'T3', 'T4', 'Z11', 'Z12', 'Z13', 'Z14')
                    and l.placement_provider is not null,
             'column_key': 'placement_provider', 'value': l.placement_provider_raw,
             'rule': 'placement_provider_not_expected'},
            {'hit': upper(trim(l.placement_urn)) = 'XXXXXXX' and l.placement_type in ('K1', 'K2', 'K3', 'R3', 'S1'),
             'column_key': 'placement_urn', 'value': l.placement_urn_raw, 'rule': 'urn_placeholder_misused'},
            {'hit': l.uasc = 'Yes' and date_sub('year', l.date_of_birth, run.notification_date) < 11,
             'column_key': 'uasc', 'value': l.uasc_raw, 'rule': 'uasc_young'},
            {'hit': l.gender = 'Not stated/recorded', 'column_key': 'gender', 'value': l.gender_raw,
             'rule': 'gender_not_recorded_in_care'},
            -- every placement but a short break has its LA and postcode (903 169, 392b)
            {'hit': l.placement_type is not null and l.la_of_placement is null
                    and coalesce(l.legal_status, '') not in ('V3', 'V4'),
             'column_key': 'la_of_placement', 'value': l.la_of_placement_raw, 'rule': 'placement_details_missing'},
            {'hit': l.placement_type is not null and l.placement_postcode is null
                    and coalesce(l.legal_status, '') not in ('V3', 'V4'),
             'column_key': 'placement_postcode', 'value': l.placement_postcode_raw,
             'rule': 'placement_details_missing'}
        ], lambda x: coalesce(x.hit, false))) as h
        from staging.list_08_children_in_care as l, run
    )
    union all
    select 'list_09_care_leavers', source_file, source_sheet, source_row, 'gender', gender_raw,
           'gender_not_recorded_in_care'
    from staging.list_09_care_leavers
    where gender = 'Not stated/recorded'
    union all
    -- list 9: a foyer is not for under-18s (903 347)
    select 'list_09_care_leavers', c.source_file, c.source_sheet, c.source_row, 'accommodation_type',
           c.accommodation_type_raw, 'foyer_under_18'
    from staging.list_09_care_leavers as c, run
    where c.accommodation_type = 'T' and date_sub('year', c.date_of_birth, run.notification_date) < 18
    union all
    select 'list_10_adoptions', source_file, source_sheet, source_row, 'gender', gender_raw,
           'gender_not_recorded_in_care'
    from staging.list_10_adoptions
    where gender = 'Not stated/recorded'
    union all
    -- list 10 against list 8 and list 9 (903 117, 134)
    select 'list_10_adoptions', a.source_file, a.source_sheet, a.source_row,
           case when a.date_should_be_placed > e.ceased then 'date_should_be_placed' else 'date_no_longer_placed' end,
           case when a.date_should_be_placed > e.ceased then a.date_should_be_placed_raw
                else a.date_no_longer_placed_raw end,
           'adoption_decision_after_care'
    from staging.list_10_adoptions as a
    join (select upper(trim(child_id)) as child_key, max(date_ceased_looked_after) as ceased
          from staging.list_08_children_in_care
          where trim(child_id) <> ''
          group by 1
          having bool_and(date_ceased_looked_after is not null)) as e
        on e.child_key = upper(trim(a.child_id))
    where a.date_should_be_placed > e.ceased or a.date_no_longer_placed > e.ceased
    union all
    select 'list_10_adoptions', a.source_file, a.source_sheet, a.source_row, 'child_id', a.child_id,
           'care_leaver_in_adoptions'
    from staging.list_10_adoptions as a
    where trim(a.child_id) <> ''
      and coalesce(a.date_should_be_placed, a.date_matched, a.date_placed_for_adoption,
                   a.date_adoption_order) is not null
      and upper(trim(a.child_id)) in (
          select upper(trim(child_id)) from staging.list_09_care_leavers
          where coalesce(in_touch, activity_status, accommodation_type) is not null)
    union all
    -- (SSDA903 rules 400 and over for the coverage table, flows/validation/dfe/ssda903.csv)
    -- list 8: legal status against the 2002 Act (903 446; freeing orders ended with it), reason ceased and provider
    -- against placement type (516, 550), the LA's own provision outside its area (1015)
    select 'list_08_children_in_care', source_file, source_sheet, source_row, 'legal_status',
           legal_status_raw, 'legal_status_adoption_law'
    from staging.list_08_children_in_care
    where (legal_status = 'D1'
           and (date_ceased_looked_after is null or legal_status_start_date > date '2005-12-31'
                or placement_start_date > date '2005-12-31'))
       or (legal_status = 'E1' and legal_status_start_date < date '2005-12-01')
    union all
    select 'list_08_children_in_care', source_file, source_sheet, source_row, 'placement_type',
           placement_type_raw, 'sgo_foster_carers_not_fostered'
    from staging.list_08_children_in_care
    where reason_ceased in ('E45', 'E46') and placement_type not in ('U1', 'U2', 'U3', 'U4', 'U5', 'U6')
    union all
    select 'list_08_children_in_care', source_file, source_sheet, source_row, 'placement_provider',
           placement_provider_raw, 'parent_provider_not_with_parents'
    from staging.list_08_children_in_care
    where placement_provider = 'PR0' and placement_type <> 'P1'
    union all
    select 'list_08_children_in_care', l.source_file, l.source_sheet, l.source_row, 'la_of_placement',
           l.la_of_placement_raw, 'own_provision_outside_la'
    from staging.list_08_children_in_care as l, run
    where l.placement_provider = 'PR1'
      and l.placement_type not in ('A3', 'A4', 'A5', 'A6', 'U1', 'U2', 'U3', 'U4', 'U5', 'U6', 'K3')
      and l.legal_status not in ('V3', 'V4')
      and l.la_of_placement <> run.la_code and l.la_of_placement <> 'CON'
    union all
    -- list 9: a care leaver whose latest care in list 8 ended in death or a transfer to another LA
    -- (903 1000, 1011); with former foster carers under 18 (3001)
    select 'list_09_care_leavers', l.source_file, l.source_sheet, l.source_row, 'in_touch',
           l.in_touch_raw, 'care_leaver_not_eligible'
    from staging.list_09_care_leavers as l
    join (
        select upper(trim(child_id)) as child_key,
               arg_max(reason_ceased, date_started_looked_after) as last_reason
        from staging.list_08_children_in_care
        where trim(child_id) <> ''
        group by 1
    ) as c on c.child_key = upper(trim(l.child_id))
    where c.last_reason in ('E2', 'E3')
      and coalesce(l.in_touch, l.activity_status, l.accommodation_type) is not null
    union all
    select 'list_09_care_leavers', source_file, source_sheet, source_row, 'accommodation_type',
           accommodation_type_raw, 'care_leaver_staying_put_under_18'
    from staging.list_09_care_leavers, run
    where accommodation_type = 'Z' and date_sub('year', date_of_birth, run.notification_date) < 18
    union all
    -- list 10: the reversal of the decision against the decision and the adoption (903 522, 525,
    -- 557, 558, 563); matched the day of the adoption order (582)
    select 'list_10_adoptions', a.source_file, a.source_sheet, a.source_row, 'date_no_longer_placed',
           a.date_no_longer_placed_raw, 'adopted_after_reversal'
    from staging.list_10_adoptions as a
    left join care as c on c.child_key = upper(trim(a.child_id))
    where a.date_no_longer_placed is not null
      -- not the reversal of an earlier decision (reversal_before_decision reports that)
      and coalesce(a.date_no_longer_placed >= a.date_should_be_placed, true)
      and (a.date_adoption_order is not null or coalesce(c.adopted, false))
    union all
    select 'list_10_adoptions', a.source_file, a.source_sheet, a.source_row, 'date_no_longer_placed',
           a.date_no_longer_placed_raw, 'reversal_not_recorded'
    from staging.list_10_adoptions as a
    join (
        select upper(trim(child_id)) as child_key,
               bool_or((placement_type in ('A3', 'A4', 'A5', 'A6') or legal_status = 'E1')
                       and reason_ceased not in ('E11', 'E12')) as left_unadopted,
               coalesce(bool_or(reason_ceased in ('E11', 'E12')), false) as adopted
        from staging.list_08_children_in_care
        where trim(child_id) <> '' and reason_ceased is not null
        group by 1
    ) as c on c.child_key = upper(trim(a.child_id))
    where c.left_unadopted and not c.adopted
      and a.date_should_be_placed is not null
      and a.date_no_longer_placed is null and a.reason_no_longer_placed is null
    union all
    select 'list_10_adoptions', source_file, source_sheet, source_row, 'date_should_be_placed',
           date_should_be_placed_raw, 'reversal_without_decision'
    from staging.list_10_adoptions
    where date_should_be_placed is null
      and (date_no_longer_placed is not null or reason_no_longer_placed is not null)
    union all
    select 'list_10_adoptions', source_file, source_sheet, source_row, 'date_no_longer_placed',
           date_no_longer_placed_raw, 'reversal_before_decision'
    from staging.list_10_adoptions
    where date_no_longer_placed < date_should_be_placed
    union all
    select 'list_10_adoptions', source_file, source_sheet, source_row, 'date_matched',
           date_matched_raw, 'matched_on_adoption_day'
    from staging.list_10_adoptions
    where date_matched = date_adoption_order
    union all
    -- duplicates: the second and later rows of a child with the same event date
    select e.list_name, e.source_file, e.source_sheet, e.source_row, e.column_key, e.value, 'duplicate_event'
    from events as e
    join duplicated as d
        on d.list_name = e.list_name and d.child_key = upper(trim(e.child_id)) and d.event_date = e.event_date
    qualify row_number() over (
        partition by e.list_name, d.child_key, e.event_date
        order by e.source_file, e.source_sheet, e.source_row
    ) > 1
    union all
    -- timeliness queries (info): started before the 45th / 15th working day before notification
    select 'list_04_assessments', source_file, source_sheet, source_row, 'assessment_authorised_date',
           assessment_authorised_date_raw, 'assessment_open_long'
    from staging.list_04_assessments, run
    where assessment_authorised_date is null
      and assessment_start_date < run.working_days_45
    union all
    select 'list_05_section_47', source_file, source_sheet, source_row, 'icpc_date',
           icpc_date_raw, 's47_without_icpc'
    from staging.list_05_section_47, run
    where icpc_date is null and coalesce(icpc_unnecessary, '') <> 'Yes'
      and strategy_discussion_date < run.working_days_15
)
select
    h.list_name, h.source_file, h.source_sheet, h.source_row,
    s.header as column_name,
    h.value,
    false as passed,
    h.rule, c.severity, c.message
from hits as h
join quality.spec_headers as s on s.list_name = h.list_name and s.column_name = h.column_key
join quality.rule_catalogue as c on c.rule = h.rule
