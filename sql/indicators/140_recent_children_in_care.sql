-- depends: annex_a.list_08_children_in_care, indicators.annex_a_recent_counts, meta.run
-- indicators: cla_3plus_placements_rate, cla_missing_rate
-- Three or more placements: children looked after at notification with 3+ placements in the last
-- 12 months. Missing: children in care at any point in the six months with a missing episode in the
-- last 12 months.
insert into indicators.annex_a_recent_counts
with run as (
    select period_start, notification_date from meta.run
),
in_care as (
    select l.*
    from annex_a.list_08_children_in_care l, run
    where l.date_started_looked_after <= run.notification_date
      and (l.date_ceased_looked_after is null or l.date_ceased_looked_after >= run.period_start)
),
at_notification as (
    select i.placements_last_12_months
    from in_care i, run
    where i.date_ceased_looked_after is null or i.date_ceased_looked_after > run.notification_date
),
placements as (
    select 'cla_3plus_placements_rate' as indicator_id,
        count(*) filter (where placements_last_12_months >= 3) as numerator,
        count(*) filter (where placements_last_12_months is not null) as denominator,
        'Annex A list 8, children looked after at notification with three or more placements in the last '
        || '12 months; recent and not directly comparable.' as note
    from at_notification
),
missing as (
    select 'cla_missing_rate' as indicator_id,
        count(*) filter (where missing_episodes > 0) as numerator,
        count(*) filter (where missing_episodes is not null) as denominator,
        'Annex A list 8, children in care during the six months with a missing episode in the last 12 '
        || 'months; recent and not directly comparable.' as note
    from in_care
),
final as (
    select * from placements union all select * from missing
)
select * from final
