-- depends: meta.run, stats.statistics.indicators, stats.statistics.reorganisations, stats.statistics.values
-- Why an LA's published series may be broken or joined: reorganisations since 2019 that made this
-- LA, and joint returns it shares (workforce figures for two councils).
create or replace table indicators.history_breaks as
with run as (
    select la_code from meta.run
),
reorganisations as (
    select run.la_code, r.note, r.effective
    from stats.statistics.reorganisations r
    join run on list_contains(string_split(r.successor_ons_codes, ' '), run.la_code)
    where r.effective >= '2019-04-01'
),
joint as (
    select distinct run.la_code,
        'Some ' || lower(d.topic) || ' figures (' || string_agg(distinct v.period, ', ' order by v.period)
        || ') are a joint return for ' || v.joint_area
        || ': the same value is shown for each council and counted once in rankings.' as note,
        min(v.period) as effective
    from stats.statistics."values" v
    join run on v.area_code = run.la_code
    join stats.statistics.indicators d using (indicator_id)
    where v.joint_area is not null
    group by run.la_code, d.topic, v.joint_area
),
final as (
    select la_code, note from (
        select la_code, note, effective from reorganisations
        union all
        select la_code, note, effective from joint
    )
    order by effective
)
select * from final
