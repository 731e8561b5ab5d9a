-- depends: staging.deprivation_of_liberty
-- Children subject to a deprivation of liberty order (3.18) by the accommodation most recently placed in.
create or replace view pack.dol_types as
with final as (
    select coalesce(accommodation_type, 'Not recorded') as accommodation_type, count(distinct child_id) as children,
           coalesce(accommodation_type, '') like 'Unregistered%' as unregistered
    from staging.deprivation_of_liberty
    group by all
)
select * from final order by children desc, accommodation_type
