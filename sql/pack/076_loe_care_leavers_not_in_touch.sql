-- depends: meta.run, staging.list_09_care_leavers
-- Care leavers the LA is not in touch with (No, Refused, or not recorded); longest without contact first.
create or replace view pack.loe_care_leavers_not_in_touch as
with run as (
    select notification_date from meta.run
),
final as (
    select child_id, coalesce(in_touch, 'Not recorded') as in_touch, date_latest_contact,
           date_diff('day', date_latest_contact, run.notification_date) as days_since_contact,
           eligibility_category, allocated_team
    from staging.list_09_care_leavers, run
    where in_touch is null or in_touch in ('No', 'Refu')
)
select * from final order by date_latest_contact nulls first, child_id
