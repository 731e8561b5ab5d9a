"""Published statistics: pull, validate, tidy into statistics.duckdb.

`refresh` pulls the published files from any fsspec URL (default: the bundled snapshot in
flows/published), checks each one (our own checks, with file/line/column messages, and its Great
Expectations suite through flows.validation.engines.run_suite), tidies them into the long table
statistics."values" and builds statistics.comparisons for every LA. The database is built under a
temporary name and renamed over the old one only when complete, so a failed refresh leaves the
previous statistics.duckdb byte-for-byte as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import shutil
import tempfile
import time
import uuid
from pathlib import Path

import polars as pl

from flows import storage
from flows.config import EXPECTATIONS_DIR, PUBLISHED_DIR, statistics_db
from flows.errors import InputError
from flows.statistics import sources as S

log = logging.getLogger("ilacs_pia")


log = logging.getLogger("ilacs_pia")


MANIFEST = "manifest.json"


# --- which files -------------------------------------------------------------------------------------
def required_files(dictionary: list[dict] | None = None) -> list[str]:
    dictionary = dictionary or S.read_dictionary()
    fixed = [
        S.LOOKUP,
        S.POPULATION,
        S.SN_2025,
        S.SN_2021,
        S.OFSTED_JUDGEMENTS,
        S.OFSTED_HISTORY,
        S.OFSTED_IN_YEAR,
    ]
    return sorted(set(fixed) | {d["source_file"] for d in dictionary})


def value_columns(dictionary: list[dict]) -> dict[str, list[str]]:
    """Per source file, the columns the indicators read as numbers."""
    out: dict[str, list[str]] = {S.POPULATION: ["population_estimate"]}
    for d in dictionary:
        cols = [d["value_column"], *S.columns_of(d["numerator"]), *S.columns_of(d["denominator"])]
        cols = [c for c in cols if c and c != "population_0_17"]
        out.setdefault(d["source_file"], [])
        out[d["source_file"]] += [c for c in cols if c not in out[d["source_file"]]]
    return out


def filter_columns(dictionary: list[dict]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for d in dictionary:
        out.setdefault(d["source_file"], [])
        out[d["source_file"]] += [
            c for c, _ in S.parse_filter(d["filter"]) if c not in out[d["source_file"]]
        ]
    return out


# --- pull ----------------------------------------------------------------------------------------------
def pull(source_url: str, dest: Path, names: list[str]) -> dict[str, dict]:
    """Copy the named files from the source into dest; verify sha256 against a manifest if there is one."""
    fs, root = storage.filesystem(source_url)
    root = root.rstrip("/")
    if not fs.exists(root):
        raise InputError(f"Statistics source {source_url} does not exist.")
    manifest: dict[str, dict] = {}
    if fs.exists(f"{root}/{MANIFEST}"):
        try:
            manifest = {
                f["path"]: f for f in json.loads(fs.cat_file(f"{root}/{MANIFEST}"))["files"]
            }
        except (ValueError, KeyError, TypeError):
            raise InputError(
                f"Statistics source {source_url}: {MANIFEST} is not a valid manifest."
            ) from None
    for name in names:
        src = f"{root}/{name}"
        if not fs.exists(src):
            raise InputError(
                f"Statistics source {source_url} has no file {name} (a file this product needs)."
            )
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        fs.get_file(src, str(target))
        expected = manifest.get(name, {}).get("sha256")
        if expected and storage.sha256_file(target) != expected:
            raise InputError(
                f"Statistics file {name}: its sha256 does not match {MANIFEST} (corrupted or changed "
                "without updating the manifest); nothing was refreshed."
            )
    return manifest


# --- validate ------------------------------------------------------------------------------------------
def suite_path(name: str) -> Path:
    return EXPECTATIONS_DIR / f"statistics_{Path(name).stem.lower().replace('-', '_')}.json"


def run_ge_suite(frame: pl.DataFrame, name: str, areas: S.Areas) -> None:
    """The file's Great Expectations suite, plus the codes the lookups know (they change with them)."""
    from flows.validation.engines import run_suite

    path = suite_path(name)
    if not path.exists():
        raise InputError(
            f"Statistics file {name}: no expectation suite {path.name} (a product fault)."
        )
    suite = json.loads(path.read_text(encoding="utf-8"))
    if "new_la_code" in frame.columns:
        joint = {c for c in frame["new_la_code"].drop_nulls().unique().to_list() if "/" in c}
        known = areas.ons_codes | set(areas.reorganisations["ons_code"].to_list()) | joint
        suite["expectations"] = [
            *suite.get("expectations", []),
            {
                "type": "expect_column_values_to_be_in_set",
                "kwargs": {"column": "new_la_code", "value_set": sorted(known)},
                "meta": {"why": "is not an LA code known to the LA lookups"},
            },
        ]
    results = run_suite(frame.rename({"_line": "source_row"}), suite)
    failed = [r for r in results if not r["success"]]
    if failed:
        r = failed[0]
        lines = ", ".join(str(x) for x in (r["source_rows"] or [])[:5])
        why = (r.get("meta") or {}).get("why") or r["expectation_type"]
        raise InputError(
            f"Statistics file {name}: column {r['column']}: {why} ({r['unexpected_count']} row(s)"
            + (f"; line(s) {lines}" if lines else "")
            + f"; suite {path.name})."
        )


