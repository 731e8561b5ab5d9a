"""What changed since the earlier run for the same LA and notification date: findings fixed, new
findings (by list, rule and column), rows added or removed per list.

Compared on aggregates only, so what it says is true of both submissions without matching children
across them: rows per list, and findings counted per list, rule, column and severity. A count that
went down is "fewer" (fixed, or the rows removed), one that went up is "more"; the report never says
which child's row was fixed.

Where the earlier run is (RunContext.earlier_dir):
- `pia run`: the published folder OUT/<la>/<date>/, whose warehouse.duckdb is still the earlier
  run's while this one builds in its staging folder (stages.stage_publish swaps it in at the end).
  It is a file on disk, so it is read as data: opened read-only, external access off, configuration
  locked, and only base tables are read (a view there could run anything).
- `pia validate`: keeps no warehouse (it holds every child's row), so the earlier report's
  data_quality.json in --out, written by report.write_reports: aggregates only, no child's value.
A basis for another LA or notification date is ignored.

quality.resubmission_of holds one row when an earlier run was found (where from, when), none when
not; quality.resubmission one row per count that changed (kind 'rows' or 'findings').
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from flows import warehouse

log = logging.getLogger("ilacs_pia")

BASIS_FILE = "data_quality.json"
_FINDING_KEY = ("list_name", "rule", "column_name", "severity")
SCHEMA = {
    "kind": pl.String,  # 'rows' or 'findings'
    "list_name": pl.String,
    "rule": pl.String,
    "column_name": pl.String,
    "severity": pl.String,
    "before": pl.Int64,
    "after": pl.Int64,
}
OF_SCHEMA = {"source": pl.String, "earlier_at": pl.Datetime("us", "UTC")}


@dataclass(frozen=True)
class Basis:
    """A run's aggregates: rows per list, findings counted per list, rule, column and severity."""

    la_code: str
    notification_date: dt.date
    rows: dict[str, int] | None  # None: not recorded (a run from before quality.lists)
    findings: dict[tuple, int]
    source: str = ""  # 'warehouse' or 'report'
    made_at: dt.datetime | None = None

    def to_json(self, generated_at: dt.datetime) -> str:
        return json.dumps(
            {
                "la_code": self.la_code,
                "notification_date": self.notification_date.isoformat(),
                "generated_at": generated_at.isoformat(),
                "rows": self.rows,
                "findings": [[*k, n] for k, n in sorted(self.findings.items(), key=_sort_key)],
            },
            indent=1,
        )


def _sort_key(item):
    return tuple("" if v is None else str(v) for v in item[0])


def basis(con, with_lists: bool | None = None) -> Basis:
    """The aggregates of the run whose warehouse `con` is connected to (rows per list only when
    quality.lists is there, or `with_lists` says so)."""
    la_code, nd = con.execute("select la_code, notification_date from meta.run").fetchone()
    rows = None
    if with_lists is None:
        with_lists = "lists" in warehouse.tables(con, "quality")
    if with_lists:
        rows = dict(
            con.execute(
                "select list_name, rows from quality.lists where provided and rows is not null"
            ).fetchall()
        )
    counts = con.execute(
        "select list_name, rule, column_name, severity, count(*) from quality.issues group by all"
    ).fetchall()
    return Basis(la_code, nd, rows, {tuple(r[:4]): r[4] for r in counts})


def basis_of(run: dict, issues: pl.DataFrame, lists: pl.DataFrame | None) -> Basis:
    """basis from frames already read (the report's): the same counts, without querying again."""
    rows = (
        None
        if lists is None
        else {
            name: n
            for name, n in lists.filter("provided")
            .select("list_name", "rows")
            .drop_nulls()
            .iter_rows()  # one a list: two dozen
        }
    )
    counts = issues.group_by(list(_FINDING_KEY)).len()
    return Basis(
        run["la_code"],
        run["notification_date"],
        rows,
        {tuple(r[:4]): r[4] for r in counts.iter_rows()},  # one a list, rule and column
    )


