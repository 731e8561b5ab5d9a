-- depends: meta.run, staging.list_07_child_protection
-- Child protection plans open on the notification date that started two or more years before it.
create or replace view pack.loe_cp_over_two_years as
with run as (
    select notification_date from meta.run
),
final as (
    select child_id, cp_plan_start_date, date_diff('day', cp_plan_start_date, run.notification_date) as days_on_plan,
           latest_category_of_abuse, previous_cp_plans, allocated_team
    from staging.list_07_child_protection, run
    where (cp_plan_end_date is null or cp_plan_end_date > run.notification_date)
      and cp_plan_start_date <= cast(run.notification_date - interval 2 year as date)
)
select * from final order by days_on_plan desc, child_id
