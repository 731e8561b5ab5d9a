-- depends: meta.run, staging.list_08_children_in_care, staging.unregistered_provision
-- Every placement in unregistered provision (3.17) open at any time in the six months: any placement
-- there is unlawful (para 307), so nothing is filtered out beyond the period. Ongoing first, longest first.
create or replace view pack.unregistered_placements as
with run as (
    select period_start, notification_date from meta.run
),
cla as (
    select distinct child_id from staging.list_08_children_in_care
),
placements as (
    select
        u.child_id,
        date_sub('year', u.date_of_birth, u.provision_start_date) as age_at_start,
        u.provision_start_date,
        u.provision_end_date,
        u.provision_end_date is null or u.provision_end_date >= run.notification_date as ongoing,
        date_diff('day', u.provision_start_date, least(coalesce(u.provision_end_date, run.notification_date), run.notification_date)) as days,
        coalesce(u.provision_type, 'Not recorded') as provision_type,
        cla.child_id is not null as on_list_8,
        u.source_row
    from staging.unregistered_provision as u
    cross join run
    left join cla using (child_id)
    where u.provision_start_date <= run.notification_date
      and (u.provision_end_date is null or u.provision_end_date >= run.period_start)
),
final as (
    select *, count(*) over (partition by child_id) as placements_for_child
    from placements
)
select * exclude (source_row) from final
order by ongoing desc, days desc nulls last, child_id, provision_start_date
