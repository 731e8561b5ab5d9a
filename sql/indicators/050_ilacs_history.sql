-- depends: meta.run, stats.statistics.ilacs_history
-- The inspected LA's ILACS inspections and visits since 2018, oldest first.
create or replace table indicators.ilacs_history as
with final as (
    select h.la_code, h.inspection_date, h.inspection_type, h.overall
    from stats.statistics.ilacs_history h
    join meta.run r on h.la_code = r.la_code
)
select * from final order by inspection_date
