-- depends: meta.run, stats.statistics.areas, stats.statistics.population
-- The inspected LA: codes, name, region, type and its latest published 0-17 population.
create or replace table indicators.la_context as
with run as (
    select la_code from meta.run
),
area as (
    select a.* from stats.statistics.areas a join run on a.area_code = run.la_code
),
population as (
    select p.population_0_17, p.year
    from stats.statistics.population p join run on p.area_code = run.la_code
    where p.population_0_17 is not null
    order by p.year desc
    limit 1
),
final as (
    select area.area_code as la_code, area.old_la_code, area.area_name as la_name, area.region_code,
        area.region_name, area.la_type, population.population_0_17::bigint as population_0_17,
        population.year::integer as population_year
    from area left join population on true
)
select * from final
