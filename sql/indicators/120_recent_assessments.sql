-- depends: annex_a.list_04_assessments, indicators.annex_a_recent_counts, meta.calendar, meta.run
-- indicators: assessments_within_45wd
-- Assessments authorised in the six months to notification that took 45 working days or fewer:
-- working days after the start date up to and including the authorisation date, excluding
-- weekends and England bank holidays (meta.calendar).
insert into indicators.annex_a_recent_counts
with run as (
    select period_start, notification_date from meta.run
),
completed as (
    select l.assessment_start_date as started, l.assessment_authorised_date as authorised
    from annex_a.list_04_assessments l, run
    where l.assessment_authorised_date between run.period_start and run.notification_date
      and l.assessment_start_date is not null
      and l.assessment_start_date <= l.assessment_authorised_date
),
durations as (
    select c.started, c.authorised,
        (select count(*) from meta.calendar k
         where k.working_day and k.day > c.started and k.day <= c.authorised) as working_days
    from completed c
),
final as (
    select 'assessments_within_45wd' as indicator_id,
        count(*) filter (where working_days <= 45) as numerator,
        count(*) as denominator,
        'Annex A list 4, assessments authorised in the six months to notification; working days exclude '
        || 'weekends and England bank holidays; recent and not directly comparable.' as note
    from durations
)
select * from final
