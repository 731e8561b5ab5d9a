-- depends: quality.provided, quality.spec_headers, staging.deprivation_of_liberty, staging.list_08_children_in_care, staging.unregistered_provision
-- Cross-list: children in unregistered provision (3.17) or deprived of their liberty (3.18) appear in
-- list 8, or the LA explains why (e.g. the child is not looked after). Checked only when list 8 came.
create or replace table quality.check_in_children_in_care as
with list_8_provided as (
    select count(*) > 0 as provided from quality.provided where list_name = 'list_08_children_in_care'
),
in_care as (
    select distinct upper(trim(child_id)) as child_key
    from staging.list_08_children_in_care
    where trim(child_id) <> ''
),
rows_to_check as (
    select 'unregistered_provision' as list_name, source_file, source_sheet, source_row, child_id, child_id_raw
    from staging.unregistered_provision
    union all
    select 'deprivation_of_liberty', source_file, source_sheet, source_row, child_id, child_id_raw
    from staging.deprivation_of_liberty
),
final as (
    select
        r.list_name, r.source_file, r.source_sheet, r.source_row,
        h.header as column_name,
        r.child_id_raw as value,
        upper(trim(r.child_id)) in (select child_key from in_care) as passed,
        'This child is not in list 8 (children in care); add them to list 8 or explain why '
            || '(for example, the child is not looked after).' as message
    from rows_to_check as r
    join quality.spec_headers as h on h.list_name = r.list_name and h.column_name = 'child_id'
    where trim(r.child_id) <> ''
      and (select provided from list_8_provided)
)
select * from final
