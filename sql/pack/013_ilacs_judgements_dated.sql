-- depends: meta.run, pack.ilacs_history_dated, pack_src.ilacs_judgements
-- The latest ILACS judgements published on or before the notification date (see 012).
create or replace view pack.ilacs_judgements_dated as
with run as (
    select notification_date from meta.run
),
published as (
    select j.la_code, j.inspection_date, j.overall, j.help_and_protection, j.children_in_care, j.care_leavers,
        j.leadership, j.source
    from pack_src.ilacs_judgements as j, run
    where coalesce(j.publication_date, j.inspection_date) <= run.notification_date
),
from_history as (
    select la_code, inspection_date, overall, null as help_and_protection, null as children_in_care,
        null as care_leavers, null as leadership, 'inspection history: overall effectiveness only' as source
    from pack.ilacs_history_dated
    where overall is not null and not exists (select 1 from published)
    qualify row_number() over (order by inspection_date desc) = 1
),
final as (
    select * from published
    union all
    select * from from_history
)
select * from final order by inspection_date desc nulls last
