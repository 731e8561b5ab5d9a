-- depends: annex_a.list_03_referrals, indicators.annex_a_recent_counts, meta.run
-- indicators: rereferral_rate
-- Re-referrals: referrals in the six months to notification for a child with another referral in
-- the previous 12 months (the "Number of Referrals in Last 12 Months" counts this one, so > 1).
insert into indicators.annex_a_recent_counts
with run as (
    select period_start, notification_date from meta.run
),
referrals as (
    select l.referrals_last_12_months
    from annex_a.list_03_referrals l, run
    where l.date_of_referral between run.period_start and run.notification_date
),
final as (
    select 'rereferral_rate' as indicator_id,
        count(*) filter (where referrals_last_12_months > 1) as numerator,
        count(*) filter (where referrals_last_12_months is not null) as denominator,
        'Annex A list 3, referrals in the six months to notification with more than one referral in the last '
        || '12 months; recent and not directly comparable with the published year to 31 March.'
        || case when count(*) filter (where referrals_last_12_months is null) > 0
             then ' ' || count(*) filter (where referrals_last_12_months is null)
                  || ' referral(s) without a count were left out.' else '' end as note
    from referrals
)
select * from final
