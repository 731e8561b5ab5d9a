-- The same measures computed from the LA's own Annex A (recent, not directly comparable with the
-- published figures). Created empty here; models 110-150 add a row per measure, or a row with a
-- NULL value and a note when the list they need was not supplied.
create or replace table indicators.annex_a_recent (
    indicator_id varchar,
    value double,
    numerator bigint,
    denominator bigint,
    period_start date,
    period_end date,
    note varchar
)
