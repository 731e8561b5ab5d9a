-- depends: meta.run, staging.list_06_children_in_need, staging.list_07_child_protection, staging.list_08_children_in_care, staging.list_09_care_leavers
-- Make-up of the open CIN, CP and CLA cohorts on the notification date and of all care leavers on
-- list 9, by age band, gender, ethnic group and disability (long form, one row per category).
create or replace view pack.cohort_makeup as
with run as (
    select notification_date from meta.run
),
cohorts as (
    select 1 as cohort_order, 'Children in need' as cohort, child_id, date_of_birth, age, gender, ethnicity, disability
    from staging.list_06_children_in_need, run
    where cin_closure_date is null or cin_closure_date > run.notification_date
    union all
    select 2, 'Child protection plans', child_id, date_of_birth, age, gender, ethnicity, disability
    from staging.list_07_child_protection, run
    where cp_plan_end_date is null or cp_plan_end_date > run.notification_date
    union all
    select 3, 'Children in care', child_id, date_of_birth, age, gender, ethnicity, disability
    from staging.list_08_children_in_care, run
    where date_ceased_looked_after is null or date_ceased_looked_after > run.notification_date
    union all
    select 4, 'Care leavers', child_id, date_of_birth, age, gender, ethnicity, disability
    from staging.list_09_care_leavers
),
aged as (
    select
        cohorts.*,
        coalesce(date_sub('year', date_of_birth, run.notification_date), age) as age_now
    from cohorts, run
),
banded as (
    select
        cohort_order, cohort,
        case
            when age_now is null then 'Not known'
            when cohort = 'Care leavers' then case
                when age_now < 18 then '17 and under' when age_now = 18 then '18'
                when age_now <= 20 then '19 to 20' else '21 and over' end
            when age_now < 1 then 'Under 1' when age_now <= 4 then '1 to 4' when age_now <= 9 then '5 to 9'
            when age_now <= 15 then '10 to 15' else '16 and over'
        end as age_band,
        case
            when age_now is null then 9
            when cohort = 'Care leavers' then case
                when age_now < 18 then 1 when age_now = 18 then 2 when age_now <= 20 then 3 else 4 end
            when age_now < 1 then 1 when age_now <= 4 then 2 when age_now <= 9 then 3
            when age_now <= 15 then 4 else 5
        end as age_order,
        coalesce(gender, 'Not recorded') as gender,
        case coalesce(gender, 'Not recorded')
            when 'Male' then 1 when 'Female' then 2 when 'Neither' then 3 else 4 end as gender_order,
        case
            when ethnicity is null or ethnicity in ('REFU', 'NOBT') then 'Refused or not known'
            when ethnicity like 'W%' then 'White'
            when ethnicity like 'M%' then 'Mixed or multiple'
            when ethnicity like 'A%' or ethnicity = 'CHNE' then 'Asian or Asian British'
            when ethnicity like 'B%' then 'Black or Black British'
            else 'Other ethnic group'
        end as ethnic_group,
        coalesce(disability, 'Not recorded') as disability
    from aged
),
long as (
    select cohort_order, cohort, 1 as dimension_order, 'Age band' as dimension, age_band as category, age_order as category_order from banded
    union all
    select cohort_order, cohort, 2, 'Gender', gender, gender_order from banded
    union all
    select cohort_order, cohort, 3, 'Ethnic group', ethnic_group,
        case ethnic_group when 'White' then 1 when 'Mixed or multiple' then 2 when 'Asian or Asian British' then 3
            when 'Black or Black British' then 4 when 'Other ethnic group' then 5 else 6 end
    from banded
    union all
    select cohort_order, cohort, 4, 'Disability', disability,
        case disability when 'Yes' then 1 when 'No' then 2 when 'Unknown' then 3 else 4 end
    from banded
),
final as (
    select
        cohort_order, cohort, dimension_order, dimension, category_order, category,
        count(*) as children,
        round(100.0 * count(*) / sum(count(*)) over (partition by cohort, dimension), 1) as percent
    from long
    group by cohort_order, cohort, dimension_order, dimension, category_order, category
)
select * from final order by cohort_order, dimension_order, category_order, category
