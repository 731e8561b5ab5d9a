-- depends: meta.run, stats.statistics.comparisons
-- The inspected LA's national comparisons for every published period (pack.national_comparisons
-- keeps the latest five), with suppression reasons kept beside the NULL values.
create or replace table indicators.comparisons as
with final as (
    select c.*
    from stats.statistics.comparisons c
    join meta.run r on c.la_code = r.la_code
)
select * from final order by indicator_id, period
