-- depends: stats.statistics.indicators
-- The indicator dictionary (one row per indicator, in presentation order).
create or replace table indicators.indicator_dictionary as
with source as (
    select * from stats.statistics.indicators
),
final as (
    select indicator_id, title, topic, unit, polarity, decimals, source, definition, computation, sort_order
    from source
)
select * from final order by sort_order
