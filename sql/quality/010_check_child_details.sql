-- Cross-list (para 322): the same child has the same date of birth, gender and ethnicity on every
-- list. One row per list row and detail; a row fails when it disagrees with the value the child has
-- on most rows (on a tie, every disagreeing row fails). The finding names the row's own list.
-- A view, not a table: one row per list row and detail is ~265k rows for the largest LA, and
-- validation fetches only the rows that failed.
create or replace view quality.check_child_details as
with child_rows as (
    select *, upper(trim(child_id)) as child_key
    from quality.child_rows
    where nullif(trim(child_id), '') is not null
),
details as (
    select list_name, source_file, source_sheet, source_row, child_key,
           'date_of_birth' as detail_column, cast(date_of_birth as varchar) as detail, date_of_birth_raw as value
    from child_rows where date_of_birth is not null
    union all
    select list_name, source_file, source_sheet, source_row, child_key,
           'gender', gender, gender_raw
    from child_rows where gender is not null
    union all
    select list_name, source_file, source_sheet, source_row, child_key,
           'ethnicity', ethnicity, ethnicity_raw
    from child_rows where ethnicity is not null
),
counted as (
    select child_key, detail_column, detail, count(*) as n
    from details
    group by all
),
ranked as (
    select *,
           count(*) over w as n_values,
           max(n) over w as top_n
    from counted
    window w as (partition by child_key, detail_column)
),
judged as (  -- only the details that disagree somewhere: every other row passes
    select *,
           sum(case when n = top_n then 1 else 0 end) over (partition by child_key, detail_column) as n_top
    from ranked
    where n_values > 1
),
headers as (
    select list_name, column_name as detail_column, header from quality.spec_headers
),
final as (
    select
        d.list_name, d.source_file, d.source_sheet, d.source_row,
        h.header as column_name,
        d.value,
        j.child_key is null or (j.n = j.top_n and j.n_top = 1) as passed,
        h.header || ' differs from this child''s ' || h.header
            || ' on other rows or lists; make it the same everywhere.' as message
    from details as d
    left join judged as j using (child_key, detail_column, detail)
    join headers as h using (list_name, detail_column)
)
select * from final
