-- depends: meta.run, pack.comparisons_published, staging.list_07_child_protection, staging.list_08_children_in_care
-- The size of each open cohort on the Annex A lists on the notification date, beside the latest
-- published count at 31 March (list 8 children in care, list 7 child protection plans): a list far
-- from the published count may be incomplete, or the published count old. One row per cohort.
create or replace view pack.cohort_checks as
with run as (
    select notification_date from meta.run
),
listed as (
    select 'Children in care' as cohort, 'list_08_children_in_care' as list_name, '8' as number, 'cla_count' as indicator_id,
        (select count(distinct child_id) from staging.list_08_children_in_care, run
         where date_ceased_looked_after is null or date_ceased_looked_after > run.notification_date) as list_children
    union all
    select 'Child protection plans', 'list_07_child_protection', '7', 'cpp_count',
        (select count(distinct child_id) from staging.list_07_child_protection, run
         where cp_plan_end_date is null or cp_plan_end_date > run.notification_date)
),
published as (
    select indicator_id, period, la_value
    from pack.comparisons_published
    qualify row_number() over (partition by indicator_id order by period desc) = 1
),
final as (
    select l.cohort, l.list_name, l.number, l.list_children, p.period, p.la_value as published_children,
        round(l.list_children / nullif(p.la_value, 0), 2) as ratio
    from listed as l
    left join published as p using (indicator_id)
)
select * from final order by number desc
