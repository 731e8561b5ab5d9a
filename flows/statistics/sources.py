"""Published statistics files: read, check and tidy into long form.

Every file is read with every column as text (a published "c" or "x" must never be guessed into a
number or a null by type inference), with the BOM and stray whitespace removed from headers and
cells, so column order and byte-order marks do not matter. Checks say which file, line and column
is wrong and why, and raise flows.errors.InputError.

Areas: England is E92000001 (England rows often carry "" codes), regions keep their E12 code, LAs
their ONS code as in the bundled LA lookup. A code the lookup does not know but whose old 3-digit
code it does (North Yorkshire E10000023 -> E06000065, Gateshead, Barnsley...) is joined to the
lookup's code; former LAs (Cumbria, Northamptonshire, Dorset county, Bournemouth, Poole) keep their
own code so their figures rank in their own years but never become a successor's history. Joint
workforce returns ("E09000021 / E09000027") give each member the joint value, marked joint_area.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import polars as pl

from flows.errors import InputError

ROOT = Path(__file__).resolve().parent
DICTIONARY_CSV = ROOT / "indicator_dictionary.csv"
REORGANISATIONS_CSV = ROOT / "la_reorganisations.csv"

ENGLAND = "E92000001"
# Suppression and "not available" symbols used by DfE (EES) and LAIT; a cell holding one is a
# missing value with this reason, never a number.
SUPPRESSION = {
    "c": "suppressed (small numbers)",
    "k": "fewer than 5 / rounds to 0",
    "x": "not available",
    "z": "not applicable",
    "u": "low reliability",
    "low": "very small",
    "-": "not available (LAIT)",
    ":": "not available",
    "..": "not available",
}
NUMBER = r"^-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$"
INNER_OUTER_LONDON = {"E13000001": "Inner London", "E13000002": "Outer London"}
GEO_LEVELS = {"National": "England", "Regional": "Region", "Local authority": "Local authority"}
EES_GEO_COLUMNS = (
    "time_period",
    "geographic_level",
    "region_code",
    "old_la_code",
    "new_la_code",
    "la_name",
)

LOOKUP = "la_lookups/d2i_Provider_data_lookup.csv"
# what the LA lookup must have (its suite and Areas.load both check them)
LOOKUP_COLUMNS = (
    "la_code",
    "la_code_new",
    "local_authority_ons_name",
    "rgn22cd",
    "rgn22nm",
    "ons_la_type",
)
POPULATION = "dfe_population/ons_mid-year_population_estimates_2012_to_2024.csv"
SN_2025 = "stat_neighbours/sn_model_2025_wide.csv"
SN_2021 = "stat_neighbours/New_Statistical_Neighbour_Groupings_April_2021.csv"
OFSTED_JUDGEMENTS = "ofsted_ilacs/ofsted_ilacs_judgements_as_at_31_March_2025.csv"
OFSTED_HISTORY = "ofsted_ilacs/ofsted_ilacs_inspection_history_2018-2025.csv"
OFSTED_IN_YEAR = "ofsted_ilacs/ofsted_ilacs_in_year_activity_2024-25.csv"
JUDGEMENTS = {"Outstanding", "Good", "Requires improvement to be good", "Inadequate"}
OFSTED_COLUMNS = {
    "Local authority area code": "la_code",
    "Local authority name": "la_name",
    "Inspection date": "inspection_date",
    "Inspection/Visit date": "inspection_date",
    "Inspection type": "inspection_type",
    "Inspection/Visit type": "inspection_type",
    "Overall effectiveness": "overall",
    "The impact of leaders on social work practice with children and families": "leadership",
    "The experiences and progress of children who need help and protection": "help_and_protection",
    "The experiences and progress of children in care": "children_in_care",
    "The experiences and progress of care leavers": "care_leavers",
}
METHODS = ("published", "per_10k_population", "percent_of_sum", "lait")
TOPICS = ("Help and protection", "Children in care", "Care leavers", "Workforce")
POLARITIES = ("high", "low", "neutral")


# --- reading ---------------------------------------------------------------------------------------
def read_csv(path: Path, name: str) -> pl.DataFrame:
    """Every column as text, BOM and whitespace stripped, "" as null, plus `_line` (file line)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(
            f"Statistics file {name}: not UTF-8 text (byte {e.start}); is it the right file?"
        ) from None
    if not text.strip():
        raise InputError(f"Statistics file {name}: the file is empty.")
    try:
        df = pl.read_csv(io.StringIO(text), infer_schema=False, truncate_ragged_lines=False)
    except Exception as e:  # polars raises several types for malformed CSV
        raise InputError(
            f"Statistics file {name}: not a readable CSV ({str(e).splitlines()[0][:200]})."
        ) from None
    df.columns = [c.replace("\ufeff", "").strip() for c in df.columns]
    df = df.with_columns(pl.col(pl.String).str.strip_chars().replace("", None))
    return df.with_row_index("_line", offset=2)  # header is line 1


