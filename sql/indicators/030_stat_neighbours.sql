-- depends: meta.run, stats.statistics.areas, stats.statistics.stat_neighbours
-- The inspected LA's ten statistical neighbours (DfE 2025 model), closest first.
create or replace table indicators.stat_neighbours as
with final as (
    select s.la_code, s.neighbour_code, a.area_name as neighbour_name, s.neighbour_rank
    from stats.statistics.stat_neighbours s
    join meta.run r on s.la_code = r.la_code
    left join stats.statistics.areas a on a.area_code = s.neighbour_code
    where s.model = '2025'
)
select * from final order by neighbour_rank
