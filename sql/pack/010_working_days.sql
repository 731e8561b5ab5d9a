-- depends: meta.run, pack_src.bank_holidays
-- One row per calendar day with a running count of working days (Mon-Fri, not an England bank
-- holiday), so "working days between two dates" is a subtraction: wd_index(end) - wd_index(start).
create or replace table pack.working_days as
with run as (
    select notification_date from meta.run
),
days as (
    select cast(d as date) as day
    from run, range(cast(notification_date - interval 10 year as date), cast(notification_date + interval 1 day as date), interval 1 day) as t(d)
),
flagged as (
    select
        days.day,
        isodow(days.day) <= 5 and h.day is null as is_working
    from days
    left join (select distinct day from pack_src.bank_holidays) as h on h.day = days.day
),
final as (
    select day, is_working, sum(case when is_working then 1 else 0 end) over (order by day) as wd_index
    from flagged
)
select * from final order by day
