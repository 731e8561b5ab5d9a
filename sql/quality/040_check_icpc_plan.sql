-- depends: quality.provided, quality.spec_headers, staging.list_05_section_47, staging.list_07_child_protection
-- Cross-list: an ICPC that resulted in a CP plan (list 5) has that child in list 7. The plan is what
-- is missing, so the finding names list 7 and points at the list 5 row's ICPC outcome.
create or replace table quality.check_icpc_plan as
with list_7_provided as (
    select count(*) > 0 as provided from quality.provided where list_name = 'list_07_child_protection'
),
on_list_7 as (
    select distinct upper(trim(child_id)) as child_key
    from staging.list_07_child_protection
    where trim(child_id) <> ''
),
icpc_plans as (
    select *
    from staging.list_05_section_47
    where icpc_resulted_in_plan = 'Yes' and trim(child_id) <> ''
),
final as (
    select
        'list_07_child_protection' as list_name,
        i.source_file, i.source_sheet, i.source_row,
        h.header as column_name,
        i.icpc_resulted_in_plan_raw as value,
        upper(trim(i.child_id)) in (select child_key from on_list_7) as passed,
        'The ICPC on this row of list 5 resulted in a child protection plan, but the child is not in '
            || 'list 7; add the plan to list 7 or correct the ICPC outcome.' as message
    from icpc_plans as i
    join quality.spec_headers as h
        on h.list_name = 'list_05_section_47' and h.column_name = 'icpc_resulted_in_plan'
    where (select provided from list_7_provided)
)
select * from final
