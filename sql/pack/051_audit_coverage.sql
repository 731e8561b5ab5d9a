-- depends: meta.run, pack.cohort_sizes, pack_src.list_children, pack_src.lists, staging.audits
-- For every list: children on it, and how many of them the LA audited in the six months. A provided
-- list with children and no audited child is a cohort with no audit at all; when the list of audits
-- was not provided nothing is known of audits, so no_audit is NULL ("not provided", never "none audited").
create or replace view pack.audit_coverage as
with run as (
    select period_start, notification_date from meta.run
),
audited as (
    select distinct child_id
    from staging.audits, run
    where child_id is not null and date_audit_completed between run.period_start and run.notification_date
),
audits_list as (
    select coalesce(bool_or(provided), false) as provided from pack_src.lists where list_name = 'audits'
),
on_lists as (
    select lc.list_name, count(*) as list_children, count(audited.child_id) as audited_children
    from pack_src.list_children as lc
    left join audited using (child_id)
    where lc.list_name <> 'audits'
    group by lc.list_name
),
final as (
    select
        sizes.sort_order, sizes.list_name, sizes.number, sizes.title, sizes.provided,
        coalesce(on_lists.list_children, 0) as list_children,
        coalesce(on_lists.audited_children, 0) as audited_children,
        case when audits_list.provided then
            sizes.provided and coalesce(on_lists.list_children, 0) > 0 and coalesce(on_lists.audited_children, 0) = 0
        end as no_audit
    from pack.cohort_sizes as sizes
    cross join audits_list
    left join on_lists using (list_name)
    where sizes.list_name <> 'audits' and sizes.list_name <> 'caseloads' and sizes.list_name <> 'adoption_support'
      and sizes.list_name <> 'list_11_adopters'
)
select * from final order by sort_order