def earlier(folder: Path | None, la_code: str, notification_date: dt.date) -> Basis | None:
    """The earlier run's aggregates from `folder` (its warehouse, else its report's basis file), or
    None when there is none for this LA and date, or it cannot be read (logged, without values)."""
    if folder is None:
        return None
    found = None
    try:
        if (folder / "warehouse.duckdb").is_file():
            found = _from_warehouse(folder / "warehouse.duckdb")
        elif (folder / BASIS_FILE).is_file():
            found = _from_json(folder / BASIS_FILE)
    except Exception as e:  # noqa: BLE001 - an unreadable earlier run means no comparison, not a failed run
        log.warning("earlier run in %s not compared: %s", folder, type(e).__name__)
        return None
    if found is None or (found.la_code, found.notification_date) != (la_code, notification_date):
        return None
    return found


def _from_warehouse(path: Path) -> Basis | None:
    con = warehouse.open_untrusted(path)  # read-only, external access off, configuration locked
    try:
        base = {
            (s, t)
            for s, t in con.execute(
                "select schema_name, table_name from duckdb_tables() where schema_name in ('meta', 'quality')"
            ).fetchall()
        }
        if not {("meta", "run"), ("quality", "issues")} <= base:
            return None
        # an older run without quality.lists: rows are unknown, findings still compare
        found = basis(con, with_lists=("quality", "lists") in base)
    finally:
        con.close()
    made = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).replace(microsecond=0)
    return Basis(
        found.la_code, found.notification_date, found.rows, found.findings, "warehouse", made
    )


def _from_json(path: Path) -> Basis:
    data = json.loads(path.read_text(encoding="utf-8"))
    rows = None if data["rows"] is None else {str(k): int(v) for k, v in data["rows"].items()}
    findings = {}
    for *key, n in data["findings"]:
        if len(key) != len(_FINDING_KEY):
            raise ValueError("finding key of the wrong length")
        findings[tuple(None if k is None else str(k) for k in key)] = int(n)
    return Basis(
        str(data["la_code"]),
        dt.date.fromisoformat(data["notification_date"]),
        rows,
        findings,
        "report",
        dt.datetime.fromisoformat(data["generated_at"]),
    )


def compare(before: Basis, after: Basis) -> pl.DataFrame:
    """One row per count that changed: rows per list, then findings per list, rule, column, severity."""
    b, a = before.rows, after.rows
    out = (
        [
            ("rows", name, None, None, None, b.get(name, 0), a.get(name, 0))
            for name in sorted(b.keys() | a.keys())
            if b.get(name, 0) != a.get(name, 0)
        ]
        if a is not None and b is not None
        else []
    )
    out += [
        ("findings", *key, before.findings.get(key, 0), after.findings.get(key, 0))
        for key in sorted(
            before.findings.keys() | after.findings.keys(), key=lambda k: _sort_key((k,))
        )
        if before.findings.get(key, 0) != after.findings.get(key, 0)
    ]
    return pl.DataFrame(out, schema=SCHEMA, orient="row")


def record(ctx) -> Basis | None:
    """quality.resubmission and quality.resubmission_of for the run in ctx, after validation.
    Returns the earlier run's basis, or None when there was none."""
    con = ctx.db.connect()
    try:
        now = basis(con, with_lists=True)  # validation has just written quality.lists
        before = earlier(getattr(ctx, "earlier_dir", None), now.la_code, now.notification_date)
        changes = compare(before, now) if before else pl.DataFrame(schema=SCHEMA)
        of = pl.DataFrame(
            [(before.source, before.made_at)] if before else [], schema=OF_SCHEMA, orient="row"
        )
        with warehouse.transaction(con):
            warehouse.write_table(con, "quality", "resubmission", changes)
            warehouse.write_table(con, "quality", "resubmission_of", of)
    finally:
        con.close()
    return before


def load(con, quality_tables: set[str] | None = None) -> tuple[dict | None, pl.DataFrame]:
    """(where the earlier run came from and when, or None; the changes) as recorded in a warehouse.
    `quality_tables`: the quality schema's tables, when the caller has asked already."""
    if quality_tables is None:
        quality_tables = set(warehouse.tables(con, "quality"))
    if "resubmission_of" not in quality_tables:
        return None, pl.DataFrame(schema=SCHEMA)
    of = con.sql("select * from quality.resubmission_of").pl()
    changes = con.sql("select * from quality.resubmission").pl()
    return (of.row(0, named=True) if of.height else None), changes
