-- depends: meta.calendar, meta.run
-- One row per day of the ten years to notification with a running count of working days (Mon-Fri,
-- not a bank holiday: meta.calendar), so "working days between two dates" is a subtraction:
-- wd_index(end) - wd_index(start).
create or replace table pack.working_days as
with run as (
    select notification_date from meta.run
),
flagged as (
    select c.day, c.working_day as is_working
    from meta.calendar as c, run
    where c.day between cast(run.notification_date - interval 10 year as date) and run.notification_date
),
final as (
    select day, is_working, sum(case when is_working then 1 else 0 end) over (order by day) as wd_index
    from flagged
)
select * from final order by day
