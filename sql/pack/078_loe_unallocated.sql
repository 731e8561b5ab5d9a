-- depends: staging.caseloads
-- Unallocated cases on the notification date (1.09 rows whose worker is "Unallocated"), by team.
create or replace view pack.loe_unallocated as
with final as (
    select coalesce(nullif(trim(team), ''), 'Team not recorded') as team, sum(open_cases) as unallocated_cases
    from staging.caseloads
    where lower(trim(worker)) like 'unallocated%'
    group by 1
)
select * from final order by unallocated_cases desc, team
