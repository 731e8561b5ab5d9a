-- depends: meta.run, staging.deprivation_of_liberty, staging.list_08_children_in_care, staging.unregistered_provision
-- Every placement in unregistered provision (3.17) open at any time in the six months: any placement
-- there is unlawful (para 307), so nothing is filtered out beyond the period. Ongoing first, longest
-- first. Beside each: the 3.17 details, and from list 8 the child's legal status, current placement
-- type and provider (para 311: a provider known to operate unlawfully), from 3.18 any deprivation of
-- liberty order (para 311: relying on a DoL order), and every way list 8 disagrees with 3.17.
create or replace view pack.unregistered_placements as
with run as (
    select period_start, notification_date from meta.run
),
cla as (
    -- the child's latest period of care on list 8
    select child_id, legal_status, placement_type, placement_provider, date_ceased_looked_after
    from staging.list_08_children_in_care
    where child_id is not null
    qualify row_number() over (
        partition by child_id order by date_started_looked_after desc nulls last, source_row
    ) = 1
),
dol as (
    select child_id, max(order_date) as dol_order_date, string_agg(distinct accommodation_type, '; ') as dol_accommodation
    from staging.deprivation_of_liberty
    where child_id is not null
    group by child_id
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
        u.provision_details,
        cla.child_id is not null as on_list_8,
        cla.legal_status,
        cla.placement_type as list_8_placement_type,
        cla.placement_provider,
        cla.date_ceased_looked_after,
        dol.child_id is not null as dol_order,
        dol.dol_order_date,
        dol.dol_accommodation,
        u.source_row
    from staging.unregistered_provision as u
    cross join run
    left join cla using (child_id)
    left join dol using (child_id)
    where u.provision_start_date <= run.notification_date
      and (u.provision_end_date is null or u.provision_end_date >= run.period_start)
),
checked as (
    select *,
        -- supported accommodation is for young people aged 16 and 17
        coalesce(age_at_start < 16 and (provision_type ilike '%supported%' or list_8_placement_type = 'H5'), false) as under_16_supported,
        case
            when not on_list_8 then 'not on list 8 (children in care)'
            when ongoing and date_ceased_looked_after is not null and date_ceased_looked_after <= (select notification_date from run)
                then 'list 8 says care ended on ' || strftime(date_ceased_looked_after, '%-d %B %Y') || ' but the placement is ongoing'
            -- family, foster, adoption, secure, health or custody settings cannot be this unregistered placement
            when ongoing and (list_8_placement_type in ('P1', 'K1', 'R2', 'R3', 'R5', 'S1')
                              or list_8_placement_type like 'U%' or list_8_placement_type like 'A%')
                then 'list 8 records placement type ' || list_8_placement_type || ' for an ongoing unregistered placement'
        end as list_8_disagreement
    from placements
),
final as (
    select *, count(*) over (partition by child_id) as placements_for_child
    from checked
)
select * exclude (source_row) from final
order by ongoing desc, days desc nulls last, child_id, provision_start_date
