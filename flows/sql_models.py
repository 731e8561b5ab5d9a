"""The sql/ models: what each file makes, what it reads, and the order a layer runs them in.

A model is one statement per file (`create or replace view|table <schema.name> as …`, or an
`insert into` a table an earlier model made). Its first line declares every table and view it reads:

    -- depends: meta.run, staging.list_07_child_protection, pack.working_days

A layer runs its files in the order those declarations give (a model after the models that make what
it reads; otherwise by file name), so a file's number says nothing about when it runs.
tests/sql/test_sql_models.py checks that each file declares every `schema.table` its SQL names, so the
declarations cannot drift from the SQL. What no model of the layer makes must already be in the
warehouse (made by Python or by an earlier stage) when the layer runs; the caller decides what a
model whose such dependency is missing does (skip_missing), else the run stops and names the file.
Models read run parameters from `meta.run` (one row) instead of string formatting: the SQL is static.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from flows.config import SQL_DIR

LAYERS = ("annex_a", "quality", "statistics", "indicators", "pack")

_DEPENDS = re.compile(r"^--\s*depends:(.*)$", re.MULTILINE)
_MAKES = re.compile(
    r"^\s*create\s+(?:or\s+replace\s+)?(?:view|table)\s+(?:if\s+not\s+exists\s+)?"
    r'((?:[a-z_][a-z0-9_]*\.){1,2}"?[a-z_][a-z0-9_]*"?)',
    re.IGNORECASE | re.MULTILINE,
)
_NAME = re.compile(r"^(?:[a-z_][a-z0-9_]*\.){1,2}[a-z_][a-z0-9_]*$")


class ModelError(RuntimeError):
    """A layer's models cannot run: a cycle, a name made twice, or something read that nobody makes."""


@dataclass(frozen=True)
class Model:
    """One sql/ file, or a step of Python that makes a relation the layer's files read (`run`)."""

    name: str  # "<layer>/<file>.sql", or the step's name
    makes: str | None  # schema.table
    depends: tuple[str, ...]
    sql: str = ""
    run: Callable[[duckdb.DuckDBPyConnection], object] | None = None

    @property
    def stem(self) -> str:
        return Path(self.name).stem


def read_model(path: Path) -> Model:
    sql = path.read_text(encoding="utf-8")
    name = f"{path.parent.name}/{path.name}"
    depends: list[str] = []
    for line in _DEPENDS.findall(sql):
        for item in line.split(","):
            item = item.strip().replace('"', "")
            if not item:
                continue
            if not _NAME.match(item):
                raise ModelError(
                    f"SQL model {name}: '-- depends:' names {item!r}, not schema.table"
                )
            depends.append(item)
    made = _MAKES.search(sql)
    return Model(
        name,
        made.group(1).replace('"', "").lower() if made else None,
        tuple(dict.fromkeys(depends)),
        sql,
    )


def ordered(models: Iterable[Model]) -> list[Model]:
    """Models in the order their declarations give: each after the models that make what it reads;
    among models free to run, by name. What no model here makes is not ordered (see run)."""
    models = list(models)
    makers: dict[str, Model] = {}
    for m in models:
        if m.makes is None:
            continue
        if m.makes in makers:
            raise ModelError(f"SQL models {makers[m.makes].name} and {m.name} both make {m.makes}")
        makers[m.makes] = m
    after: dict[str, set[str]] = {m.name: set() for m in models}  # model -> models it waits for
    for m in models:
        after[m.name] = {makers[d].name for d in m.depends if d in makers} - {m.name}
    by_name = {m.name: m for m in models}
    waiting = {n: set(a) for n, a in after.items()}
    ready = [n for n, a in waiting.items() if not a]
    heapq.heapify(ready)
    out: list[Model] = []
    while ready:
        name = heapq.heappop(ready)
        out.append(by_name[name])
        for other, waits in waiting.items():
            if name in waits:
                waits.discard(name)
                if not waits:
                    heapq.heappush(ready, other)
    if len(out) < len(models):
        stuck = sorted(n for n, w in waiting.items() if w)
        raise ModelError(
            f"SQL model {stuck[0]} is in a cycle of '-- depends:' declarations "
            f"(the models that cannot run: {', '.join(stuck)})"
        )
    return out


def layer_models(layer: str) -> list[Model]:
    """A layer's sql/ files, in the order they run."""
    if layer not in LAYERS:
        raise ValueError(f"unknown SQL layer {layer!r}")
    return ordered(read_model(p) for p in sorted((SQL_DIR / layer).glob("*.sql")))


def model_files(layer: str) -> list[Path]:
    """A layer's sql/ files, in the order they run."""
    return [SQL_DIR / m.name for m in layer_models(layer)]


def existing(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Every table and view: "schema.name" in con's own database, "catalog.schema.name" in all."""
    (current,) = con.execute("select current_database()").fetchone()
    rows = con.execute(
        "select database_name, schema_name, table_name from duckdb_tables() "
        "union all select database_name, schema_name, view_name from duckdb_views() where not internal"
    ).fetchall()
    names = {f"{d}.{s}.{t}" for d, s, t in rows}
    return names | {f"{s}.{t}" for d, s, t in rows if d == current}


def run(
    con: duckdb.DuckDBPyConnection,
    models: Iterable[Model],
    skip_missing: Callable[[Model, list[str]], bool] | None = None,
) -> list[str]:
    """Run models in their order (in the caller's transaction); returns the stems of those run.

    A model reading something that no model here makes and that the warehouse does not have is
    passed to skip_missing(model, missing): True skips it, False (or no skip_missing) stops the run
    with an error naming the file and what is missing.
    """
    models = ordered(models)
    made = {m.makes for m in models if m.makes}
    have = existing(con)
    ran = []
    for m in models:
        missing = [d for d in m.depends if d not in made and d not in have]
        if missing:
            if skip_missing is not None and skip_missing(m, missing):
                continue
            raise ModelError(
                f"SQL model {m.name} depends on {', '.join(missing)}, which no model makes and "
                "the warehouse does not have"
            )
        try:
            if m.run is not None:
                m.run(con)
            else:
                con.execute(m.sql)
        except duckdb.Error as e:
            raise RuntimeError(f"SQL model {m.name} failed: {e}") from e
        ran.append(m.stem)
    return ran


def run_layer(con: duckdb.DuckDBPyConnection, layer: str) -> list[str]:
    """Every model of a layer, in one transaction; returns the models run (their file stems)."""
    from flows import warehouse

    models = layer_models(layer)
    with warehouse.transaction(con):
        con.execute(f"create schema if not exists {layer}")  # layer is from the allow-list
        return run(con, models)
