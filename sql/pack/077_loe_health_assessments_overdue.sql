-- depends: meta.run, staging.list_08_children_in_care
-- Children in care on the notification date whose health assessment is overdue: none recorded, or
-- the last one more than 12 months ago (6 months for under-fives); children in care under 28 days
-- are left out (the initial assessment is due within 20 working days).
create or replace view pack.loe_health_assessments_overdue as
with run as (
    select notification_date from meta.run
),
open_cla as (
    select c.*, coalesce(date_sub('year', c.date_of_birth, run.notification_date), c.age) as age_now
    from staging.list_08_children_in_care as c, run
    where (c.date_ceased_looked_after is null or c.date_ceased_looked_after > run.notification_date)
      and c.date_started_looked_after <= cast(run.notification_date - interval 28 day as date)
),
final as (
    select child_id, age_now as age, date_started_looked_after, date_last_health_assessment,
           date_diff('day', date_last_health_assessment, run.notification_date) as days_since_assessment, allocated_team
    from open_cla, run
    where date_last_health_assessment is null
       or date_last_health_assessment < case when age_now < 5
            then cast(run.notification_date - interval 6 month as date)
            else cast(run.notification_date - interval 12 month as date) end
)
select * from final order by date_last_health_assessment nulls first, child_id
