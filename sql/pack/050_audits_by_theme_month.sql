-- depends: meta.run, staging.audits
-- The LA's own audits completed in the six months before notification (para 328), by theme and month.
create or replace view pack.audits_by_theme_month as
with run as (
    select period_start, notification_date from meta.run
),
in_period as (
    select coalesce(nullif(trim(audit_theme), ''), 'Theme not recorded') as audit_theme,
           cast(date_trunc('month', date_audit_completed) as date) as month
    from staging.audits, run
    where date_audit_completed between run.period_start and run.notification_date
),
final as (
    select audit_theme, month, count(*) as audits from in_period group by all
)
select * from final order by audit_theme, month
