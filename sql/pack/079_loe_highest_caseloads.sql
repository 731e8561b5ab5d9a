-- depends: staging.caseloads
-- The 10 highest caseloads on the notification date (1.09). Workers are staff: shown by job title
-- and team only, never by name.
create or replace view pack.loe_highest_caseloads as
with workers as (
    select coalesce(nullif(trim(job_title), ''), 'Job title not recorded') as job_title,
           coalesce(nullif(trim(team), ''), 'Team not recorded') as team, open_cases, source_row
    from staging.caseloads
    where open_cases is not null and lower(trim(coalesce(worker, ''))) not like 'unallocated%'
),
final as (
    select row_number() over (order by open_cases desc, team, job_title, source_row) as position, job_title, team, open_cases
    from workers
)
select * from final where position <= 10 order by position
