-- depends: meta.run, stats.statistics.ilacs_judgements
-- The inspected LA's latest ILACS judgements (Ofsted outcomes as at 31 March 2025); no row if none.
create or replace table indicators.ilacs_judgements as
with final as (
    select j.la_code, j.inspection_date, j.overall, j.help_and_protection, j.children_in_care, j.care_leavers,
        j.leadership, j.source
    from stats.statistics.ilacs_judgements j
    join meta.run r on j.la_code = r.la_code
)
select * from final order by inspection_date desc
