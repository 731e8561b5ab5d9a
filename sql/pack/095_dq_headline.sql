-- depends: pack_src.issues, pack_src.lists
-- The data-quality headline: findings by severity and the lists not provided (one row).
create or replace view pack.dq_headline as
with issues as (
    select * from pack_src.issues
),
final as (
    select
        (select count(*) from issues where severity = 'error') as errors,
        (select count(*) from issues where severity = 'warning') as warnings,
        (select count(*) from issues where severity = 'info') as infos,
        (select count(*) from pack_src.lists where provided) as lists_provided,
        (select count(*) from pack_src.lists) as lists_expected,
        (select count(*) from pack_src.lists where not coalesce(provided, false) and number ~ '^[0-9]+$') as child_lists_missing
)
select * from final
