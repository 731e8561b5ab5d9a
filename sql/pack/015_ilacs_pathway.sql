-- depends: pack.ilacs_judgements_dated
-- The inspection pathway (framework para 17, 21-27) implied by the latest ILACS judgements.
-- Practice judgements: help and protection, children in care, care leavers (where judged).
create or replace view pack.ilacs_pathway as
with latest as (
    select *
    from pack.ilacs_judgements_dated
    order by inspection_date desc nulls last
    limit 1
),
graded as (
    select
        inspection_date,
        lower(leadership) like 'good%' or lower(leadership) like 'outstanding%' as leaders_good,
        (case when lower(help_and_protection) similar to '(good|outstanding).*' then 1 else 0 end)
          + (case when lower(children_in_care) similar to '(good|outstanding).*' then 1 else 0 end)
          + (case when lower(care_leavers) similar to '(good|outstanding).*' then 1 else 0 end) as practice_good,
        (case when help_and_protection is not null then 1 else 0 end)
          + (case when children_in_care is not null then 1 else 0 end)
          + (case when care_leavers is not null then 1 else 0 end) as practice_judged,
        (case when lower(overall) like 'inadequate%' then 1 else 0 end)
          + (case when lower(leadership) like 'inadequate%' then 1 else 0 end)
          + (case when lower(help_and_protection) like 'inadequate%' then 1 else 0 end)
          + (case when lower(children_in_care) like 'inadequate%' then 1 else 0 end)
          + (case when lower(care_leavers) like 'inadequate%' then 1 else 0 end) as inadequate_count,
        leadership is null and overall is null as unknown
    from latest
),
final as (
    select
        inspection_date,
        case
            when unknown and practice_judged = 0 then null
            when inadequate_count > 0 then 3
            when coalesce(leaders_good, false) and practice_good >= 2 then 1
            else 2
        end as pathway,
        case
            when unknown and practice_judged = 0 then 'The latest judgements are not known.'
            when inadequate_count > 0 then 'Judged inadequate for at least one judgement at the most recent inspection: monitoring visits, then a reinspection (standard inspection) (para 26-27).'
            when coalesce(leaders_good, false) and practice_good >= 2 then 'Judged good or outstanding for the impact of leaders and at least 2 practice judgements: usually a short inspection about 3 years after the last, with 1 focused visit or JTAI in between (para 21-23).'
            else 'Judged requires improvement to be good for the impact of leaders or 2 or more practice judgements: usually a standard inspection about 3 years after the last, with up to 2 focused visits or JTAIs in between (para 24-25).'
        end as explanation,
        practice_good,
        practice_judged
    from graded
)
select * from final
