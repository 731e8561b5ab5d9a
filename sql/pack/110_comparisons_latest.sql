-- depends: pack.comparisons_published, pack_src.annex_a_recent, pack_src.indicator_dictionary
-- The latest period of every national comparison, with the indicator's dictionary row and the
-- recent value computed from the LA's own Annex A (not directly comparable), by topic.
create or replace view pack.comparisons_latest as
with latest as (
    select * from pack.comparisons_published
    qualify row_number() over (partition by indicator_id order by period desc) = 1
),
periods as (
    select indicator_id, count(*) as periods, min(period) as first_period from pack.comparisons_published group by 1
),
final as (
    select
        case d.topic when 'Help and protection' then 1 when 'Children in care' then 2 when 'Care leavers' then 3
            when 'Workforce' then 4 else 5 end as topic_order,
        coalesce(d.topic, 'Other') as topic,
        latest.indicator_id,
        coalesce(d.title, latest.indicator_id) as title,
        d.unit, coalesce(d.polarity, 'neutral') as polarity, coalesce(d.decimals, 1) as decimals, d.source, d.definition,
        latest.period, latest.la_value, latest.previous_value, latest.sn_mean, latest.sn_count, latest.region_value,
        latest.england_value, latest.rank, latest.rank_of, latest.quartile_band,
        periods.periods, periods.first_period,
        r.value as recent_value, r.numerator as recent_numerator, r.denominator as recent_denominator,
        r.period_start as recent_period_start, r.period_end as recent_period_end, r.note as recent_note
    from latest
    left join pack_src.indicator_dictionary as d using (indicator_id)
    left join periods using (indicator_id)
    left join pack_src.annex_a_recent as r using (indicator_id)
)
select * from final order by topic_order, title, indicator_id
