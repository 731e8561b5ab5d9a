-- depends: meta.run, staging.list_08_children_in_care
-- Children in care on the notification date with three or more placements in the last 12 months.
create or replace view pack.loe_cla_placement_moves as
with run as (
    select notification_date from meta.run
),
final as (
    select child_id, placements_last_12_months, placement_type, placement_location, date_started_looked_after, allocated_team
    from staging.list_08_children_in_care, run
    where (date_ceased_looked_after is null or date_ceased_looked_after > run.notification_date)
      and placements_last_12_months >= 3
)
select * from final order by placements_last_12_months desc, child_id
