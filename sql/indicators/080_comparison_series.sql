-- depends: meta.run, stats.statistics.areas, stats.statistics.stat_neighbours, stats.statistics.values
-- Every published value for the inspected LA, its statistical neighbours, its region and England
-- (for charts and tables beside the comparisons).
create or replace table indicators.comparison_series as
with run as (
    select r.la_code, a.region_code
    from meta.run r join stats.statistics.areas a on a.area_code = r.la_code
),
wanted as (
    select la_code as area_code, 'LA' as role, 0 as neighbour_rank from run
    union all
    select s.neighbour_code, 'Statistical neighbour', s.neighbour_rank
    from stats.statistics.stat_neighbours s join run on s.la_code = run.la_code
    where s.model = '2025'
    union all
    select region_code, 'Region', null from run
    union all
    select 'E92000001', 'England', null
),
final as (
    select v.indicator_id, v.area_code, v.area_name, w.role, w.neighbour_rank, v.period, v.value, v.suppression,
        v.joint_area
    from stats.statistics."values" v
    join wanted w using (area_code)
)
select * from final order by indicator_id, role, neighbour_rank, area_code, period
