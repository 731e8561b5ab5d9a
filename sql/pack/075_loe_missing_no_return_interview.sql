-- depends: staging.list_08_children_in_care
-- Children in care who went missing in the last 12 months and were not offered a return interview
-- after the last episode (No, Unknown or not recorded); most episodes first.
create or replace view pack.loe_missing_no_return_interview as
with final as (
    select child_id, missing_episodes, coalesce(return_interview_offered, 'Not recorded') as return_interview_offered,
           coalesce(return_interview_accepted, 'Not recorded') as return_interview_accepted, allocated_team
    from staging.list_08_children_in_care
    where missing_episodes > 0 and (return_interview_offered is null or return_interview_offered <> 'Yes')
)
select * from final order by missing_episodes desc, child_id