def suites(dictionary: list[dict] | None = None) -> dict[str, dict]:
    """The Great Expectations suite of every statistics file (written to expectations/ by
    `write_suites`; reviewed there as JSON)."""
    dictionary = dictionary or S.read_dictionary()
    vcols, fcols = value_columns(dictionary), filter_columns(dictionary)
    number_or_symbol = (
        "^(?:" + S.NUMBER.strip("^$") + "|" + "|".join(re.escape(k) for k in S.SUPPRESSION) + ")$"
    )

    def exists(cols):
        return [{"type": "expect_column_to_exist", "kwargs": {"column": c}} for c in cols]

    def values(cols):
        return [
            {
                "type": "expect_column_values_to_match_regex",
                "kwargs": {"column": c, "regex": number_or_symbol},
                "meta": {"why": "is neither a number nor a known suppression symbol"},
            }
            for c in cols
        ]

    out: dict[str, dict] = {}
    for name in required_files(dictionary):
        ex: list[dict] = []
        if name.startswith("dfe_"):
            ex += exists([*S.EES_GEO_COLUMNS, *fcols.get(name, []), *vcols.get(name, [])])
            ex += [
                {
                    "type": "expect_column_values_to_not_be_null",
                    "kwargs": {"column": "time_period"},
                },
                {
                    "type": "expect_column_values_to_match_regex",
                    "kwargs": {"column": "time_period", "regex": r"^\d{4}(?:\d{2})?$"},
                    "meta": {"why": "is not a year"},
                },
                {
                    "type": "expect_column_values_to_be_in_set",
                    "kwargs": {"column": "geographic_level", "value_set": sorted(S.GEO_LEVELS)},
                    "meta": {"why": "is not a geographic level this product reads"},
                },
                {
                    "type": "expect_column_values_to_match_regex",
                    "kwargs": {"column": "region_code", "regex": r"^E1[23]\d{6}$"},
                    "meta": {"why": "is not a region code"},
                },
            ]
            ex += values(vcols.get(name, []))
        elif name.startswith("lait/"):
            ex += exists(["measure_short", "years", "la_and_regions", "la_number", "value"])
            ex += [
                {
                    "type": "expect_column_values_to_match_regex",
                    "kwargs": {"column": "la_number", "regex": r"^\d{3}$"},
                    "meta": {"why": "is not a 3-digit LA, region or England number"},
                },
                {
                    "type": "expect_column_values_to_match_regex",
                    "kwargs": {"column": "years", "regex": r"^\d{4}$"},
                    "meta": {"why": "is not a year"},
                },
            ]
            ex += values(["value"])
        elif name.startswith("stat_neighbours/"):
            cols = (
                ["old_la_code", *[f"SN_{i}" for i in range(1, 11)]]
                if name == S.SN_2025
                else ["LA num", *[f"SN{i}" for i in range(1, 11)]]
            )
            ex += exists(cols)
            ex += [
                {
                    "type": "expect_column_values_to_match_regex",
                    "kwargs": {"column": c, "regex": r"^\d{3}$"},
                    "meta": {"why": "is not an old 3-digit LA code"},
                }
                for c in cols
            ]
        elif name.startswith("ofsted_ilacs/"):
            date_col = "Inspection/Visit date" if name == S.OFSTED_IN_YEAR else "Inspection date"
            ex += exists(["Local authority area code", date_col, "Overall effectiveness"])
            ex += [
                {
                    "type": "expect_column_values_to_match_regex",
                    "kwargs": {
                        "column": "Local authority area code",
                        "regex": r"^E(06|08|09|10)\d{6}$",
                    },
                    "meta": {"why": "is not an ONS LA code"},
                },
                {
                    "type": "expect_column_values_to_match_regex",
                    "kwargs": {"column": date_col, "regex": r"^\d{2}/\d{2}/\d{4}$"},
                    "meta": {"why": "is not a date dd/mm/yyyy"},
                },
                {
                    "type": "expect_column_values_to_be_in_set",
                    "kwargs": {
                        "column": "Overall effectiveness",
                        "value_set": sorted(S.JUDGEMENTS),
                    },
                    "meta": {"why": "is not an Ofsted judgement"},
                },
            ]
        elif name == S.LOOKUP:
            ex += exists(list(S.LOOKUP_COLUMNS))
            ex += [
                {
                    "type": "expect_column_values_to_match_regex",
                    "kwargs": {"column": "la_code", "regex": r"^\d{3}$"},
                    "meta": {"why": "is not an old 3-digit LA code"},
                },
                {
                    "type": "expect_column_values_to_be_unique",
                    "kwargs": {"column": "la_code"},
                    "meta": {"why": "is not unique"},
                },
            ]
        out[name] = {
            "name": suite_path(name).stem,
            "expectations": ex,
            "meta": {"source_file": name, "owner": "statistics"},
        }
    return out


