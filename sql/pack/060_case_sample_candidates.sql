-- depends: meta.run, pack.working_days, pack_src.list_children, staging.audits, staging.list_01_contacts, staging.list_03_referrals, staging.list_04_assessments, staging.list_05_section_47, staging.list_06_children_in_need, staging.list_07_child_protection, staging.list_08_children_in_care, staging.list_09_care_leavers, staging.list_10_adoptions, staging.missing_exploitation, staging.unregistered_provision
-- One row per child the LA audited in the six months, with what para 162 and 163 ask inspectors to
-- cover: age, sex, disability, ethnicity, exploitation or missing, placement type (out of area,
-- kinship, placed with parents), large sibling group, and signs the child waited. flows/pack/case_sample.py
-- picks the suggested sample from these rows. The per-child parts keep only audited children before
-- they rank or group (a few hundred of the largest LA's ~60k children).
create or replace view pack.case_sample_candidates as
with run as (
    select period_start, notification_date from meta.run
),
audited as (
    select child_id,
           max(date_audit_completed) as last_audit,
           string_agg(distinct coalesce(nullif(trim(audit_theme), ''), 'Theme not recorded'), '; '
                      order by coalesce(nullif(trim(audit_theme), ''), 'Theme not recorded')) as themes
    from staging.audits, run
    where child_id is not null and date_audit_completed between run.period_start and run.notification_date
    group by child_id
),
-- person details: the most specific list wins (CLA, CP, CIN, care leavers, then the front door)
person as (
    select child_id, date_of_birth, age, gender, ethnicity, 1 as pref from staging.list_08_children_in_care
    union all select child_id, date_of_birth, age, gender, ethnicity, 2 from staging.list_07_child_protection
    union all select child_id, date_of_birth, age, gender, ethnicity, 3 from staging.list_06_children_in_need
    union all select child_id, date_of_birth, age, gender, ethnicity, 4 from staging.list_09_care_leavers
    union all select child_id, date_of_birth, age, gender, ethnicity, 5 from staging.list_05_section_47
    union all select child_id, date_of_birth, age, gender, ethnicity, 6 from staging.list_04_assessments
    union all select child_id, date_of_birth, age, gender, ethnicity, 7 from staging.list_03_referrals
    union all select child_id, date_of_birth, age, gender, ethnicity, 8 from staging.list_01_contacts
    union all select child_id, date_of_birth, age, gender, ethnicity, 9 from staging.list_10_adoptions
),
best_person as (
    select * from person where child_id in (select child_id from audited) qualify row_number() over (partition by child_id order by pref, date_of_birth nulls last, age nulls last) = 1
),
disabled as (
    select child_id, bool_or(disability = 'Yes') as disabled from (
        select child_id, disability from staging.list_04_assessments
        union all select child_id, disability from staging.list_05_section_47
        union all select child_id, disability from staging.list_06_children_in_need
        union all select child_id, disability from staging.list_07_child_protection
        union all select child_id, disability from staging.list_08_children_in_care
        union all select child_id, disability from staging.list_09_care_leavers
        union all select child_id, disability from staging.list_10_adoptions
    ) where child_id in (select child_id from audited) group by child_id
),
cohort as (
    select child_id,
        bool_or(list_name = 'list_08_children_in_care') as in_care,
        bool_or(list_name = 'list_07_child_protection') as on_cp,
        bool_or(list_name = 'list_06_children_in_need') as in_need,
        bool_or(list_name = 'list_09_care_leavers') as care_leaver,
        bool_or(list_name = 'list_10_adoptions') as adoption
    from pack_src.list_children where child_id in (select child_id from audited) group by child_id
),
exploitation as (
    select child_id, bool_or(missing = 'Yes') as missing,
           bool_or(risk_sexual_exploitation = 'Yes' or risk_criminal_exploitation = 'Yes') as exploitation
    from staging.missing_exploitation group by child_id
),
cla as (
    select child_id, placement_type, placement_location, missing_episodes, placements_last_12_months, legal_status
    from staging.list_08_children_in_care
    qualify row_number() over (partition by child_id order by date_started_looked_after desc nulls last, source_row) = 1
),
siblings as (
    select a.child_id, max(f.n) as sibling_group
    from staging.list_10_adoptions as a
    join (select family_id, count(distinct child_id) as n from staging.list_10_adoptions
          where family_id is not null group by family_id) as f using (family_id)
    group by a.child_id
),
late_assessment as (
    select a.child_id, max(
        case when a.assessment_authorised_date is null or a.assessment_authorised_date > run.notification_date
             then e.wd_index else c.wd_index end - s.wd_index) as working_days
    from staging.list_04_assessments as a
    cross join run
    join pack.working_days as s on s.day = a.assessment_start_date
    join pack.working_days as e on e.day = run.notification_date
    left join pack.working_days as c on c.day = a.assessment_authorised_date
    where a.child_id in (select child_id from audited)
    group by a.child_id
),
long_cp as (
    select child_id, max(date_diff('day', cp_plan_start_date, run.notification_date)) as cp_days
    from staging.list_07_child_protection, run
    where cp_plan_end_date is null or cp_plan_end_date > run.notification_date
    group by child_id
),
adoption_wait as (
    select child_id, max(date_diff('day', date_should_be_placed,
        coalesce(date_placed_for_adoption, run.notification_date))) as adoption_days
    from staging.list_10_adoptions, run
    where date_should_be_placed is not null
    group by child_id
),
unregistered as (
    select distinct child_id from staging.unregistered_provision
),
final as (
    select
        audited.child_id,
        audited.last_audit,
        audited.themes,
        coalesce(date_sub('year', p.date_of_birth, run.notification_date), p.age) as age,
        p.gender,
        p.ethnicity,
        coalesce(d.disabled, false) as disabled,
        coalesce(cohort.in_care, false) as in_care,
        coalesce(cohort.on_cp, false) as on_cp,
        coalesce(cohort.in_need, false) as in_need,
        coalesce(cohort.care_leaver, false) as care_leaver,
        coalesce(cohort.adoption, false) as adoption,
        coalesce(x.missing, false) or coalesce(cla.missing_episodes, 0) > 0 as missing,
        coalesce(x.exploitation, false) as exploitation,
        cla.placement_type,
        cla.legal_status,
        cla.placement_location = 'Out' as out_of_area,
        cla.placement_type in ('U1', 'U2', 'U3') as kinship,
        cla.placement_type = 'P1' as placed_with_parents,
        coalesce(sib.sibling_group, 0) as sibling_group,
        u.child_id is not null as unregistered,
        la.working_days as assessment_working_days,
        lc.cp_days,
        aw.adoption_days,
        cla.placements_last_12_months
    from audited
    cross join run
    left join best_person as p using (child_id)
    left join disabled as d using (child_id)
    left join cohort using (child_id)
    left join exploitation as x using (child_id)
    left join cla using (child_id)
    left join siblings as sib using (child_id)
    left join unregistered as u using (child_id)
    left join late_assessment as la using (child_id)
    left join long_cp as lc using (child_id)
    left join adoption_wait as aw using (child_id)
)
select * from final order by child_id