def read_dictionary(path: Path = DICTIONARY_CSV) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = [{k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(f)]
    for r in rows:
        if (
            r["method"] not in METHODS
            or r["topic"] not in TOPICS
            or r["polarity"] not in POLARITIES
        ):
            raise ValueError(
                f"indicator_dictionary.csv: bad method/topic/polarity for {r['indicator_id']}"
            )
    return rows


def parse_filter(text: str) -> list[tuple[str, str]]:
    return [tuple(p.split("=", 1)) for p in text.split(";") if p.strip()]  # type: ignore[misc]


def columns_of(expr: str) -> list[str]:
    return [c.strip() for c in expr.split(" + ") if c.strip()] if expr else []  # "+" is in names


# --- areas -----------------------------------------------------------------------------------------
@dataclass
class Areas:
    """The LA lookup and the reorganisation table: every code a statistics file may use."""

    lookup: pl.DataFrame
    reorganisations: pl.DataFrame

    @classmethod
    def load(cls, folder: Path) -> Areas:
        lk = read_csv(folder / LOOKUP, LOOKUP)
        _require_columns(lk, list(LOOKUP_COLUMNS), LOOKUP)
        # A former LA may be listed without a current code (Cumbria): it is known from the
        # reorganisation table instead.
        lk = lk.filter(pl.col("la_code_new").is_not_null())
        bad = lk.filter(~pl.col("la_code_new").str.contains(r"^E(06|08|09|10)\d{6}$"))
        if bad.height:
            raise InputError(
                f"Statistics file {LOOKUP}: line {bad['_line'][0]}, column la_code_new: not an ONS LA code."
            )
        reorg = pl.read_csv(REORGANISATIONS_CSV, infer_schema=False)
        return cls(lk, reorg)

    @cached_property
    def ons_codes(self) -> set[str]:
        return set(self.lookup["la_code_new"].to_list())

    @cached_property
    def old_to_ons(self) -> dict[str, str]:
        return dict(
            zip(self.lookup["la_code"].to_list(), self.lookup["la_code_new"].to_list(), strict=True)
        )

    @cached_property
    def former(self) -> dict[str, str]:
        """ONS code -> old code of former LAs (split or merged away): kept under their own code."""
        r = self.reorganisations.filter(pl.col("kind") != "code change")
        return dict(zip(r["ons_code"].to_list(), r["old_la_code"].to_list(), strict=True))

    @cached_property
    def former_by_old(self) -> dict[str, str]:
        return {v: k for k, v in self.former.items()}

    @cached_property
    def former_names(self) -> dict[str, str]:
        r = self.reorganisations.filter(pl.col("kind") != "code change")
        return dict(zip(r["ons_code"].to_list(), r["name"].to_list(), strict=True))

    @cached_property
    def region_codes(self) -> dict[str, str]:
        """Region name (case-folded) -> E12 code, by majority: the lookup has a stray code
        (Gloucestershire is named South West but coded E12000003)."""
        counts = self.lookup.group_by(
            pl.col("rgn22nm").str.to_lowercase().alias("name"), "rgn22cd"
        ).len()
        best = counts.sort("len", descending=True).unique("name", keep="first")
        return dict(zip(best["name"].to_list(), best["rgn22cd"].to_list(), strict=True))

    @cached_property
    def known_regions(self) -> dict[str, str]:
        """Region code -> name, plus Inner and Outer London, which DfE also publishes."""
        out = {
            c: n
            for n, c in self.lookup.select(
                pl.col("rgn22nm").str.replace("The Humber", "the Humber"), "rgn22cd"
            ).iter_rows()
            if self.region_codes[n.casefold()] == c
        }
        return {**out, **INNER_OUTER_LONDON}

    def canonical(self, ons: str | None, old: str | None) -> str | None:
        """One LA's canonical code, or None when neither code is known."""
        if ons in self.ons_codes:
            return ons
        if old in self.old_to_ons:
            return self.old_to_ons[old]
        if ons in self.former:
            return ons
        if ons is None and old in self.former_by_old:
            return self.former_by_old[old]
        return None

    def table(self) -> pl.DataFrame:
        """statistics.areas: current LAs, former LAs, regions and England."""
        lk = self.lookup
        las = pl.DataFrame(
            {
                "area_code": lk["la_code_new"],
                "old_la_code": lk["la_code"],
                "area_name": lk["local_authority_ons_name"],
                "area_level": "Local authority",
                "region_code": lk["rgn22nm"].str.to_lowercase().replace_strict(self.region_codes),
                "region_name": lk["rgn22nm"].str.replace("The Humber", "the Humber"),
                "la_type": lk["ons_la_type"],
                "current": True,
            }
        )
        f = self.reorganisations.filter(pl.col("kind") != "code change")
        former = pl.DataFrame(
            {
                "area_code": f["ons_code"],
                "old_la_code": f["old_la_code"],
                "area_name": f["name"],
                "area_level": "Local authority",
                "region_code": None,
                "region_name": None,
                "la_type": None,
                "current": False,
            },
            schema=las.schema,
        )
        regions = (
            pl.DataFrame(
                {
                    "area_code": list(self.known_regions),
                    "old_la_code": None,
                    "area_name": list(self.known_regions.values()),
                    "area_level": "Region",
                    "region_code": list(self.known_regions),
                    "region_name": None,
                    "la_type": None,
                    "current": True,
                },
                schema=las.schema,
            )
            .with_columns(pl.col("area_name").alias("region_name"))
            .sort("area_code")
        )
        england = pl.DataFrame(
            {
                "area_code": [ENGLAND],
                "old_la_code": [None],
                "area_name": ["England"],
                "area_level": ["England"],
                "region_code": [None],
                "region_name": [None],
                "la_type": [None],
                "current": [True],
            },
            schema=las.schema,
        )
        return pl.concat([england, regions, las, former])


# --- checks ----------------------------------------------------------------------------------------
def _require_columns(df: pl.DataFrame, columns: list[str], name: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        found = ", ".join(c for c in df.columns if c != "_line")
        raise InputError(
            f"Statistics file {name}: missing column(s) {', '.join(missing)} (found: {found[:300]}). "
            "Is this the right publication?"
        )


def _first_bad(df: pl.DataFrame, mask: pl.Expr, column: str, name: str, why: str) -> None:
    bad = df.filter(mask.fill_null(False))
    if bad.height:
        value = bad[column][0]
        raise InputError(
            f"Statistics file {name}: line {bad['_line'][0]}, column {column}: {value!r:.40} {why} "
            f"({bad.height} such row(s))."
        )


def check_values(df: pl.DataFrame, columns: list[str], name: str) -> None:
    """Each cell is a number, a known suppression symbol or blank."""
    for c in columns:
        v = pl.col(c)
        _first_bad(
            df,
            v.is_not_null() & ~v.str.contains(NUMBER) & ~v.is_in(list(SUPPRESSION)),
            c,
            name,
            f"is neither a number nor a known suppression symbol ({', '.join(SUPPRESSION)})",
        )


def check_ees(df: pl.DataFrame, value_columns: list[str], name: str, areas: Areas) -> None:
    """An EES file: geography columns, levels, known codes, numeric or suppressed values."""
    _require_columns(df, [*EES_GEO_COLUMNS, *value_columns], name)
    _first_bad(
        df,
        ~pl.col("time_period").str.contains(r"^\d{4}(?:\d{2})?$"),
        "time_period",
        name,
        "is not a year",
    )
    _first_bad(
        df,
        ~pl.col("geographic_level").is_in(list(GEO_LEVELS)),
        "geographic_level",
        name,
        "is not a geographic level this product reads (National, Regional, Local authority)",
    )
    if df.filter(pl.col("geographic_level") == "National").height == 0:
        raise InputError(f"Statistics file {name}: no National (England) rows.")
    regions = set(areas.known_regions)
    _first_bad(
        df,
        (pl.col("geographic_level") == "Regional") & ~pl.col("region_code").is_in(list(regions)),
        "region_code",
        name,
        "is not an English region code",
    )
    la = df.filter(pl.col("geographic_level") == "Local authority")
    known = [
        all(areas.canonical(o.strip(), d.strip() if d else None) for o, d in _members(ons, old))
        for ons, old in zip(la["new_la_code"].to_list(), la["old_la_code"].to_list(), strict=True)
    ]
    la = la.with_columns(pl.Series("_known", known))
    _first_bad(
        la, ~pl.col("_known"), "new_la_code", name, "is not an LA code known to the LA lookups"
    )
    check_values(df, value_columns, name)


def _members(ons: str | None, old: str | None) -> list[tuple[str, str | None]]:
    """The LA codes of a row; a joint return "E09000021 / E09000027" has two members."""
    ons_parts = [p.strip() for p in (ons or "").split("/")]
    old_parts = [p.strip() for p in (old or "").split("/")]
    if len(old_parts) != len(ons_parts):
        old_parts = [None] * len(ons_parts)  # type: ignore[list-item]
    return list(zip(ons_parts, old_parts, strict=True))


# --- tidy ------------------------------------------------------------------------------------------
VALUE_SCHEMA = {
    "indicator_id": pl.String,
    "area_code": pl.String,
    "area_level": pl.String,
    "period": pl.String,
    "value": pl.Float64,
    "suppression": pl.String,
    "numerator": pl.Float64,
    "denominator": pl.Float64,
    "joint_area": pl.String,
    "published_code": pl.String,
    "source_file": pl.String,
    "source_line": pl.Int64,
}


def ees_areas(df: pl.DataFrame, areas: Areas) -> pl.DataFrame:
    """Adds area_code, area_level, joint_area, published_code; a joint row becomes one per member."""
    level = pl.col("geographic_level").replace_strict(GEO_LEVELS, default=None)
    df = df.with_columns(level.alias("area_level"))
    nat = df.filter(pl.col("area_level") == "England").with_columns(
        pl.lit(ENGLAND).alias("area_code"),
        pl.lit(None, pl.String).alias("joint_area"),
        pl.lit(None, pl.String).alias("published_code"),
    )
    reg = df.filter(pl.col("area_level") == "Region").with_columns(
        pl.col("region_code").alias("area_code"),
        pl.lit(None, pl.String).alias("joint_area"),
        pl.lit(None, pl.String).alias("published_code"),
    )
    la = df.filter(pl.col("area_level") == "Local authority")
    pairs = {
        (ons, old): [areas.canonical(o, d) for o, d in _members(ons, old)]
        for ons, old in la.select("new_la_code", "old_la_code").unique().iter_rows()
    }
    mapping = pl.DataFrame(
        [
            {
                "new_la_code": ons,
                "old_la_code": old,
                "area_code": code,
                "joint_area": ons if len(codes) > 1 else None,
                "published_code": ons,
            }
            for (ons, old), codes in pairs.items()
            for code in codes
        ],
        schema={
            "new_la_code": pl.String,
            "old_la_code": pl.String,
            "area_code": pl.String,
            "joint_area": pl.String,
            "published_code": pl.String,
        },
    )
    la = la.join(mapping, on=["new_la_code", "old_la_code"], how="left", nulls_equal=True)
    return pl.concat([nat, reg, la], how="diagonal_relaxed")


def parse_cell(col: str) -> tuple[pl.Expr, pl.Expr]:
    """(number, suppression reason) for a text column."""
    v = pl.col(col)
    number = pl.when(v.str.contains(NUMBER)).then(v.cast(pl.Float64, strict=False))
    reason = pl.when(v.is_null()).then(pl.lit("blank")).when(~v.str.contains(NUMBER)).then(v)
    return number, reason


def population(df: pl.DataFrame, areas: Areas) -> pl.DataFrame:
    """statistics.population: 0-17 mid-year estimate per area and calendar year."""
    df = ees_areas(df.filter(pl.col("age_group") == "Children aged 0 to 17 years"), areas)
    num, reason = parse_cell("population_estimate")
    return df.select(
        "area_code",
        "area_level",
        pl.col("time_period").alias("year"),
        num.alias("population_0_17"),
        reason.alias("suppression"),
    )


def tidy_indicator(ind: dict, df: pl.DataFrame, areas: Areas, pop: pl.DataFrame) -> pl.DataFrame:
    """One indicator from its source file, in statistics.values form."""
    for col, val in parse_filter(ind["filter"]):
        df = df.filter(pl.col(col) == val)
    if ind["method"] == "lait":
        df = lait_areas(df, areas)
    else:
        df = ees_areas(df, areas)
    method = ind["method"]
    if method in ("published", "lait"):
        num, reason = parse_cell(ind["value_column"])
        df = df.with_columns(
            num.alias("value"),
            reason.alias("suppression"),
            pl.lit(None, pl.Float64).alias("numerator"),
            pl.lit(None, pl.Float64).alias("denominator"),
        )
    elif method == "per_10k_population":
        n, nr = parse_cell(ind["numerator"])
        df = df.with_columns(
            n.alias("numerator"),
            nr.alias("_nr"),
            (pl.col("time_period").cast(pl.Int32) - 1).cast(pl.String).alias("_year"),
        )
        df = df.join(
            pop.select(
                "area_code",
                pl.col("year").alias("_year"),
                pl.col("population_0_17").alias("denominator"),
                pl.col("suppression").alias("_dr"),
            ),
            on=["area_code", "_year"],
            how="left",
        )
        df = df.with_columns(
            pl.when(pl.col("denominator") > 0)
            .then(pl.col("numerator") / pl.col("denominator") * 10_000)
            .alias("value"),
            pl.coalesce(
                "_nr",
                "_dr",
                pl.when(pl.col("denominator").is_null()).then(pl.lit("no population estimate")),
            ).alias("suppression"),
        )
    else:  # percent_of_sum
        parts = {}
        for side in ("numerator", "denominator"):
            cols = columns_of(ind[side])
            nums = [parse_cell(c) for c in cols]
            parts[side] = (
                pl.sum_horizontal([n for n, _ in nums]).alias(side),
                pl.coalesce([r for _, r in nums]).alias(f"_{side}_r"),
                pl.any_horizontal([n.is_null() for n, _ in nums]).alias(f"_{side}_null"),
            )
        df = df.with_columns(*parts["numerator"], *parts["denominator"])
        either_null = pl.col("_numerator_null") | pl.col("_denominator_null")
        df = df.with_columns(
            pl.when(either_null).then(None).otherwise(pl.col(c)).alias(c)
            for c in ("numerator", "denominator")
        ).with_columns(
            pl.when(pl.col("denominator") > 0)
            .then(pl.col("numerator") / pl.col("denominator") * 100)
            .alias("value"),
            pl.coalesce(
                "_numerator_r",
                "_denominator_r",
                pl.when(pl.col("denominator") == 0).then(pl.lit("z")),
            ).alias("suppression"),
        )
    df = df.with_columns(
        pl.when(pl.col("value").is_null()).then(pl.col("suppression")).alias("suppression")
    )
    out = df.select(
        pl.lit(ind["indicator_id"]).alias("indicator_id"),
        "area_code",
        "area_level",
        pl.col("time_period").alias("period"),
        "value",
        "suppression",
        "numerator",
        "denominator",
        "joint_area",
        "published_code",
        pl.lit(ind["source_file"]).alias("source_file"),
        pl.col("_line").cast(pl.Int64).alias("source_line"),
    ).cast(VALUE_SCHEMA)
    dup = out.filter(pl.struct("area_code", "period").is_duplicated())
    if dup.height:
        r = dup.row(0, named=True)
        raise InputError(
            f"Statistics file {ind['source_file']}: line {r['source_line']}: more than one {ind['indicator_id']} "
            f"value for area {r['area_code']} in {r['period']} (duplicated rows?)."
        )
    return out


def lait_areas(df: pl.DataFrame, areas: Areas) -> pl.DataFrame:
    """LAIT rows: 970 England, 980-990 regions (by name; Inner/Outer London dropped), else old LA codes."""
    code = pl.col("la_number")
    regions = areas.region_codes
    region_code = pl.col("la_and_regions").str.to_lowercase().replace_strict(regions, default=None)
    old_map = {**areas.old_to_ons, **areas.former_by_old}
    df = df.filter(~code.is_in(["987", "988"])).with_columns(
        pl.when(code == "970")
        .then(pl.lit("England"))
        .when(code.str.contains(r"^98\d|^990$"))
        .then(pl.lit("Region"))
        .otherwise(pl.lit("Local authority"))
        .alias("area_level"),
        pl.when(code == "970")
        .then(pl.lit(ENGLAND))
        .when(code.str.contains(r"^98\d|^990$"))
        .then(region_code)
        .otherwise(code.replace_strict(old_map, default=None))
        .alias("area_code"),
        pl.lit(None, pl.String).alias("joint_area"),
        code.alias("published_code"),
        pl.col("years").alias("time_period"),
    )
    return df


def check_lait(df: pl.DataFrame, name: str, areas: Areas) -> None:
    _require_columns(df, ["measure_short", "years", "la_and_regions", "la_number", "value"], name)
    _first_bad(df, ~pl.col("years").str.contains(r"^\d{4}$"), "years", name, "is not a year")
    mapped = lait_areas(df, areas)
    _first_bad(
        mapped,
        pl.col("area_code").is_null(),
        "la_number",
        name,
        "is not an LA, region or England code known to the LA lookups",
    )
    check_values(df, ["value"], name)


def check_sn(df: pl.DataFrame, name: str, areas: Areas, code_col: str, sn_cols: list[str]) -> None:
    _require_columns(df, [code_col, *sn_cols], name)
    for c in [code_col, *sn_cols]:
        known = df[c].map_elements(
            lambda v: areas.canonical(None, v) is not None, return_dtype=pl.Boolean
        )
        _first_bad(
            df.with_columns(known.alias("_k")),
            ~pl.col("_k") & pl.col(c).is_not_null(),
            c,
            name,
            "is not an old LA code known to the LA lookups",
        )


def stat_neighbours(
    df: pl.DataFrame, areas: Areas, model: str, code_col: str, sn_cols: list[str]
) -> pl.DataFrame:
    rows = []
    for r in df.iter_rows(named=True):
        la = areas.canonical(None, r[code_col])
        for i, c in enumerate(sn_cols, start=1):
            if r[c]:
                rows.append(
                    {
                        "model": model,
                        "la_code": la,
                        "neighbour_code": areas.canonical(None, r[c]),
                        "neighbour_rank": i,
                    }
                )
    return pl.DataFrame(
        rows,
        schema={
            "model": pl.String,
            "la_code": pl.String,
            "neighbour_code": pl.String,
            "neighbour_rank": pl.Int32,
        },
    )


def ofsted(df: pl.DataFrame, name: str, areas: Areas) -> pl.DataFrame:
    """Ofsted outcomes with canonical columns; judgements checked against the four grades."""
    _require_columns(df, ["Local authority area code", "Overall effectiveness"], name)
    df = df.rename({k: v for k, v in OFSTED_COLUMNS.items() if k in df.columns})
    known = df["la_code"].map_elements(
        lambda v: areas.canonical(v, None) is not None, return_dtype=pl.Boolean
    )
    _first_bad(
        df.with_columns(known.alias("_k")),
        ~pl.col("_k"),
        "la_code",
        name,
        "is not an LA code known to the LA lookups",
    )
    grades = [
        c
        for c in (
            "overall",
            "leadership",
            "help_and_protection",
            "children_in_care",
            "care_leavers",
        )
        if c in df.columns
    ]
    for c in grades:
        _first_bad(
            df,
            pl.col(c).is_not_null() & ~pl.col(c).is_in(list(JUDGEMENTS)),
            c,
            name,
            "is not an Ofsted judgement (Outstanding, Good, Requires improvement to be good, Inadequate)",
        )
    _first_bad(
        df,
        ~pl.col("inspection_date").str.contains(r"^\d{2}/\d{2}/\d{4}$"),
        "inspection_date",
        name,
        "is not a date dd/mm/yyyy",
    )
    return df.with_columns(
        pl.col("la_code").map_elements(lambda v: areas.canonical(v, None), return_dtype=pl.String),
        pl.col("inspection_date").str.to_date("%d/%m/%Y"),
        pl.lit(name).alias("source"),
    )
