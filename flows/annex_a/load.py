"""Read a whole submission and load it into the run's DuckDB warehouse (docs/architecture.md, Contracts).

    files ─ readers.read_file ─> text grids ─ identify ─> (list, header row) ─ normalise ─> frames
          ─> raw.<table>, annex_a.<table>, staging.<table>, meta.lists, quality.issues   (one transaction)

Typing is done in polars (normalise.py), not in SQL: the casts must report every value they reject
with its Excel row, which is simplest where the rows still carry it. sql/annex_a holds no models.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from flows import findings as F
from flows import warehouse as W
from flows.annex_a import identify, isolated, normalise, readers, staging
from flows.annex_a import specs as S
from flows.testhooks import pause_point

log = logging.getLogger("ilacs_pia")

# Lists whose absence matters for every inspection (warning); the others are asked for only on some
# visits or are management information (info).
_WARN_IF_MISSING = {s.table for s in S.CHILD_LISTS} | {S.AUDITS.table}

_PLACES_SHOWN = 5  # places named in a list_duplicated message

# meta.lists: one row per spec, provided or not (the contract other stages read).
META_LISTS_SCHEMA: dict[str, pl.DataType] = {
    "list_name": pl.String,
    "number": pl.String,
    "title": pl.String,
    "provided": pl.Boolean,
    "rows": pl.Int64,
    "files": pl.String,
    "sheets": pl.String,
}


@dataclass
class Submission:
    """Everything read from a submission, before it is written anywhere."""

    lists: dict[str, normalise.Normalised] = field(default_factory=dict)
    parts: dict[str, list[normalise.Part]] = field(default_factory=dict)
    general: list[F.Finding] = field(default_factory=list)  # file-level and list-level findings

    @property
    def findings(self) -> list[pl.DataFrame]:
        return [F.frame(self.general), *(n.findings for n in self.lists.values())]


def read_submission(
    files: list[Path], *, relative_to: Path, limits: readers.Limits | None = None
) -> Submission:
    """Read, identify and normalise every file; problems become findings, never exceptions."""
    sub = identify_lists(files, relative_to=relative_to, limits=limits)
    sub.lists.update(normalised_lists(sub))
    return sub


def identify_lists(
    files: list[Path], *, relative_to: Path, limits: readers.Limits | None = None
) -> Submission:
    """Read every file and find its lists (normalising them is left to normalised_lists).

    Files are read in parallel (readers.read_threads); their results are taken in file order, so
    the findings and the order of a list's parts do not depend on which thread finished first.
    """
    limits = limits or readers.Limits.from_env()
    sub = Submission()
    for found, parts in read_files(files, relative_to, limits):
        sub.general.extend(found)
        for part in parts:
            sub.parts.setdefault(part.ident.spec.table, []).append(part)
    for spec in S.SPECS:
        parts = sub.parts.get(spec.table)
        if not parts:
            severity = "warning" if spec.table in _WARN_IF_MISSING else "info"
            sub.general.append(
                F.Finding(
                    spec.table,
                    "list_not_provided",
                    severity,
                    f"List {spec.number} ({spec.title}) was not found in the submission.",
                )
            )
            continue
        if len(parts) > 1:
            # the first few places, not all: 3,000 sheets of one list made every finding list all
            # of them (a 285 MB report)
            places = "; ".join(_place(p.grid) for p in parts[:_PLACES_SHOWN])
            if len(parts) > _PLACES_SHOWN:
                places += f"; and {len(parts) - _PLACES_SHOWN:,} more"
            for p in parts[1:]:
                sub.general.append(
                    F.Finding(
                        spec.table,
                        "list_duplicated",
                        F.RULES["list_duplicated"][0],
                        f"List {spec.number} ({spec.title}) was found in more than one place ({places}); "
                        "their rows were combined. Check that no rows are repeated.",
                        p.grid.source_file,
                        p.grid.source_sheet,
                        p.ident.header_row,
                    )
                )
    return sub


def normalised_lists(sub: Submission) -> Iterator[tuple[str, normalise.Normalised]]:
    """Each provided list normalised, in spec order, as soon as it is ready: lists are normalised in
    parallel (polars releases the GIL), so the caller can write one while the next is typed."""
    provided = [(spec, sub.parts[spec.table]) for spec in S.SPECS if sub.parts.get(spec.table)]
    workers = min(readers.read_threads(), len(provided))
    if workers <= 1:
        for spec, parts in provided:
            yield spec.table, normalise.normalise(spec, parts)
        return
    with ThreadPoolExecutor(workers, thread_name_prefix="pia-normalise") as pool:
        # the largest lists first, so the threads finish together
        size = {spec.table: sum(p.body.height for p in parts) for spec, parts in provided}
        futures = {
            spec.table: pool.submit(normalise.normalise, spec, parts)
            for spec, parts in sorted(provided, key=lambda sp: -size[sp[0].table])
        }
        try:
            for spec, _ in provided:
                yield spec.table, futures[spec.table].result()
        finally:
            for f in futures.values():
                f.cancel()


def read_files(
    files: list[Path], relative_to: Path, limits: readers.Limits
) -> list[tuple[list[F.Finding], list[normalise.Part]]]:
    """Every file's findings and identified lists, in file order."""
    ordered = sorted(files, key=lambda p: _relative(p, relative_to))
    rels = [_relative(p, relative_to) for p in ordered]
    workers = min(readers.read_threads(), len(ordered))
    if workers <= 1:
        return [_read_one(p, r, limits) for p, r in zip(ordered, rels, strict=True)]
    # largest first, so that a small file is not what the others wait for at the end
    with ThreadPoolExecutor(workers, thread_name_prefix="pia-files") as pool:
        futures = {
            i: pool.submit(_read_one, ordered[i], rels[i], limits)
            for i in sorted(range(len(ordered)), key=lambda i: -_size(ordered[i]))
        }
        return [futures[i].result() for i in range(len(ordered))]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _read_one(
    path: Path, rel: str, limits: readers.Limits
) -> tuple[list[F.Finding], list[normalise.Part]]:
    """One file: its findings (unreadable, skipped or unrecognised sheets) and its identified lists."""
    if path.name.startswith("~$"):  # Excel's lock file for an open workbook, copied by accident
        return [
            F.Finding(
                None,
                "file_unreadable",
                "info",
                f"{rel}: this is a lock file Excel leaves while a workbook is open, not a list; it was ignored.",
                rel,
            )
        ], []

    def prepare(
        grid: readers.Grid,
    ) -> tuple[readers.Grid, identify.Identified | None, pl.DataFrame]:
        ident = identify.identify(grid, path.stem)
        return grid, ident, (identify.data_rows(grid, ident) if ident is not None else grid.cells)

    try:
        # in a child process: a file that crashes the reader or takes its memory costs one finding
        prepared, problems = isolated.read_file(path, rel, limits, prepare)
    except readers.FileProblem as e:
        return [F.Finding(None, e.rule, F.RULES[e.rule][0], f"{rel}: {e.message}", rel)], []
    found = [
        F.Finding(
            None, p.rule, F.RULES[p.rule][0], f"{rel}: {p.message}", rel, p.source_sheet, p.row
        )
        for p in problems
    ]
    parts = []
    for grid, ident, body in prepared:
        if ident is None:
            where = "The file" if grid.source_sheet == path.name else f"Sheet '{grid.source_sheet}'"
            hidden = " (a hidden sheet)" if grid.hidden else ""
            found.append(
                F.Finding(
                    None,
                    "sheet_unrecognised",
                    F.RULES["sheet_unrecognised"][0],
                    f"{where} in {rel}{hidden} has no column headers of any Annex A list, so it was not read. "
                    "If it holds a list, use the template's column headers.",
                    rel,
                    grid.source_sheet,
                )
            )
            continue
        parts.append(normalise.Part(grid, ident, body))
    return found, parts


