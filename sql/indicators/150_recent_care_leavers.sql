-- depends: annex_a.list_09_care_leavers, indicators.annex_a_recent_counts, meta.run
-- indicators: care_leavers_in_touch_17_18, care_leavers_in_touch_19_21
-- Care leavers in touch at notification ("LA in Touch" = Yes), by age (the age column, else the age
-- at notification from the date of birth).
insert into indicators.annex_a_recent_counts
with run as (
    select period_start, notification_date from meta.run
),
leavers as (
    select l.in_touch,
        coalesce(l.age, date_diff('year', l.date_of_birth, run.notification_date)
            - case when strftime(l.date_of_birth, '%m%d') > strftime(run.notification_date, '%m%d') then 1 else 0 end
        ) as age_years
    from annex_a.list_09_care_leavers l, run
),
bands as (
    select 'care_leavers_in_touch_17_18' as indicator_id, 17 as lo, 18 as hi
    union all
    select 'care_leavers_in_touch_19_21', 19, 21
),
final as (
    select b.indicator_id,
        count(l.in_touch) filter (where l.in_touch = 'Yes') as numerator,
        count(l.in_touch) as denominator,
        'Annex A list 9, care leavers aged ' || b.lo || ' to ' || b.hi
        || ' at notification recorded as in touch; recent and not directly comparable.' as note
    from bands b
    left join leavers l on l.age_years between b.lo and b.hi
    group by b.indicator_id, b.lo, b.hi
)
select * from final order by indicator_id
