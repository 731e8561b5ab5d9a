-- depends: annex_a.list_07_child_protection, indicators.annex_a_recent_counts, meta.run
-- indicators: cpp_repeat_rate, cpp_2yrs_plus_rate
-- Repeat plans: plans started in the six months with at least one previous plan. Long plans:
-- plans open at notification that had lasted two years or more.
insert into indicators.annex_a_recent_counts
with run as (
    select period_start, notification_date from meta.run
),
started as (
    select l.previous_cp_plans
    from annex_a.list_07_child_protection l, run
    where l.cp_plan_start_date between run.period_start and run.notification_date
),
open_plans as (
    select l.cp_plan_start_date
    from annex_a.list_07_child_protection l, run
    where l.cp_plan_start_date <= run.notification_date
      and (l.cp_plan_end_date is null or l.cp_plan_end_date > run.notification_date)
),
repeat as (
    select 'cpp_repeat_rate' as indicator_id,
        count(*) filter (where previous_cp_plans >= 1) as numerator,
        count(*) filter (where previous_cp_plans is not null) as denominator,
        'Annex A list 7, plans started in the six months to notification with one or more previous plans; '
        || 'recent and not directly comparable.' as note
    from started
),
long_plans as (
    select 'cpp_2yrs_plus_rate' as indicator_id,
        count(*) filter (where cp_plan_start_date <= run.notification_date - interval 2 year) as numerator,
        count(*) as denominator,
        'Annex A list 7, plans open at notification that had lasted two years or more; recent and not '
        || 'directly comparable with 31 March figures.' as note
    from open_plans, run
),
final as (
    select * from repeat union all select * from long_plans
)
select * from final
