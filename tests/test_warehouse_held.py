"""A run holds its warehouse open across its stages (RunWarehouse.held) and shares the typed lists
with validation: the stages must give the same warehouse and pack as when each opens the file on its
own, the held database must be checkpointed whole when it closes, and stages that use threads must
work whether or not the warehouse is held."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl
import pytest

from flows import pipeline, stages, synth, warehouse
from flows.pack import render as pack
from flows.statistics import refresh as statistics
from flows.validation import results as list_results

LA, ND = "E06000017", dt.date(2026, 11, 16)
GENERATED = dt.datetime(2026, 11, 16, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def submission(tmp_path_factory):
    root = tmp_path_factory.mktemp("held") / "sub"
    synth.generate(LA, ND, root, messy=True)
    return root


def _stages(ctx, landed, *, held: bool) -> None:
    def run() -> None:
        stages.stage_init(ctx)
        stages.stage_read(ctx, landed)
        pipeline.validate_and_indicators(ctx)
        stages.stage_render(ctx)

    if held:
        with pipeline.warehouse_open(ctx):
            run()
    else:
        run()


def _run(tmp_path, submission, name: str, *, held: bool):
    ctx, _ = pipeline.prepare(LA, ND, "standard", str(tmp_path / name))
    ctx.statistics_db = statistics.ensure_db(None)
    ctx.generated_at = GENERATED
    landed = stages.stage_land(ctx, str(submission))
    _stages(ctx, landed, held=held)
    return ctx


def _tables(db) -> dict[str, pl.DataFrame]:
    con = warehouse.connect(db, read_only=True)
    try:
        names = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' order by 1, 2"
        ).fetchall()
        return {f"{s}.{t}": con.sql(f'select * from "{s}"."{t}"').pl() for s, t in names}  # noqa: S608
    finally:
        con.close()


def test_held_and_unheld_runs_give_the_same_warehouse_and_pack(tmp_path, submission):
    held = _run(tmp_path, submission, "held", held=True)
    alone = _run(tmp_path, submission, "alone", held=False)
    # closed and checkpointed: the file is whole, with no write-ahead log beside it
    assert not held.warehouse.with_name(held.warehouse.name + ".wal").exists()
    a, b = _tables(held.warehouse), _tables(alone.warehouse)
    assert a.keys() == b.keys() and "quality.issues" in a
    for name, frame in a.items():  # as sets: some tables are built with `select distinct`
        cols = frame.columns
        assert frame.sort(cols, nulls_last=True).equals(b[name].sort(cols, nulls_last=True)), name
    assert (held.work_dir / "pia.html").read_bytes() == (alone.work_dir / "pia.html").read_bytes()
    for report in ("data_quality.csv", "data_quality.html"):
        assert (held.work_dir / report).read_bytes() == (alone.work_dir / report).read_bytes()


def test_pack_models_built_beside_validation_give_the_pack_built_after_it(tmp_path, submission):
    """The indicators stage builds the pack models while validation still writes quality.issues: they
    are views, so the pack shows every finding, as when render builds them once validation is done."""
    ctx = _run(tmp_path, submission, "run", held=True)
    issues = warehouse.connect(ctx.warehouse, read_only=True)
    try:
        assert issues.execute(
            "select count(*) from pack.dq_headline where warnings > 0"
        ).fetchall() == [(1,)]
    finally:
        issues.close()
    rebuilt = pack.render_html(ctx)  # builds the models again, after validation
    assert (ctx.work_dir / "pia.html").read_text(encoding="utf-8") == rebuilt


def test_a_held_run_validates_each_list_while_the_load_commits(tmp_path, submission):
    """The lists' suites run beside the load and validate takes their findings: the same findings
    as when validate runs the suites itself."""
    ctx, _ = pipeline.prepare(LA, ND, "standard", str(tmp_path / "early"))
    ctx.statistics_db = statistics.ensure_db(None)
    landed = stages.stage_land(ctx, str(submission))
    with pipeline.warehouse_open(ctx):
        stages.stage_init(ctx)
        stages.stage_read(ctx, landed)
        early = ctx.db.shared(list_results.LIST_FINDINGS)
        assert early is not None and early.height > 0  # the messy lists have findings of their own
        stages.stage_validate(ctx)
        beside = _validation_issues(ctx)
    stages.stage_validate(ctx)  # not held: the suites run in validate, on the lists as loaded
    alone = _validation_issues(ctx)
    cols = beside.columns
    assert beside.height > 0
    assert beside.sort(cols, nulls_last=True).equals(alone.sort(cols, nulls_last=True))


def _validation_issues(ctx) -> pl.DataFrame:
    con = ctx.db.connect()
    try:
        return con.sql("select * from quality.validation_issues").pl()
    finally:
        con.close()


def test_held_joins_nested_holds_and_drops_shared_frames(tmp_path):
    db = warehouse.RunWarehouse(tmp_path / "w.duckdb")
    frame = pl.DataFrame({"x": [1, 2]})
    db.share({"annex_a.t": frame})  # not held: nothing is kept
    with db.held():
        assert db.shared("annex_a.t") is None
        db.share({"annex_a.t": frame})
        with db.held():  # a stage inside the run: no second hold, no early close
            con = db.connect(read_only=True)  # joins the held database
            con.execute("create table t as select 1 as x")
            con.close()
        assert db.shared("annex_a.t") is frame
    assert db.shared("annex_a.t") is None and not db.is_held
    con = db.connect(read_only=True)  # closed: a read-only connection opens again
    assert con.execute("select x from t").fetchall() == [(1,)]
    con.close()


def test_a_failed_batch_commits_nothing(tmp_path):
    con = warehouse.connect(tmp_path / "w.duckdb")
    try:
        with pytest.raises(duckdb.CatalogException), warehouse.transaction(con):
            con.execute("create table a as select 1 as x")
            con.execute("select * from no_such_table")
        assert con.execute(
            "select count(*) from information_schema.tables where table_name = 'a'"
        ).fetchall() == [(0,)]
    finally:
        con.close()


@pytest.mark.parametrize(("env", "threads"), [(None, 1), ("2", 2), ("many", 1)])
def test_a_held_warehouse_runs_duckdb_on_the_threads_asked_for(tmp_path, monkeypatch, env, threads):
    if env is None:
        monkeypatch.delenv("PIA_DUCKDB_THREADS", raising=False)
    else:
        monkeypatch.setenv("PIA_DUCKDB_THREADS", env)
    db = warehouse.RunWarehouse(tmp_path / "w.duckdb")
    with db.held():
        con = db.connect()
        try:
            assert con.execute("select current_setting('threads')").fetchall() == [(threads,)]
        finally:
            con.close()


def test_a_held_warehouse_stores_small_row_groups_and_its_cursors_see_it(tmp_path):
    """held() attaches the file with row groups of ROW_GROUP_ROWS (each list fits in one default
    group, which the commit compressed whole, on one core), under the name a plain connect gives it;
    a cursor for another thread, made with warehouse.cursor, works in the same database."""
    db = tmp_path / "w.duckdb"
    rows = 3 * warehouse.ROW_GROUP_ROWS
    run_db = warehouse.RunWarehouse(db)
    with run_db.held():
        con = run_db.connect()
        try:
            with warehouse.transaction(con):
                con.execute(f"create table t as select range as x from range({rows})")  # noqa: S608
            other = warehouse.cursor(con)
            assert other.execute(
                "select current_database(), count(*) from t group by 1"
            ).fetchall() == [("w", rows)]
            groups = "select count(distinct row_group_id) from pragma_storage_info('t')"
            assert other.execute(groups).fetchall() == [(3,)]
            other.close()
        finally:
            con.close()
    assert not (tmp_path / "w.duckdb.wal").exists()  # closed whole
    con = warehouse.connect(db, read_only=True)
    try:
        assert con.execute("select current_database(), count(*) from t group by 1").fetchall() == [
            ("w", rows)
        ]
    finally:
        con.close()
