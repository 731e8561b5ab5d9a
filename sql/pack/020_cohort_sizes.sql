-- depends: pack_src.list_children, pack_src.list_kinds, pack_src.lists
-- Rows and distinct children on every list, in template order, provided or not (children is null
-- for the lists that are not about children: 11 adopters, 3.20 families, 1.09 workers).
create or replace view pack.cohort_sizes as
with lists as (
    select row_number() over () as sort_order, * from pack_src.lists
),
children as (
    select list_name, count(*) as children from pack_src.list_children group by list_name
),
final as (
    select
        lists.sort_order,
        lists.list_name,
        lists.number,
        lists.title,
        coalesce(lists.provided, false) as provided,
        case when lists.provided then coalesce(lists.rows, 0) end as rows,
        case when lists.provided and coalesce(kinds.child_level, false) then coalesce(children.children, 0) end as children
    from lists
    left join children using (list_name)
    left join pack_src.list_kinds as kinds using (list_name)
)
select * from final order by sort_order