def write_suites() -> list[Path]:
    paths = []
    for name, suite in suites().items():
        p = suite_path(name)
        p.write_text(json.dumps(suite, indent=2) + "\n", encoding="utf-8")
        paths.append(p)
    return paths


def validate_and_tidy(folder: Path, dictionary: list[dict]) -> dict[str, pl.DataFrame]:
    """Check every file and tidy it into the tables statistics.duckdb holds."""
    areas = S.Areas.load(folder)
    vcols, fcols = value_columns(dictionary), filter_columns(dictionary)
    frames: dict[str, pl.DataFrame] = {}
    run_ge_suite(areas.lookup, S.LOOKUP, areas)
    for name in required_files(dictionary):
        if name == S.LOOKUP:
            continue
        df = S.read_csv(folder / name, name)
        if name.startswith("lait/"):
            S.check_lait(df, name, areas)
        elif name.startswith(("dfe_", "dfe_population")):
            S._require_columns(df, fcols.get(name, []), name)
            S.check_ees(df, vcols.get(name, []), name, areas)
        frames[name] = df
    sn25_cols = [f"SN_{i}" for i in range(1, 11)]
    sn21_cols = [f"SN{i}" for i in range(1, 11)]
    S.check_sn(frames[S.SN_2025], S.SN_2025, areas, "old_la_code", sn25_cols)
    S.check_sn(frames[S.SN_2021], S.SN_2021, areas, "LA num", sn21_cols)
    for name, df in frames.items():
        run_ge_suite(df, name, areas)

    pop = S.population(frames[S.POPULATION], areas)
    values = pl.concat(
        [S.tidy_indicator(d, frames[d["source_file"]], areas, pop) for d in dictionary]
    )
    area_table = areas.table()
    values = values.join(
        area_table.select("area_code", "old_la_code", "area_name"), on="area_code", how="left"
    )
    values = values.select(
        "indicator_id",
        "area_code",
        "old_la_code",
        "area_name",
        "area_level",
        "period",
        "value",
        "suppression",
        "numerator",
        "denominator",
        "joint_area",
        "published_code",
        "source_file",
        "source_line",
    ).sort("indicator_id", "area_level", "area_code", "period")
    judgements = S.ofsted(frames[S.OFSTED_JUDGEMENTS], S.OFSTED_JUDGEMENTS, areas)
    history = (
        pl.concat(
            [
                S.ofsted(frames[S.OFSTED_HISTORY], S.OFSTED_HISTORY, areas),
                S.ofsted(frames[S.OFSTED_IN_YEAR], S.OFSTED_IN_YEAR, areas),
            ],
            how="diagonal_relaxed",
        )
        .select("la_code", "inspection_date", "inspection_type", "overall", "source")
        .unique(["la_code", "inspection_date", "inspection_type"], keep="first")
        .sort("la_code", "inspection_date")
    )
    dictionary_df = pl.DataFrame(dictionary).with_columns(pl.col("decimals").cast(pl.Int32))
    return {
        "values": values,
        "indicators": dictionary_df.with_row_index("sort_order", offset=1),
        "areas": area_table,
        "population": pop,
        "stat_neighbours": pl.concat(
            [
                S.stat_neighbours(frames[S.SN_2025], areas, "2025", "old_la_code", sn25_cols),
                S.stat_neighbours(frames[S.SN_2021], areas, "2021", "LA num", sn21_cols),
            ]
        ),
        "ilacs_judgements": judgements.select(
            "la_code",
            "inspection_date",
            "overall",
            "help_and_protection",
            "children_in_care",
            "care_leavers",
            "leadership",
            "source",
        ),
        "ilacs_history": history,
        "reorganisations": areas.reorganisations,
    }


