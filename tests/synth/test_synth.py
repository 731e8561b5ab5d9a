"""The synthetic generator, clean mode: determinism, calibration, consistency, template fidelity."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from pathlib import Path

import fastexcel
import polars as pl
import pytest
from synth_checks import violations

from flows import cli, las, synth
from flows.annex_a.specs import BY_TABLE, SPECS
from flows.config import PUBLISHED_DIR

ND = dt.date(2026, 11, 16)
LA = "E06000050"  # Cheshire West and Chester: mid-sized, quick


@pytest.fixture(scope="module")
def frames() -> dict[str, pl.DataFrame]:
    return synth.build(las.resolve(LA), ND)


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("synth_clean")
    return out, synth.generate(LA, ND, out)


def _published(path: Path, col: str, la_code: str, **where: str) -> float:
    """Latest published value for an LA, read straight from the CSV (independent of the generator)."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = [
            r
            for r in csv.DictReader(f)
            if r["new_la_code"] == la_code and all(r[k] == v for k, v in where.items())
        ]
    year = max(r["time_period"] for r in rows)
    return float(next(r[col] for r in rows if r["time_period"] == year))


def test_same_seed_same_rows_and_different_seed_differs():
    la = las.resolve("E09000001")  # small: quick to build three times
    a, b = synth.build(la, ND, seed=7), synth.build(la, ND, seed=7)
    c = synth.build(la, ND, seed=8)
    for t in a:
        assert a[t].equals(b[t]), t
    assert not all(a[t].equals(c[t]) for t in a)


def test_same_seed_same_files(tmp_path):
    for d in ("a", "b"):
        synth.generate("E09000001", ND, tmp_path / d, seed=3)
    for f in (tmp_path / "a").iterdir():
        assert (
            hashlib.sha256(f.read_bytes()).digest()
            == hashlib.sha256((tmp_path / "b" / f.name).read_bytes()).digest()
        ), f.name


@pytest.mark.parametrize("la_code", ["E06000050", "E10000016", "E09000001", "E06000053"])
def test_clean_submission_breaks_no_rule(la_code):
    frames = synth.build(las.resolve(la_code), ND)
    assert violations(frames, ND) == {}


def test_calibrated_to_published_figures(frames):
    cin, cla = PUBLISHED_DIR / "dfe_cin", PUBLISHED_DIR / "dfe_cla"
    referrals = _published(
        cin / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv", "referral_count", LA
    )
    s47 = _published(
        cin / "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv", "Section47", LA
    )
    icpc = _published(
        cin / "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv", "ICPC", LA
    )
    cp31 = _published(cin / "d5_cpps_at31march_by_duration_2013_to_2025.csv", "CPP_At31", LA)
    cla31 = _published(
        cla / "cla_number_and_rate_per_10k_children.csv",
        "children_count",
        LA,
        population_type="Children looked after on 31 March each year",
    )
    cl = sum(
        _published(
            cla / "la_care_leavers_activity.csv",
            "care_leaver_count",
            LA,
            care_leaver_age=a,
            breakdown="Total",
        )
        for a in ("17 to 18 years", "19 to 21 years")
    )
    got = {
        "referrals": (frames["list_03_referrals"].height, referrals / 2),
        "s47": (frames["list_05_section_47"].height, s47 / 2),
        "icpc": (frames["list_05_section_47"]["icpc_date"].is_not_null().sum(), icpc / 2),
        "cp_open": (frames["list_07_child_protection"]["cp_plan_end_date"].is_null().sum(), cp31),
        "cla_open": (
            frames["list_08_children_in_care"]["date_ceased_looked_after"].is_null().sum(),
            cla31,
        ),
        "care_leavers": (frames["list_09_care_leavers"].height, cl),
    }
    for name, (n, expected) in got.items():
        assert abs(n - expected) <= 0.2 * expected + 5, (name, n, expected)


def test_scale_multiplies_volumes():
    la = las.resolve("E06000050")
    one, half = synth.build(la, ND), synth.build(la, ND, scale=0.5)
    for t in ("list_01_contacts", "list_03_referrals", "list_08_children_in_care"):
        assert abs(half[t].height - one[t].height / 2) <= 0.05 * one[t].height + 3, t


