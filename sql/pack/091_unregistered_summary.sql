-- The unregistered-provision headline (3.17, 3.18, list 8): one row.
create or replace view pack.unregistered_summary as
with p as (
    select * from pack.unregistered_placements
),
dol as (
    select * from pack_src.deprivation_of_liberty
),
final as (
    select
        (select count(distinct child_id) from p) as children,
        (select count(*) from p) as placements,
        (select count(distinct child_id) from p where ongoing) as children_ongoing,
        (select count(*) from p where ongoing) as placements_ongoing,
        (select count(distinct child_id) from p where age_at_start < 16) as children_under_16,
        (select median(days) from p) as median_days,
        (select max(days) from p) as longest_days,
        (select count(*) from (select child_id from p group by child_id having count(*) > 1)) as children_placed_more_than_once,
        (select count(distinct child_id) from p where not on_list_8) as children_not_on_list_8,
        (select count(distinct child_id) from dol) as dol_children,
        (select count(distinct child_id) from dol where accommodation_type like 'Unregistered%') as dol_children_unregistered
)
select * from final