def load_submission(
    files: list[Path],
    warehouse: Path | W.RunWarehouse,
    *,
    relative_to: Path,
    on_typed: Callable[[str, pl.DataFrame], object] | None = None,
) -> dict[str, int]:
    """Read every file and write raw.*, annex_a.*, meta.lists and quality.issues; rows per annex_a table.

    All in one transaction: a failure or a kill leaves the warehouse as it was. `on_typed(table,
    frame)` is told of each typed list once all are written, before the commit (so that validation
    runs while DuckDB commits, on one core, instead of competing with the typing for both).
    """
    sub = identify_lists(files, relative_to=relative_to)
    db = warehouse if isinstance(warehouse, W.RunWarehouse) else W.RunWarehouse(warehouse)
    con = db.connect()
    try:
        with W.transaction(con):
            for schema in ("raw", "raw_extra", "annex_a", "meta"):
                con.execute(f"create schema if not exists {schema}")  # names from this fixed tuple
            con.execute(F.DDL)
            kinds = _object_kinds(con)
            for spec in S.SPECS:  # a list not supplied now must not keep an earlier load's table
                if spec.table not in sub.parts:
                    _drop_raw(con, spec.table, kinds)
                    if ("annex_a", spec.table) in kinds:
                        con.execute(f'drop table annex_a."{spec.table}"')
            for table, n in normalised_lists(sub):  # each written while the next is normalised
                sub.lists[table] = n
                _drop_raw(con, table, kinds)
                for schema, frame in written_frames(n):
                    _write(con, schema, table, frame)
                if n.raw_view is not None:
                    _write_raw_view(con, table, n.raw_view, extras=n.extras is not None)
            if on_typed is not None:
                for table, n in sub.lists.items():
                    on_typed(table, n.typed)
            _write(con, "meta", "lists", _meta_lists(sub))
            staging.create(con)  # the lists' stand-ins for the SQL that reads them
            issues = _sorted_findings(
                pl.concat(sub.findings, how="vertical").select(list(F.SCHEMA))
            )
            # re-reading a submission replaces the reader's own findings, and no one else's
            F.store(con, "reader", issues)
            pause_point("load")  # test-only (flows/testhooks.py): a kill here must lose nothing
    finally:
        con.close()
    db.share({f"annex_a.{t}": n.typed for t, n in sub.lists.items()})
    counts = {t: n.typed.height for t, n in sub.lists.items()}
    log.info(
        "Annex A read: %d lists, %d rows, %d findings",
        len(counts),
        sum(counts.values()),
        issues.height,
    )
    return counts


