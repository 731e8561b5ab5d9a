-- depends: pack.comparisons_published
-- Every period of every national comparison (up to five), oldest first, for the trend charts.
create or replace view pack.comparisons_trend as
with final as (
    select indicator_id, period, la_value, sn_mean, region_value, england_value
    from pack.comparisons_published
)
select * from final order by indicator_id, period
