-- ILACS judgements and history as they stood on the notification date: only what was published on
-- or before it (the publication date when the statistics carry it, else the inspection date).
-- The judgements table holds each LA's latest inspection only; when that came after the notification
-- date, the latest inspection before it comes from the history, with its overall grade only.
create or replace view pack.ilacs_history_dated as
with run as (
    select notification_date from meta.run
),
final as (
    select h.la_code, h.inspection_date, h.inspection_type, h.overall
    from pack_src.ilacs_history as h, run
    where coalesce(h.publication_date, h.inspection_date) <= run.notification_date
)
select * from final order by inspection_date desc nulls last, inspection_type;

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
