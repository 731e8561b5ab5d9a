-- depends: meta.run, pack_src.indicator_dictionary, pack_src.national_comparisons
-- The national comparisons published on or before the notification date. The statistics carry a
-- period, not a publication date, so the release dates are the DfE's usual ones, taken late:
-- children in need and looked after (year to 31 March Y) by 30 November Y; the social work workforce
-- (30 September Y) by 31 March Y+1. A period that is not a year is kept.
create or replace view pack.comparisons_published as
with run as (
    select notification_date from meta.run
),
dated as (
    select c.*,
        case when d.topic = 'Workforce' then make_date(try_cast(left(c.period, 4) as integer) + 1, 3, 31)
             else make_date(try_cast(left(c.period, 4) as integer), 11, 30) end as published_by
    from pack_src.national_comparisons as c
    left join pack_src.indicator_dictionary as d using (indicator_id)
),
final as (
    select dated.* exclude (published_by)
    from dated, run
    where published_by is null or published_by <= run.notification_date
)
select * from final order by indicator_id, period
