-- depends: pack.unregistered_placements, staging.deprivation_of_liberty
-- The unregistered-provision headline (3.17, 3.18, list 8): one row. One pass over the placements
-- (a subquery per figure planned and ran the placements model once each, ~9x the work).
create or replace view pack.unregistered_summary as
with placements as (
    select
        count(distinct child_id) as children,
        count(*) as placements,
        count(distinct child_id) filter (where ongoing) as children_ongoing,
        count(*) filter (where ongoing) as placements_ongoing,
        count(distinct child_id) filter (where age_at_start < 16) as children_under_16,
        median(days) as median_days,
        max(days) as longest_days,
        -- a blank child ID counts once, as one group, like any other ID placed more than once
        count(distinct coalesce(child_id, '')) filter (where placements_for_child > 1) as children_placed_more_than_once,
        count(distinct child_id) filter (where not on_list_8) as children_not_on_list_8,
        count(distinct child_id) filter (where under_16_supported) as children_under_16_supported,
        count(*) filter (where list_8_disagreement is not null) as list_8_disagreements
    from pack.unregistered_placements
),
dol as (
    select
        count(distinct child_id) as dol_children,
        count(distinct child_id) filter (where accommodation_type like 'Unregistered%') as dol_children_unregistered
    from staging.deprivation_of_liberty
),
final as (
    select * from placements, dol
)
select * from final