def test_journeys_agree_across_lists(frames):
    l6, l7, l8 = (
        frames["list_06_children_in_need"],
        frames["list_07_child_protection"],
        frames["list_08_children_in_care"],
    )
    open_cp = l7.filter(pl.col("cp_plan_end_date").is_null()).join(l6, on="child_id")
    assert (open_cp["case_status"] == "Child Protection plan").all()
    open_cla = l8.filter(pl.col("date_ceased_looked_after").is_null()).join(l6, on="child_id")
    assert (open_cla["case_status"] == "Looked after child").all()
    assert open_cla.height == l8["date_ceased_looked_after"].is_null().sum()
    for t in ("unregistered_provision", "deprivation_of_liberty", "secure_orders"):
        assert frames[t]["child_id"].is_in(l8["child_id"].implode()).all(), t
    icpc_plan = frames["list_05_section_47"].filter(pl.col("icpc_resulted_in_plan") == "Yes")
    joined = icpc_plan.join(l7, on="child_id")
    assert joined.height == icpc_plan.height > 0
    assert (joined["icpc_date"] == joined["cp_plan_start_date"]).all()
    # the realistic texture the pack will look for is there
    assert l7["previous_cp_plans"].gt(0).any() and l8["placements_last_12_months"].ge(3).any()
    assert (frames["list_09_care_leavers"]["in_touch"] != "Yes").any()
    assert (frames["list_09_care_leavers"]["accommodation_suitability"] == "Unsuitable").any()
    assert (l8["placement_location"] == "Out").any() and l8["placement_type"].is_in(
        ["U1", "U3"]
    ).any()
    assert frames["list_03_referrals"]["referral_nfa"].eq("Yes").any()
    assert frames["list_03_referrals"]["referrals_last_12_months"].gt(1).any()
    a = frames["list_04_assessments"].drop_nulls("assessment_authorised_date")
    from numpy import busday_count

    wd = busday_count(
        a["assessment_start_date"].to_numpy(), a["assessment_authorised_date"].to_numpy()
    )
    assert (wd > 45).mean() > 0.05
    cases = frames["caseloads"]
    assert cases.filter(pl.col("worker") == "Unallocated")["open_cases"].item() > 0
    assert cases["open_cases"].max() > 2 * cases["open_cases"].median()
    fam = l6.join(frames["list_01_contacts"], on="child_id", how="semi")
    assert fam.height > 0


def test_every_list_written_with_exactly_its_template_headers(written):
    out, result = written
    seen = set()
    for f in out.glob("*.xlsx"):
        book = fastexcel.read_excel(f)
        for name in book.sheet_names:
            table = next(t for t in BY_TABLE if synth.sheet_name(t) == name)
            df = book.load_sheet(name, dtypes="string").to_polars()
            assert df.columns == BY_TABLE[table].headers, name
            assert df.height == result["rows"][table], name
            seen.add(table)
    assert seen == {s.table for s in SPECS}


def test_values_written_as_the_template_writes_them(written, frames):
    out, _ = written
    book = fastexcel.read_excel(out / synth.CHILD_WORKBOOK)
    l8 = book.load_sheet(synth.sheet_name("list_08_children_in_care")).to_polars()
    assert l8["Gender"].str.contains(r"^[a-d]\) ").all()
    assert l8["Ethnicity"].str.contains(r"^[a-t]\) [A-Z]{4}$").all()
    assert (
        l8["Child's Legal Status"]
        .is_in(["C1", "C2", "D1", "E1", "V2", "V3", "V4", "L1", "L2", "L3", "J1", "J2", "J3"])
        .all()
    )
    assert l8["Date Started to be Looked After"].dtype == pl.Datetime("ms")  # a real Excel date
    # every value read back normalises to the canonical frame
    spec = BY_TABLE["list_08_children_in_care"]
    raw = book.load_sheet(synth.sheet_name(spec.table), dtypes="string").to_polars()
    canon = frames[spec.table]
    for c in spec.columns:
        if c.type == "code":
            back = [c.codes.normalise(v) for v in raw[c.header].to_list()]
            assert back == canon[c.name].to_list(), c.name
    assert raw["Child Unique ID"].to_list() == canon["child_id"].to_list()


def test_cli_prints_counts_not_children(tmp_path, capsys, frames):
    assert (
        cli.main(
            ["synth", "--la", "896", "--notification-date", "2026-11-16", "--out", str(tmp_path)]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "list_03_referrals" in text and str(tmp_path) in text
    ids = frames["list_01_contacts"]["child_id"].head(50).to_list()
    assert not any(i in text for i in ids)


def test_bad_la_is_an_input_error(tmp_path):
    assert (
        cli.main(
            ["synth", "--la", "X1", "--notification-date", "2026-11-16", "--out", str(tmp_path)]
        )
        == 2
    )


def test_round_trip_through_the_reader(written, frames, tmp_path):
    """synth → flows.annex_a.load → the same rows and values, and no findings at all."""
    import duckdb

    from flows import findings
    from flows.annex_a import load

    out, result = written
    wh = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(wh))
    con.execute(findings.DDL)
    con.close()
    rows = load.load_submission(sorted(out.glob("*.xlsx")), wh, relative_to=out)
    assert rows == {t: n for t, n in result["rows"].items()}
    con = duckdb.connect(str(wh), read_only=True)
    try:
        assert con.execute("select count(*) from quality.issues").fetchall() == [(0,)]
        for spec in SPECS:
            cols = ", ".join(f'"{c.name}"' for c in spec.columns)
            sql = f"select {cols} from annex_a.{spec.table} order by source_row"  # noqa: S608 - spec names
            back = con.sql(sql).pl()
            assert back.equals(frames[spec.table], null_equal=True), spec.table
    finally:
        con.close()
