-- depends: meta.run, staging.list_07_child_protection
-- Children on a second or later child protection plan (list 7 rows with one or more previous plans).
create or replace view pack.loe_cp_repeat_plans as
with run as (
    select notification_date from meta.run
),
final as (
    select child_id, previous_cp_plans, previous_cp_plans + 1 as plan_number, cp_plan_start_date, cp_plan_end_date,
           cp_plan_end_date is null or cp_plan_end_date > run.notification_date as open_plan,
           latest_category_of_abuse, allocated_team
    from staging.list_07_child_protection, run
    where previous_cp_plans >= 1
)
select * from final order by previous_cp_plans desc, open_plan desc, cp_plan_start_date, child_id
