-- depends: indicators.annex_a_recent_counts, meta.run
-- The Annex A measures as rates, with the period they cover (the six months to notification).
create or replace table indicators.annex_a_recent as
with run as (
    select period_start, notification_date from meta.run
),
final as (
    select c.indicator_id,
        100.0 * c.numerator / nullif(c.denominator, 0) as value,
        c.numerator,
        c.denominator,
        run.period_start,
        run.notification_date as period_end,
        c.note
    from indicators.annex_a_recent_counts c, run
)
select * from final
