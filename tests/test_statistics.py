"""Published statistics on the REAL bundled files: refresh, tidy, comparisons, atomic failure.

Expected values are computed here independently (csv module + plain Python over the published
files), never typed in.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import shutil
import statistics as pystats
from pathlib import Path

import pytest

from flows import warehouse
from flows.config import PUBLISHED_DIR
from flows.errors import InputError
from flows.statistics import indicators as stats_indicators
from flows.statistics import refresh as statistics

SYMBOLS = {"c", "k", "x", "z", "u", "low", "-"}
LAS = [
    "E10000016",
    "E06000017",
    "E06000050",
    "E09000003",
    "E06000065",
]  # Kent, Rutland, CWaC, Barnet, N Yorks


def read(rel: str) -> list[dict]:
    with open(PUBLISHED_DIR / rel, encoding="utf-8-sig", newline="") as f:
        return [{k.strip(): (v or "").strip() for k, v in r.items()} for r in csv.DictReader(f)]


def num(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


@pytest.fixture(scope="module")
def stats_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("stats") / "statistics.duckdb"
    summary = statistics.refresh(None, db)
    print(f"refresh: {summary}")  # the measured time shows with -s
    return db


@pytest.fixture(scope="module")
def con(stats_db):
    c = statistics.open_statistics(stats_db)
    yield c
    c.close()


def lookup_old_to_new() -> dict[str, str]:
    return {
        r["la_code"]: r["la_code_new"]
        for r in read("la_lookups/d2i_Provider_data_lookup.csv")
        if r["la_code_new"]
    }


def db_values(
    con, indicator: str, level: str
) -> dict[tuple[str, str], tuple[float | None, str | None]]:
    rows = con.execute(
        'select area_code, period, value, suppression from statistics."values" where indicator_id = ? and area_level = ?',
        [indicator, level],
    ).fetchall()
    return {(a, p): (v, s) for a, p, v, s in rows}


# (indicator, file, filter, value column) for published columns
PUBLISHED = [
    (
        "rereferral_rate",
        "dfe_cin/c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
        {},
        "rereferral_percent",
    ),
    (
        "cpp_2yrs_plus_rate",
        "dfe_cin/d5_cpps_at31march_by_duration_2013_to_2025.csv",
        {},
        "2_years_or_more_percent",
    ),
    (
        "cla_rate_per_10k",
        "dfe_cla/cla_number_and_rate_per_10k_children.csv",
        {"population_type": "Children looked after on 31 March each year"},
        "rate_per_10000",
    ),
    (
        "care_leavers_in_touch_19_21",
        "dfe_cla/la_care_leavers_intouch.csv",
        {"age": "Aged 19 to 21", "in_touch": "Local authority in touch with care leaver"},
        "percentage",
    ),
    ("sw_agency_rate", "dfe_workforce/csww_indicators_2017_to_2025.csv", {}, "agency_rate_fte"),
]


@pytest.mark.parametrize(("indicator", "rel", "flt", "col"), PUBLISHED)
def test_england_and_region_values_equal_the_published_rows(con, indicator, rel, flt, col):
    rows = [r for r in read(rel) if all(r[k] == v for k, v in flt.items())]
    for level, db_level, code in (
        ("National", "England", lambda r: "E92000001"),
        ("Regional", "Region", lambda r: r["region_code"]),
    ):
        want = {(code(r), r["time_period"]): r[col] for r in rows if r["geographic_level"] == level}
        got = db_values(con, indicator, db_level)
        assert want and set(want) == set(got)
        for key, text in want.items():
            value, reason = got[key]
            if num(text) is None:
                assert value is None and reason == text
            else:
                assert value == pytest.approx(float(text)) and reason is None


def test_england_rate_is_computed_from_published_numerator_and_population(con):
    pop = {
        r["time_period"]: float(r["population_estimate"])
        for r in read("dfe_population/ons_mid-year_population_estimates_2012_to_2024.csv")
        if r["geographic_level"] == "National"
    }
    got = db_values(con, "cin_rate_per_10k", "England")
    for r in read("dfe_cin/b1_children_in_need_2013_to_2025.csv"):
        if r["geographic_level"] == "National":
            prev = str(int(r["time_period"]) - 1)
            expected = float(r["At31_episodes"]) / pop[prev] * 10_000 if prev in pop else None
            assert got[("E92000001", r["time_period"])][0] == pytest.approx(expected)


def test_assessments_within_45wd_england_and_region_from_lait(con):
    got_eng = db_values(con, "assessments_within_45wd", "England")
    for r in read("lait/lait_bds_csc_key_measures_long.csv"):
        if r["measure_short"] == "Continue_Assess_Comp" and r["la_number"] == "970":
            assert got_eng[("E92000001", r["years"])][0] == pytest.approx(float(r["value"]))


def independent(indicator_rows: list[dict], col: str, polarity: str, la: str, sn_codes: list[str]):
    """SN mean, rank (ties share the lower rank), rank_of and LAIT band from the published rows."""
    old_to_new = lookup_old_to_new()
    units: dict[str, float] = {}  # one per published LA row (a joint return is one unit)
    by_la: dict[str, float] = {}
    for r in indicator_rows:
        if r["geographic_level"] != "Local authority" or num(r[col]) is None:
            continue
        units[r["new_la_code"]] = num(r[col])
        for code, old in zip(r["new_la_code"].split("/"), r["old_la_code"].split("/"), strict=True):
            by_la[old_to_new.get(old.strip(), code.strip())] = num(r[col])
    sn_vals = [by_la[c] for c in sn_codes if c in by_la]
    sn_mean = sum(sn_vals) / len(sn_vals) if sn_vals else None
    vals = list(units.values())
    v = by_la.get(la)
    if v is None:
        return sn_mean, len(sn_vals), None, len(vals), None
    better = sum(1 for x in vals if (x > v if polarity == "high" else x < v))
    q1, q2, q3 = pystats.quantiles(vals, n=4, method="inclusive")  # R type 7, as LAIT's quantile()
    if polarity == "low":
        band = "A" if v <= q1 else "B" if v <= q2 else "C" if v <= q3 else "D"
    else:
        band = "A" if v > q3 else "B" if v > q2 else "C" if v > q1 else "D"
    return sn_mean, len(sn_vals), better + 1, len(vals), band


def sn_2025() -> dict[str, list[str]]:
    old_to_new = lookup_old_to_new()
    return {
        old_to_new[r["old_la_code"]]: [old_to_new[r[f"SN_{i}"]] for i in range(1, 11)]
        for r in read("stat_neighbours/sn_model_2025_wide.csv")
    }


@pytest.mark.parametrize("la", LAS)
@pytest.mark.parametrize(
    ("indicator", "rel", "flt", "col", "polarity"),
    [
        ("rereferral_rate", PUBLISHED[0][1], {}, "rereferral_percent", "low"),
        (
            "cla_long_term_stability_rate",
            "dfe_cla/la_cla_placement_stability.csv",
            {
                "cla_group": "Children looked after continuously for at least 2.5 years on 31 March aged under 16 years",
                "placement_stability": "Living with the same carer for at least 2 years",
            },
            "children_percent",
            "high",
        ),
        (
            "sw_turnover_rate",
            "dfe_workforce/csww_indicators_2017_to_2025.csv",
            {},
            "turnover_rate_fte",
            "low",
        ),
    ],
)
def test_sn_mean_rank_and_band_equal_an_independent_calculation(
    con, la, indicator, rel, flt, col, polarity
):
    rows = [r for r in read(rel) if all(r[k] == v for k, v in flt.items())]
    periods = sorted({r["time_period"] for r in rows})[-2:]
    for period in periods:
        exp = independent(
            [r for r in rows if r["time_period"] == period], col, polarity, la, sn_2025()[la]
        )
        got = con.execute(
            "select sn_mean, sn_count, rank, rank_of, quartile_band from statistics.comparisons "
            "where la_code = ? and indicator_id = ? and period = ?",
            [la, indicator, period],
        ).fetchall()[0]
        assert got[0] == pytest.approx(exp[0]) and got[1:] == exp[1:], (la, indicator, period)


def test_suppressed_values_are_never_numbers(con):
    assert (
        con.execute(
            'select count(*) from statistics."values" where suppression is not null and value is not null'
        ).fetchall()[0][0]
        == 0
    )
    assert (
        con.execute(
            'select count(*) from statistics."values" where suppression is null and value is null'
        ).fetchall()[0][0]
        == 0
    )
    rows = read(PUBLISHED[0][1])
    want = sum(
        1
        for r in rows
        if r["geographic_level"] == "Local authority" and r["rereferral_percent"] == "c"
    )
    got = con.execute(
        'select count(*) from statistics."values" where indicator_id = ? and suppression = ?',
        ["rereferral_rate", "c"],
    ).fetchall()[0][0]
    assert want > 0 and got == want
    # a suppressed LA never gets a rank or band, and never counts towards an SN mean
    assert (
        con.execute(
            "select count(*) from statistics.comparisons where la_value is null and "
            "(rank is not null or quartile_band is not null)"
        ).fetchall()[0][0]
        == 0
    )


def test_reorganisations_and_joint_returns(con, stats_db):
    # North Yorkshire: published as E10000023 until 2023, E06000065 after: one joined series
    periods = [
        p
        for (p,) in con.execute(
            'select period from statistics."values" where indicator_id = ? and area_code = ? and value is not null '
            "order by period",
            ["rereferral_rate", "E06000065"],
        ).fetchall()
    ]
    assert periods[0] == "2013" and periods[-1] == "2025"
    # Cumberland (from April 2023) has no history before it existed; Cumbria keeps its own code
    cumberland = con.execute(
        'select min(period) from statistics."values" where indicator_id = ? and area_code = ? and value is not null',
        ["rereferral_rate", "E06000063"],
    ).fetchall()[0][0]
    assert cumberland == "2024"  # year ending 31 March 2024
    assert con.execute(
        'select count(*) from statistics."values" where area_code = ?', ["E10000006"]
    ).fetchall()[0][0]
    # Kingston and Richmond share one workforce return: both carry it, rankings count it once
    joint = con.execute(
        'select area_code, value from statistics."values" where indicator_id = ? and period = ? and joint_area is not null',
        ["sw_turnover_rate", "2025"],
    ).fetchall()
    assert {"E09000021", "E09000027"} <= {a for a, _ in joint}
    ctx = _ctx(stats_db, "E06000063", Path(str(stats_db) + "-cumberland"))
    stats_indicators.build_indicators(ctx)
    c = warehouse.connect(ctx.warehouse)
    notes = [n for (n,) in c.execute("select note from indicators.history_breaks").fetchall()]
    c.close()
    assert any("Cumbria" in n for n in notes)


def _ctx(stats_db: Path, la_code: str, work: Path):
    from flows import las
    from flows.context import RunContext

    work.mkdir(parents=True, exist_ok=True)
    ctx = RunContext(
        la=las.resolve(la_code),
        notification_date=dt.date(2026, 11, 16),
        visit_type="standard",
        work_dir=work,
        statistics_db=stats_db,
    )
    c = warehouse.connect(ctx.warehouse)
    warehouse.set_run_context(
        c,
        la_code=ctx.la.ons_code,
        notification_date=ctx.notification_date,
        visit_type="standard",
        period_start=ctx.period_start,
        period_start_12m=ctx.period_start_12m,
    )
    c.close()
    return ctx


def test_build_indicators_leaves_a_self_contained_warehouse(stats_db, tmp_path):
    ctx = _ctx(stats_db, "886", tmp_path)  # old DfE code accepted
    stats_indicators.build_indicators(ctx)
    c = warehouse.connect(ctx.warehouse)
    try:
        assert (
            c.execute(
                "select count(*) from duckdb_databases() where database_name = 'stats'"
            ).fetchall()[0][0]
            == 0
        )
        assert c.execute("select la_code, la_name from indicators.la_context").fetchall() == [
            ("E10000016", "Kent")
        ]
        assert c.execute("select population_0_17 from indicators.la_context").fetchall()[0][0] > 0
        assert c.execute("select count(*) from indicators.stat_neighbours").fetchall()[0][0] == 10
        assert (
            c.execute("select count(*) from indicators.indicator_dictionary").fetchall()[0][0] == 29
        )
        assert c.execute("select overall from indicators.ilacs_judgements").fetchall()[0][0] in {
            "Outstanding",
            "Good",
            "Requires improvement to be good",
            "Inadequate",
        }
        c.execute("create schema if not exists pack")
        c.execute((Path(__file__).parents[1] / "sql/pack/100_national_comparisons.sql").read_text())
        cols = [
            d[0] for d in c.execute("select * from pack.national_comparisons limit 0").description
        ]
        assert cols == [
            "la_code",
            "indicator_id",
            "period",
            "la_value",
            "sn_mean",
            "sn_count",
            "region_value",
            "england_value",
            "rank",
            "rank_of",
            "quartile_band",
            "previous_value",
        ]
        per = c.execute(
            "select indicator_id, count(*) from pack.national_comparisons group by 1"
        ).fetchall()
        assert len(per) == 29 and all(1 <= n <= 5 for _, n in per)
        # previous_value is the LA's value in the period before
        rows = c.execute(
            "select period, la_value, previous_value from pack.national_comparisons "
            "where indicator_id = 'rereferral_rate' order by period"
        ).fetchall()
        assert all(rows[i][2] == rows[i - 1][1] for i in range(1, len(rows)))
    finally:
        c.close()


# --- failed refreshes leave the previous database untouched ---------------------------------------
def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture
def copy_db(stats_db, tmp_path) -> Path:
    db = tmp_path / "db" / "statistics.duckdb"
    db.parent.mkdir()
    shutil.copy2(stats_db, db)
    return db


@pytest.fixture
def source(tmp_path) -> Path:
    src = tmp_path / "published"
    shutil.copytree(PUBLISHED_DIR, src)
    return src


C1 = "dfe_cin/c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"


def test_corrupted_value_is_rejected_and_previous_db_stays(copy_db, source):
    (source / "manifest.json").unlink()  # no checksum to catch it: the content checks must
    path = source / C1
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].split(",")
    cells = lines[40].split(",")
    cells[header.index("rereferral_percent")] = "twelve"
    lines[40] = ",".join(cells)
    path.write_text("".join(lines), encoding="utf-8")
    before = _sha(copy_db)
    with pytest.raises(InputError) as e:
        statistics.refresh(str(source), copy_db)
    msg = str(e.value)
    assert C1 in msg and "line 41" in msg and "rereferral_percent" in msg and "suppression" in msg
    assert _sha(copy_db) == before
    assert [p.name for p in copy_db.parent.iterdir()] == ["statistics.duckdb"]  # no temp left


def test_truncated_file_fails_its_checksum(copy_db, source):
    path = source / "dfe_cla/la_cla_placement_stability.csv"
    path.write_bytes(path.read_bytes()[:5000])
    before = _sha(copy_db)
    with pytest.raises(InputError, match="la_cla_placement_stability.csv.*sha256"):
        statistics.refresh(str(source), copy_db)
    assert _sha(copy_db) == before


def test_missing_column_and_missing_file_are_named(copy_db, source):
    (source / "manifest.json").unlink()
    path = source / "dfe_workforce/csww_indicators_2017_to_2025.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("turnover_rate_fte,", "turnover_fte,", 1),
        encoding="utf-8",
    )
    with pytest.raises(
        InputError, match="csww_indicators_2017_to_2025.csv: missing column.*turnover_rate_fte"
    ):
        statistics.refresh(str(source), copy_db)
    (source / "stat_neighbours/sn_model_2025_wide.csv").unlink()
    with pytest.raises(InputError, match="no file stat_neighbours/sn_model_2025_wide.csv"):
        statistics.refresh(str(source), copy_db)


def test_unknown_la_code_is_rejected(copy_db, source):
    (source / "manifest.json").unlink()
    path = source / "dfe_cla/la_care_leavers_intouch.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(",E10000016,", ",E10999999,", 1).replace(",886,", ",999,", 1), encoding="utf-8"
    )
    with pytest.raises(
        InputError, match="la_care_leavers_intouch.csv.*new_la_code.*not an LA code known"
    ):
        statistics.refresh(str(source), copy_db)


def test_column_order_and_bom_do_not_matter(tmp_path, source):
    """A file with its columns reversed and a BOM added gives the same values."""
    (source / "manifest.json").unlink()
    path = source / C1
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    rev = [list(reversed(r)) for r in rows]
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rev)
    db = tmp_path / "reordered.duckdb"
    statistics.refresh(str(source), db)
    c = statistics.open_statistics(db)
    got = c.execute(
        'select count(*), sum(value) from statistics."values" where indicator_id = ?',
        ["rereferral_rate"],
    ).fetchall()[0]
    c.close()
    want = [num(r["rereferral_percent"]) for r in read(C1)]
    assert got[0] == len(want) + sum(1 for r in read(C1) if "/" in r["new_la_code"])
    assert got[1] == pytest.approx(sum(v for v in want if v is not None))
