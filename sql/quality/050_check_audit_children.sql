-- depends: quality.child_rows, quality.spec_headers, staging.audits
-- Cross-list: the audits list refers to children found on the child-level lists (para 328).
-- Checked only when at least one child-level list came.
create or replace table quality.check_audit_children as
with known as (
    select distinct upper(trim(child_id)) as child_key
    from quality.child_rows
    where trim(child_id) <> ''
),
final as (
    select
        'audits' as list_name,
        a.source_file, a.source_sheet, a.source_row,
        h.header as column_name,
        a.child_id_raw as value,
        upper(trim(a.child_id)) in (select child_key from known) as passed,
        'The audited child is on none of the child-level lists; check the child ID.' as message
    from staging.audits as a
    join quality.spec_headers as h on h.list_name = 'audits' and h.column_name = 'child_id'
    where trim(a.child_id) <> ''
      and exists (select 1 from known)
)
select * from final
