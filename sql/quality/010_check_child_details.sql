-- depends: quality.child_rows, quality.spec_headers
-- Cross-list (para 322): the same child has the same date of birth, gender and ethnicity on every
-- list. One row per list row and detail of a child whose details disagree somewhere (only those rows
-- can fail); a row fails when it disagrees with the value the child has on most rows (on a tie, every
-- disagreeing row fails). The finding names the row's own list.
-- A view, not a table: validation fetches only the rows that failed. The children whose details
-- disagree are found first with min <> max (no hash of every value): the largest LA has ~265k list
-- rows and details, almost all agreeing.
create or replace view quality.check_child_details as
with child_rows as (
    select *, upper(trim(child_id)) as child_key
    from quality.child_rows
    where trim(child_id) <> ''
),
disputed as (  -- children with more than one value of a detail: only their rows can fail
    select child_key,
           min(date_of_birth) <> max(date_of_birth) as date_of_birth,
           min(gender) <> max(gender) as gender,
           min(ethnicity) <> max(ethnicity) as ethnicity
    from child_rows
    group by child_key
    having min(date_of_birth) <> max(date_of_birth) or min(gender) <> max(gender)
        or min(ethnicity) <> max(ethnicity)
),
rows_of_disputed as (
    select r.*, d.date_of_birth as dob_disputed, d.gender as gender_disputed, d.ethnicity as ethnicity_disputed
    from child_rows as r join disputed as d using (child_key)
),
details as (
    select list_name, source_file, source_sheet, source_row, child_key,
           'date_of_birth' as detail_column, cast(date_of_birth as varchar) as detail, date_of_birth_raw as value
    from rows_of_disputed where dob_disputed and date_of_birth is not null
    union all
    select list_name, source_file, source_sheet, source_row, child_key,
           'gender', gender, gender_raw
    from rows_of_disputed where gender_disputed and gender is not null
    union all
    select list_name, source_file, source_sheet, source_row, child_key,
           'ethnicity', ethnicity, ethnicity_raw
    from rows_of_disputed where ethnicity_disputed and ethnicity is not null
),
counted as (
    select child_key, detail_column, detail, count(*) as n
    from details
    group by all
),
ranked as (
    select *, max(n) over (partition by child_key, detail_column) as top_n
    from counted
),
judged as (
    select *,
           sum(case when n = top_n then 1 else 0 end) over (partition by child_key, detail_column) as n_top
    from ranked
),
headers as (
    select list_name, column_name as detail_column, header from quality.spec_headers
)
select
    d.list_name, d.source_file, d.source_sheet, d.source_row,
    h.header as column_name,
    d.value,
    j.n = j.top_n and j.n_top = 1 as passed,
    h.header || ' differs from this child''s ' || h.header
        || ' on other rows or lists; make it the same everywhere.' as message
from details as d
join judged as j using (child_key, detail_column, detail)
join headers as h using (list_name, detail_column)
