-- depends: pack.unregistered_placements
-- Placements and children by type of unregistered provision (3.17), in the six months.
create or replace view pack.unregistered_types as
with final as (
    select provision_type, count(*) as placements, count(distinct child_id) as children,
           count(*) filter (where ongoing) as ongoing
    from pack.unregistered_placements
    group by provision_type
)
select * from final order by placements desc, provision_type
