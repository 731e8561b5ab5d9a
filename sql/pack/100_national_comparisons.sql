-- depends: indicators.comparisons
-- pack.national_comparisons: for the inspected LA, one row per indicator and period, the latest
-- five published periods of each indicator (contract columns only; suppression reasons and the
-- earlier periods stay in indicators.comparisons).
create or replace table pack.national_comparisons as
with source as (
    select c.*, dense_rank() over (partition by c.indicator_id order by c.period desc) as recency
    from indicators.comparisons c
),
final as (
    select la_code, indicator_id, period, la_value, sn_mean, sn_count, region_value, england_value, rank, rank_of,
        quartile_band, previous_value
    from source
    where recency <= 5
)
select * from final order by indicator_id, period
