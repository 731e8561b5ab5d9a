-- depends: meta.run, pack.working_days, staging.list_04_assessments
-- Assessments open beyond 45 working days (England bank holidays excluded): still open on the
-- notification date first, then those authorised late; longest first.
create or replace view pack.loe_assessments_late as
with run as (
    select notification_date from meta.run
),
measured as (
    select
        a.child_id, a.assessment_start_date, a.assessment_authorised_date, a.allocated_team,
        a.assessment_authorised_date is null or a.assessment_authorised_date > run.notification_date as still_open,
        case when a.assessment_authorised_date is null or a.assessment_authorised_date > run.notification_date
             then e.wd_index else c.wd_index end - s.wd_index as working_days
    from staging.list_04_assessments as a
    cross join run
    join pack.working_days as s on s.day = a.assessment_start_date
    join pack.working_days as e on e.day = run.notification_date
    left join pack.working_days as c on c.day = a.assessment_authorised_date
),
final as (
    select child_id, assessment_start_date, assessment_authorised_date, still_open, working_days, allocated_team
    from measured
    where working_days > 45
)
select * from final order by still_open desc, working_days desc, child_id