def written_frames(n: normalise.Normalised) -> list[tuple[str, pl.DataFrame]]:
    """(schema, frame) the load writes of one list: the typed list with its text as read, and that
    text on its own where raw.* cannot be a view of it (raw.*), or the columns outside the template
    that its view joins back (raw_extra.*)."""
    if n.raw_view is None:
        return [("annex_a", n.typed), ("raw", n.raw)]
    return [("annex_a", n.typed), *([("raw_extra", n.extras)] if n.extras is not None else [])]


def _write(con, schema: str, table: str, frame: pl.DataFrame) -> None:
    """Replace schema.table with a frame; only the Annex A schemas and tables (an allow-list)."""
    if schema not in ("raw", "raw_extra", "annex_a", "meta") or table not in {*S.BY_TABLE, "lists"}:
        raise ValueError(f"not an Annex A table: {schema}.{table}")
    W.write_table(con, schema, table, frame)


def _object_kinds(con) -> dict[tuple[str, str], str]:
    """(schema, name) -> "table" or "view" for what an earlier load left in annex_a, raw and
    raw_extra: one catalog query, so that a first load (the usual case) drops nothing, where a
    `drop ... if exists` for each list and schema cost ~10 ms of the largest LA's load."""
    schemas = ["annex_a", "raw", "raw_extra"]
    return {
        (schema, name): kind
        for schema, name, kind in con.execute(
            "select schema_name, table_name, 'table' from duckdb_tables() "
            "where database_name = current_database() and list_contains(?, schema_name) "
            "union all select schema_name, view_name, 'view' from duckdb_views() "
            "where database_name = current_database() and list_contains(?, schema_name)",
            [schemas, schemas],
        ).fetchall()
    }


def _drop_raw(con, table: str, kinds: dict[tuple[str, str], str]) -> None:
    """Drop raw.<table> whether an earlier load left it as a table or a view, and the columns outside
    the template that its view read (raw_extra.<table>)."""
    if table not in S.BY_TABLE:  # identifiers only from the specs
        raise ValueError(f"not an Annex A list: {table}")
    for schema in ("raw", "raw_extra"):  # names from this fixed tuple
        kind = kinds.get((schema, table))
        if kind is not None:
            con.execute(f'drop {kind} {schema}."{table}"')


def _write_raw_view(
    con, table: str, columns: tuple[tuple[str, str | None], ...], *, extras: bool
) -> None:
    """raw.<table> as the typed table's <column>_raw columns under the headers as read, and the
    columns outside the template from raw_extra.<table> (joined on the source columns, one row each).
    The headers were checked to hold no quote or control character (normalise._PLAIN_HEADER), and the
    spec column names and the table name come from the specs."""
    spec = S.BY_TABLE[table]
    if any(
        (c is not None and c not in spec.by_name) or not normalise._PLAIN_HEADER.match(h)
        for h, c in columns
    ) or (extras != any(c is None for _, c in columns)):
        raise ValueError(f"raw view columns not from the spec of {table}")
    select = [f'a."{c}_raw" as "{h}"' if c is not None else f'e."{h}"' for h, c in columns]
    select += ["a.source_file", "a.source_sheet", "a.source_row"]
    source = f'annex_a."{table}" as a'
    if extras:
        source += f' join raw_extra."{table}" as e using (source_file, source_sheet, source_row)'
    con.execute(f'create view raw."{table}" as select {", ".join(select)} from {source}')  # noqa: S608


def _meta_lists(sub: Submission) -> pl.DataFrame:
    rows = []
    for spec in S.SPECS:
        parts = sub.parts.get(spec.table, [])
        rows.append(
            {
                "list_name": spec.table,
                "number": spec.number,
                "title": spec.title,
                "provided": bool(parts),
                "rows": sub.lists[spec.table].typed.height if parts else 0,
                "files": "; ".join(dict.fromkeys(p.grid.source_file for p in parts)) or None,
                "sheets": "; ".join(p.grid.source_sheet for p in parts) or None,
            }
        )
    return pl.DataFrame(rows, schema=META_LISTS_SCHEMA, orient="row")


def _sorted_findings(issues: pl.DataFrame) -> pl.DataFrame:
    """A stable order: file-level problems, then by list (spec order), file, sheet, row."""
    order = {s.table: i for i, s in enumerate(S.SPECS)}
    return (
        issues.with_row_index("__i")
        .with_columns(
            pl.col("list_name")
            .replace_strict(order, default=-1, return_dtype=pl.Int64)
            .alias("__l")
        )
        .sort(["__l", "source_file", "source_sheet", "source_row", "__i"], nulls_last=False)
        .drop("__i", "__l")
    )


def _relative(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.name


def _place(grid: readers.Grid) -> str:
    return (
        grid.source_file
        if grid.source_sheet == Path(grid.source_file).name
        else f"{grid.source_file} sheet '{grid.source_sheet}'"
    )