# --- refresh -------------------------------------------------------------------------------------------
def refresh(source_url: str | None = None, db_path: Path | str | None = None) -> dict:
    """Pull, check and load the published statistics; replace db_path atomically. Returns a summary."""
    from flows import sql_models, warehouse

    started = time.perf_counter()
    source_url = str(source_url or PUBLISHED_DIR)
    db_path = Path(db_path or statistics_db())
    storage.make_private_dir(db_path.parent)
    dictionary = S.read_dictionary()
    names = required_files(dictionary)
    workdir = Path(tempfile.mkdtemp(prefix=".stats-pull-", dir=db_path.parent))
    # Not named statistics.*: DuckDB names the catalog after the file, and a catalog called
    # "statistics" makes the schema name statistics ambiguous.
    tmp_db = db_path.with_name(f".build-{uuid.uuid4().hex[:8]}.duckdb.tmp")
    try:
        manifest = pull(source_url, workdir, names)
        tables = validate_and_tidy(workdir, dictionary)
        sources = pl.DataFrame(
            [
                {
                    "file": n,
                    "sha256": storage.sha256_file(workdir / n),
                    "bytes": (workdir / n).stat().st_size,
                    "publication": manifest.get(n, {}).get("publication"),
                    "release": manifest.get(n, {}).get("release"),
                    "source_url": manifest.get(n, {}).get("source_url"),
                    "licence": manifest.get(n, {}).get("licence"),
                }
                for n in names
            ],
            schema={
                "file": pl.String,
                "sha256": pl.String,
                "bytes": pl.Int64,
                "publication": pl.String,
                "release": pl.String,
                "source_url": pl.String,
                "licence": pl.String,
            },
        )
        con = warehouse.connect(tmp_db)
        try:
            for table, df in {**tables, "sources": sources}.items():
                warehouse.write_table(con, "statistics", table, df)
            con.execute(
                "create or replace table statistics.refresh as select ?::varchar as source, "
                "?::timestamptz as refreshed_at",
                [_safe(source_url), dt.datetime.now(dt.UTC)],
            )
            sql_models.run_layer(con, "statistics")
            counts = {
                "values": con.execute('select count(*) from statistics."values"').fetchall()[0][0],
                "comparisons": con.execute(
                    "select count(*) from statistics.comparisons"
                ).fetchall()[0][0],
            }
            con.execute("checkpoint")
        finally:
            con.close()
        os.chmod(tmp_db, storage.FILE_MODE)
        os.replace(tmp_db, db_path)
    finally:
        tmp_db.unlink(missing_ok=True)
        Path(f"{tmp_db}.wal").unlink(missing_ok=True)
        shutil.rmtree(workdir, ignore_errors=True)
    seconds = round(time.perf_counter() - started, 2)
    log.info("statistics refreshed from %s into %s in %.2fs", _safe(source_url), db_path, seconds)
    return {
        "db": str(db_path),
        "files": len(names),
        "values": counts["values"],
        "comparisons": counts["comparisons"],
        "seconds": seconds,
    }


