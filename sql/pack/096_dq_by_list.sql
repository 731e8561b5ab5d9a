-- depends: pack_src.issues, pack_src.lists
-- Findings by list and severity, the lists with most errors first (for the pack's headline table).
create or replace view pack.dq_by_list as
with counted as (
    select coalesce(list_name, 'submission') as list_name,
           count(*) filter (where severity = 'error') as errors,
           count(*) filter (where severity = 'warning') as warnings,
           count(*) filter (where severity = 'info') as infos
    from pack_src.issues
    group by 1
),
final as (
    select counted.*, coalesce(l.title, 'Whole submission') as title, l.number
    from counted
    left join pack_src.lists as l using (list_name)
)
select * from final order by errors desc, warnings desc, list_name
