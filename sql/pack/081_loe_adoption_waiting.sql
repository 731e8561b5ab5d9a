-- depends: meta.run, staging.list_10_adoptions
-- Children with a decision that they should be placed for adoption who were not placed by the date
-- the decision set (list 10): still waiting on the notification date, or placed late. Still waiting
-- first, then the longest wait (para 163: children who appear to have waited).
create or replace view pack.loe_adoption_waiting as
with run as (
    select notification_date from meta.run
),
final as (
    select child_id, date_should_be_placed, date_placed_for_adoption,
        date_placed_for_adoption is null or date_placed_for_adoption > run.notification_date as still_waiting,
        date_diff('day', date_should_be_placed, least(coalesce(date_placed_for_adoption, run.notification_date), run.notification_date)) as days_late
    from staging.list_10_adoptions, run
    where date_should_be_placed < least(coalesce(date_placed_for_adoption, run.notification_date), run.notification_date)
      and (date_no_longer_placed is null or date_no_longer_placed > run.notification_date)
)
select * from final order by still_waiting desc, days_late desc, child_id