def open_statistics(path: Path | str):
    """A read-only connection to statistics.duckdb in which `statistics."values"` resolves.

    Opened directly, the file's catalog would also be called "statistics" and DuckDB would find
    the name ambiguous; attached as `stats` and made the default, it is not.
    """
    import duckdb

    con = duckdb.connect()
    con.execute("attach ? as stats (read_only)", [str(path)])
    # statistics are data: nothing in the file may read outside it (a view over read_text() would)
    con.execute("set enable_external_access = false")
    con.execute("set lock_configuration = true")
    con.execute("use stats")
    return con


# The tables `pia stats refresh` writes (schema statistics), the only objects a statistics database
# may hold; those the indicator and pack models cannot do without must be there.
STATISTICS_TABLES = frozenset(
    {
        "areas",
        "comparisons",
        "ilacs_history",
        "ilacs_judgements",
        "indicators",
        "population",
        "refresh",
        "reorganisations",
        "sources",
        "stat_neighbours",
        "values",
    }
)
REQUIRED_TABLES = frozenset({"values", "comparisons", "areas", "indicators"})


def check_statistics_db(path: Path | str, shown: str | None = None) -> None:
    """InputError unless the file is a statistics database as `pia stats refresh` makes one: only
    the expected tables, as tables (no view, macro, sequence or index: code that would run inside
    the run), and the ones the models need. Looked at with external access off, before attaching."""
    import duckdb

    from flows import warehouse

    shown = shown or str(path)
    try:
        con = warehouse.open_untrusted(path)
    except (duckdb.Error, OSError) as e:
        raise InputError(
            f"Statistics database {shown} could not be opened as a DuckDB file "
            f"({type(e).__name__})."
        ) from None
    try:
        objects = warehouse.catalog_objects(con)
    finally:
        con.close()
    code = [
        f"{kind} {name}"
        for kind in ("view", "macro", "sequence", "index")
        for name in objects[kind]
    ]
    tables = {t.partition(".")[2] for t in objects["table"] if t.startswith("statistics.")}
    unexpected = [
        f"table {t}"
        for t in objects["table"]
        if t.partition(".")[2] not in STATISTICS_TABLES or not t.startswith("statistics.")
    ]
    if code or unexpected:
        listed = ", ".join([*code, *unexpected][:5])
        raise InputError(
            f"Statistics database {shown} holds objects pia does not make ({listed}); statistics "
            "are read as data only, so it was not used. Rebuild it with `pia stats refresh`."
        )
    if missing := sorted(REQUIRED_TABLES - tables):
        raise InputError(
            f"Statistics database {shown} lacks the tables {', '.join(missing)}; rebuild it with "
            "`pia stats refresh`."
        )


def ensure_db(statistics_url: str | None) -> Path:
    """A statistics.duckdb to attach: the given file or URL (copied locally), else the default one,
    built from the bundled snapshot the first time."""
    if statistics_url:
        if storage.is_remote(statistics_url) or statistics_url.startswith("file://"):
            fs, path = storage.filesystem(statistics_url)
            if not fs.exists(path):
                raise InputError(f"Statistics database {statistics_url} does not exist.")
            local = (
                storage.make_private_dir(Path(tempfile.mkdtemp(prefix="pia-stats-")))
                / "statistics.duckdb"
            )
            fs.get_file(path, str(local))
            check_statistics_db(local, _safe(statistics_url))
            return local
        p = Path(statistics_url)
        if p.is_dir():
            p = p / "statistics.duckdb"
        if not p.exists():
            raise InputError(
                f"Statistics database {statistics_url} does not exist (run `pia stats refresh --db ...`)."
            )
        check_statistics_db(p, statistics_url)
        return p
    p = statistics_db()
    if not p.exists():
        refresh(None, p)
    return p


def _safe(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://{rest.split('@', 1)[1]}"
    return url
