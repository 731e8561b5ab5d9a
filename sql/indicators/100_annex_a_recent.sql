-- depends:
-- The same measures computed from the LA's own Annex A (recent, not directly comparable with the
-- published figures). Models 110-150 add numerator and denominator per measure (or, when the list
-- they need was not supplied, a row with NULL counts and a note); 190 derives the rate once.
create or replace table indicators.annex_a_recent_counts (
    indicator_id varchar,
    numerator bigint,
    denominator bigint,
    note varchar
)
