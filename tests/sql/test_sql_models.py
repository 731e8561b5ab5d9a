"""The sql/ models' `-- depends:` declarations: true of the SQL, and the order the runner keeps."""

from __future__ import annotations

import re

import duckdb
import pytest

from flows import sql_models
from flows.config import SQL_DIR

# Every schema a model may read (the attached statistics database is `stats.statistics`); a
# `<schema>.<name>` in the SQL outside comments is a read, except the relation the file makes.
SCHEMAS = "meta|annex_a|staging|quality|pack_src|pack|indicators|statistics"
REFERENCE = re.compile(rf'(?<![\w."])((?:stats\.)?(?:{SCHEMAS})\."?[a-z0-9_]+"?)')

ALL = sorted(SQL_DIR.glob("*/*.sql"))


def _read_in_sql(model: sql_models.Model) -> set[str]:
    body = "\n".join(line.split("--", 1)[0] for line in model.sql.splitlines())
    return {r.replace('"', "") for r in REFERENCE.findall(body)} - {model.makes}


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_model_declares_exactly_what_its_sql_reads(path):
    model = sql_models.read_model(path)
    assert model.sql.startswith("-- depends:"), "the declaration is the file's first line"
    read = _read_in_sql(model)
    assert read - set(model.depends) == set(), "read but not declared in '-- depends:'"
    assert set(model.depends) - read == set(), "declared in '-- depends:' but not read"


@pytest.mark.parametrize("layer", ["quality", "statistics", "indicators", "pack"])
def test_each_layer_runs_a_model_after_the_models_that_make_what_it_reads(layer):
    models = sql_models.layer_models(layer)
    assert len(models) == len(list((SQL_DIR / layer).glob("*.sql")))
    position = {m.makes: i for i, m in enumerate(models) if m.makes}
    for i, m in enumerate(models):
        for d in m.depends:
            assert position.get(d, -1) < i, f"{m.name} runs before {d} is made"


def _model(tmp_path, name: str, sql: str) -> sql_models.Model:
    (tmp_path / "t").mkdir(exist_ok=True)
    path = tmp_path / "t" / name
    path.write_text(sql, encoding="utf-8")
    return sql_models.read_model(path)


def test_the_declarations_not_the_file_names_give_the_order(tmp_path):
    late = _model(
        tmp_path, "010_b.sql", "-- depends: t.a\ncreate or replace view t.b as select * from t.a"
    )
    early = _model(
        tmp_path, "020_a.sql", "-- depends:\ncreate or replace view t.a as select 1 as x"
    )
    free = _model(tmp_path, "005_c.sql", "-- depends:\ncreate or replace view t.c as select 2 as x")
    assert [m.name for m in sql_models.ordered([late, early, free])] == [
        "t/005_c.sql",
        "t/020_a.sql",
        "t/010_b.sql",
    ]
    con = duckdb.connect()
    con.execute("create schema t")
    assert sql_models.run(con, [late, early, free]) == ["005_c", "020_a", "010_b"]
    assert con.execute("select x from t.b").fetchall() == [(1,)]


def test_a_cycle_is_an_error_naming_the_file(tmp_path):
    a = _model(
        tmp_path, "010_a.sql", "-- depends: t.b\ncreate or replace view t.a as select * from t.b"
    )
    b = _model(
        tmp_path, "020_b.sql", "-- depends: t.a\ncreate or replace view t.b as select * from t.a"
    )
    with pytest.raises(sql_models.ModelError, match=r"t/010_a\.sql is in a cycle"):
        sql_models.ordered([a, b])


def test_a_dependency_nobody_makes_is_an_error_naming_the_file(tmp_path):
    m = _model(
        tmp_path, "010_a.sql", "-- depends: meta.nothing\ncreate or replace view t.a as select 1"
    )
    con = duckdb.connect()
    con.execute("create schema t")
    with pytest.raises(sql_models.ModelError, match=r"t/010_a\.sql depends on meta\.nothing"):
        sql_models.run(con, [m])
    # unless the caller chooses to skip such a model
    assert sql_models.run(con, [m], lambda model, missing: missing == ["meta.nothing"]) == []


def test_a_declaration_must_name_schema_and_table(tmp_path):
    with pytest.raises(sql_models.ModelError, match=r"t/010_a\.sql.*'run'"):
        _model(tmp_path, "010_a.sql", "-- depends: run\ncreate or replace view t.a as select 1")


@pytest.mark.parametrize("layer", ["quality", "pack"])
def test_quality_and_pack_read_the_lists_only_through_their_staging_stand_ins(layer):
    from flows.annex_a import specs

    lists = {s.table for s in specs.SPECS}
    for m in sql_models.layer_models(layer):
        for name in m.depends:
            schema, table = name.split(".", 1)
            assert schema != "annex_a", f"{m.name} reads {name}: read staging.{table}"
            assert not (schema == "pack_src" and table in lists), f"{m.name} reads {name}"
            assert not table.startswith("src_"), f"{m.name} reads {name}: read staging.*"
