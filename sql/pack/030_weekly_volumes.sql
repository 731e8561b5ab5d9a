-- depends: meta.run, staging.list_01_contacts, staging.list_03_referrals, staging.list_04_assessments, staging.list_05_section_47
-- Contacts, referrals, assessments and s47 enquiries per week (weeks start on Monday) across the six
-- months before notification. The first and last weeks may be part-weeks.
create or replace view pack.weekly_volumes as
with run as (
    select period_start, notification_date from meta.run
),
weeks as (
    select cast(w as date) as week_start
    from run, range(date_trunc('week', period_start), cast(notification_date + interval 1 day as date), interval 7 day) as t(w)
),
events as (
    select 'contacts' as measure, date_of_contact as day from staging.list_01_contacts
    union all select 'referrals', date_of_referral from staging.list_03_referrals
    union all select 'assessments', assessment_start_date from staging.list_04_assessments
    union all select 's47s', strategy_discussion_date from staging.list_05_section_47
),
in_period as (
    select events.measure, cast(date_trunc('week', events.day) as date) as week_start
    from events, run
    where events.day between run.period_start and run.notification_date
),
counted as (
    select
        week_start,
        count(*) filter (where measure = 'contacts') as contacts,
        count(*) filter (where measure = 'referrals') as referrals,
        count(*) filter (where measure = 'assessments') as assessments,
        count(*) filter (where measure = 's47s') as s47s
    from in_period
    group by week_start
),
final as (
    select
        weeks.week_start,
        greatest(weeks.week_start, run.period_start) as from_date,
        least(cast(weeks.week_start + interval 6 day as date), run.notification_date) as to_date,
        coalesce(contacts, 0) as contacts,
        coalesce(referrals, 0) as referrals,
        coalesce(assessments, 0) as assessments,
        coalesce(s47s, 0) as s47s
    from weeks
    cross join run
    left join counted using (week_start)
)
select * from final order by week_start
