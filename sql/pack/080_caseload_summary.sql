-- depends: staging.caseloads
-- One row: case-holding workers, their median and highest caseloads, and unallocated cases (1.09).
create or replace view pack.caseload_summary as
with workers as (
    select open_cases from staging.caseloads
    where open_cases is not null and lower(trim(coalesce(worker, ''))) not like 'unallocated%'
),
final as (
    select
        (select count(*) from workers) as workers,
        (select median(open_cases) from workers) as median_caseload,
        (select max(open_cases) from workers) as highest_caseload,
        (select coalesce(sum(open_cases), 0) from staging.caseloads where lower(trim(worker)) like 'unallocated%') as unallocated_cases
)
select * from final
