-- depends: meta.run, pack_src.list_children, staging.audits
-- One row: audits in the period, distinct children audited, themes, audited children on no list.
create or replace view pack.audit_summary as
with run as (
    select period_start, notification_date from meta.run
),
in_period as (
    select * from staging.audits, run
    where date_audit_completed between run.period_start and run.notification_date
),
children as (
    select distinct child_id from in_period where child_id is not null
),
known as (
    select distinct child_id from pack_src.list_children where list_name <> 'audits'
),
final as (
    select
        (select count(*) from in_period) as audits,
        (select count(*) from children) as audited_children,
        (select count(distinct coalesce(nullif(trim(audit_theme), ''), 'Theme not recorded')) from in_period) as themes,
        (select count(*) from children anti join known using (child_id)) as audited_not_on_lists,
        (select count(*) from staging.audits, run where date_audit_completed < run.period_start
            or date_audit_completed > run.notification_date or date_audit_completed is null) as audits_outside_period
)
select * from final
