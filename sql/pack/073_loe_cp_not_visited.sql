-- depends: meta.run, staging.list_07_child_protection
-- Children on a child protection plan on the notification date with no statutory visit in the last
-- six weeks (42 days), or none recorded; never visited first, then the longest since a visit.
create or replace view pack.loe_cp_not_visited as
with run as (
    select notification_date from meta.run
),
final as (
    select child_id, cp_plan_start_date, date_last_visit,
           date_diff('day', date_last_visit, run.notification_date) as days_since_visit, allocated_team
    from staging.list_07_child_protection, run
    where (cp_plan_end_date is null or cp_plan_end_date > run.notification_date)
      and (date_last_visit is null or date_last_visit < cast(run.notification_date - interval 42 day as date))
)
select * from final order by date_last_visit nulls first, child_id
