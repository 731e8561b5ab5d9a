-- depends: meta.run, pack_src.ilacs_history
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
select * from final order by inspection_date desc nulls last, inspection_type
