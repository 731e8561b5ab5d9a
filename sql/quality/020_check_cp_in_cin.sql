-- depends: meta.run, quality.provided, quality.spec_headers, staging.list_06_children_in_need, staging.list_07_child_protection
-- Cross-list: a child on a CP plan at the point of inspection (list 7, plan not ended) appears in
-- list 6 with case status 'Child Protection plan'. The fix belongs in list 6: the finding points at
-- the child's list 6 row when there is one (Case Status), else at the list 7 row (child ID).
create or replace table quality.check_cp_in_cin as
with run as (
    select notification_date from meta.run
),
list_6_provided as (
    select count(*) > 0 as provided from quality.provided where list_name = 'list_06_children_in_need'
),
on_plan as (
    select cp.*, upper(trim(cp.child_id)) as child_key
    from staging.list_07_child_protection as cp, run
    where trim(cp.child_id) <> ''
      and (cp.cp_plan_end_date is null or cp.cp_plan_end_date > run.notification_date)
),
cin as (
    select *, upper(trim(child_id)) as child_key,
           case_status = 'Child Protection plan' as has_cp_status
    from staging.list_06_children_in_need
    where trim(child_id) <> ''
      and upper(trim(child_id)) in (select child_key from on_plan)  -- only those rows are looked up
),
best_cin as (  -- the child's list 6 row, a CP one first
    select * from cin
    qualify row_number() over (
        partition by child_key order by has_cp_status desc nulls last, source_file, source_sheet, source_row
    ) = 1
),
headers as (
    select
        max(header) filter (where list_name = 'list_06_children_in_need' and column_name = 'case_status') as case_status,
        max(header) filter (where list_name = 'list_07_child_protection' and column_name = 'child_id') as child_id
    from quality.spec_headers
),
final as (
    select
        'list_06_children_in_need' as list_name,
        coalesce(c.source_file, p.source_file) as source_file,
        coalesce(c.source_sheet, p.source_sheet) as source_sheet,
        coalesce(c.source_row, p.source_row) as source_row,
        case when c.child_key is null then h.child_id else h.case_status end as column_name,
        case when c.child_key is null then p.child_id_raw else c.case_status_raw end as value,
        coalesce(c.has_cp_status, false) as passed,
        case when c.child_key is null
            then 'This child is on a child protection plan in list 7 but is not in list 6; add them to list 6 '
                 || 'with case status ''Child Protection plan''.'
            else 'This child is on a child protection plan in list 7, but their case status in list 6 is not '
                 || '''Child Protection plan''.'
        end as message
    from on_plan as p
    left join best_cin as c using (child_key)
    cross join headers as h
    where (select provided from list_6_provided)
)
select * from final
