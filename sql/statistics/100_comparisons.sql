-- depends: statistics.areas, statistics.indicators, statistics.stat_neighbours, statistics.values
-- Every current LA x indicator x published period: the LA's value, the mean over its ten 2025
-- statistical neighbours (sn_count = how many had a value), its region and England AS PUBLISHED
-- (NULL where the source publishes none), rank among LAs (1 = best by polarity; ties share the
-- lower rank; a joint return counts once), LAIT's quartile band and the previous period's value.
-- LAIT convention: quartiles are R's default quantile (linear interpolation = quantile_cont) of all
-- LA values for the year; polarity low: A = lowest quarter; high: A = highest quarter; neutral
-- indicators get neither rank nor band.
create or replace table statistics.comparisons as
with dict as (
    select indicator_id, polarity from statistics.indicators
),
la_values as (
    select indicator_id, area_code, period, value, suppression, joint_area
    from statistics."values"
    where area_level = 'Local authority'
),
units as (  -- what is ranked: one row per LA, or per joint return
    select distinct indicator_id, period, coalesce(joint_area, area_code) as unit, value
    from la_values
    where value is not null
),
ranked as (
    select
        u.indicator_id, u.period, u.unit, u.value,
        case d.polarity
            when 'high' then rank() over (partition by u.indicator_id, u.period order by u.value desc)
            when 'low' then rank() over (partition by u.indicator_id, u.period order by u.value asc)
        end as rank,
        count(*) over (partition by u.indicator_id, u.period) as rank_of
    from units u
    join dict d using (indicator_id)
),
quartiles as (
    select indicator_id, period,
        quantile_cont(value, 0.25) as q1, quantile_cont(value, 0.50) as q2, quantile_cont(value, 0.75) as q3,
        count(*) as n
    from units
    group by indicator_id, period
),
periods as (
    select distinct indicator_id, period from statistics."values"
),
grid as (
    select a.area_code as la_code, a.region_code, p.indicator_id, p.period
    from statistics.areas a
    cross join periods p
    where a.area_level = 'Local authority' and a.current
),
sn as (
    select g.la_code, g.indicator_id, g.period, avg(v.value) as sn_mean, count(v.value) as sn_count
    from grid g
    join statistics.stat_neighbours s on s.model = '2025' and s.la_code = g.la_code
    left join la_values v
        on v.area_code = s.neighbour_code and v.indicator_id = g.indicator_id and v.period = g.period
    group by g.la_code, g.indicator_id, g.period
),
joined as (
    select
        g.la_code, g.indicator_id, g.period,
        la.value as la_value, la.suppression as la_suppression, la.joint_area as la_joint_area,
        sn.sn_mean, coalesce(sn.sn_count, 0) as sn_count,
        g.region_code, reg.value as region_value, reg.suppression as region_suppression,
        eng.value as england_value, eng.suppression as england_suppression,
        case when la.value is not null then r.rank end as rank,
        coalesce(q.n, 0) as rank_of,
        case
            when la.value is null or d.polarity = 'neutral' then null
            when d.polarity = 'low' then
                case when la.value <= q.q1 then 'A' when la.value <= q.q2 then 'B'
                     when la.value <= q.q3 then 'C' else 'D' end
            else
                case when la.value > q.q3 then 'A' when la.value > q.q2 then 'B'
                     when la.value > q.q1 then 'C' else 'D' end
        end as quartile_band
    from grid g
    join dict d using (indicator_id)
    left join la_values la on la.area_code = g.la_code and la.indicator_id = g.indicator_id and la.period = g.period
    left join ranked r
        on r.unit = coalesce(la.joint_area, la.area_code) and r.indicator_id = g.indicator_id and r.period = g.period
    left join quartiles q on q.indicator_id = g.indicator_id and q.period = g.period
    left join sn on sn.la_code = g.la_code and sn.indicator_id = g.indicator_id and sn.period = g.period
    left join statistics."values" reg
        on reg.area_level = 'Region' and reg.area_code = g.region_code
        and reg.indicator_id = g.indicator_id and reg.period = g.period
    left join statistics."values" eng
        on eng.area_level = 'England' and eng.indicator_id = g.indicator_id and eng.period = g.period
),
final as (
    select *,
        lag(la_value) over (partition by la_code, indicator_id order by period) as previous_value
    from joined
)
select * from final
order by la_code, indicator_id, period
