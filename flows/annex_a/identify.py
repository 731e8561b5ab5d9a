"""Find the header row of a grid and the Annex A list it holds, from its headers.

Every header cell is turned into its key (specs.header_key) and scored against every list spec.
A key counts 1 / (number of lists that know it): child ID, gender, ethnicity, date of birth, team
or worker appear in most lists and barely count, while "Date of referral" or "Primary Need Code"
name their list. Sheet and file names (ListSpec.hints, or "List 3") only break ties.

A header no key matches is tried by its family (headers.py: word order, bracketed notes,
abbreviations, CamelCase). A header whose family fits two columns, or two headers claiming one
column, are noted on the Identified (`notes`) and become findings: never a silent guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import polars as pl

from flows.annex_a import headers as H
from flows.annex_a import specs as S
from flows.annex_a.readers import ROW, Grid

HEADER_SEARCH_ROWS = 30
_DISTINCTIVE_MAX_LISTS = 3  # a key known to at most this many lists can identify one on its own
_WORD = re.compile(r"[a-z0-9]+")
_LIST_NUMBER = re.compile(r"\blist\s*0*(\d{1,2})\b")
_LETTERS = re.compile(r"[a-z]{3}")


@dataclass
class Identified:
    spec: S.ListSpec
    header_index: int  # position of the header row in the grid (0-based)
    header_row: int  # the header row as Excel shows it
    headers: dict[str, str | None]  # grid column -> header text as read (None for a blank header)
    mapping: dict[str, str]  # grid column -> canonical column name
    score: float
    # (rule, header as sent, message) for headers matched by family with doubt, or not at all
    notes: list[tuple[str, str, str]] = field(default_factory=list)


@cache
def _key_index() -> dict[str, dict[str, str]]:
    """header key (or family key) -> {table: canonical column name}."""
    index: dict[str, dict[str, str]] = {}
    for spec in S.SPECS:
        for col in spec.columns:
            for k in col.keys():
                index.setdefault(k, {})[spec.table] = col.name
    # family keys, marked with a leading space so that they never meet a header key
    for fk, tables in H.family_index().items():
        for table, cols in tables.items():
            if len(cols) == 1:
                index.setdefault(" " + fk, {})[table] = cols[0]
    return index


def _score(keys: list[str]) -> dict[str, tuple[float, int, bool]]:
    """table -> (score, columns matched, any distinctive column matched) for one row of keys."""
    index = _key_index()
    seen: dict[str, set[str]] = {}
    out: dict[str, list] = {}
    for k in keys:
        tables = index.get(k)
        if not tables:
            continue
        weight = 1.0 / len(tables)
        for table, column in tables.items():
            if column in seen.setdefault(table, set()):
                continue
            seen[table].add(column)
            acc = out.setdefault(table, [0.0, 0, False])
            acc[0] += weight
            acc[1] += 1
            acc[2] = acc[2] or len(tables) <= _DISTINCTIVE_MAX_LISTS
    return {t: (round(v[0], 6), v[1], v[2]) for t, v in out.items()}


@cache
def _hints() -> list[tuple[str, str]]:
    """(table, " hint words ") for every hint of every spec, worked out once."""
    out = []
    for spec in S.SPECS:
        for hint in spec.hints:
            h = _singular(" ".join(_WORD.findall(hint.casefold())))
            if h:
                out.append((spec.table, f" {h} "))
    return out


def hint_tables(*names: str) -> set[str]:
    """Tables whose hints (or 'List N') appear as whole words in a sheet or file name."""
    found: set[str] = set()
    for name in names:
        text = " ".join(_WORD.findall(name.casefold().replace("_", " ")))
        padded = f" {_singular(text)} "
        found.update(table for table, hint in _hints() if hint in padded)
        for m in _LIST_NUMBER.finditer(text):
            found.update(s.table for s in S.SPECS if s.number == m.group(1))
        # "2.03", "3.17": the numbered management-information lists
        for m in re.finditer(r"\b(\d\.\d\d)\b", name):
            found.update(s.table for s in S.SPECS if s.number == m.group(1))
    return found


def _singular(words: str) -> str:
    """'Referrals' matches the hint 'referral', 'Care Leavers' matches 'care leaver'."""
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words.split())


def identify(grid: Grid, file_stem: str = "") -> Identified | None:
    """The header row and list of a grid, or None when no list's headers are there."""
    columns = grid.data_columns
    top = grid.cells.head(HEADER_SEARCH_ROWS)
    hints = hint_tables(grid.source_sheet, file_stem)
    order = {s.table: i for i, s in enumerate(S.SPECS)}
    best: tuple | None = None
    known: dict[str, str] = {}  # a grid's top rows repeat their codes, dates and teams

    index = _key_index()

    def key(value: str | None) -> str:
        """The header key, or (when no list knows it) its family key, marked with a leading space."""
        if value is None:
            return ""
        if value not in known:
            k = S.header_key(value)
            # a cell no key knows may still head a column by its family; a date, a number or a
            # code's worth of letters cannot (most cells in the top rows are data: skip them fast)
            if k in index or len(k) < 4 or not _LETTERS.search(k):
                known[value] = k
            else:
                known[value] = " " + H.family_key(value)
        return known[value]

    for i, row in enumerate(top.select(columns).iter_rows()):
        keys = [key(v) for v in row]
        for table, (score, matched, distinctive) in _score(keys).items():
            hinted = table in hints
            if matched < 2 or not (distinctive or hinted):
                continue
            rank = (score, hinted, matched, -i, -order[table])
            if best is None or rank > best[0]:
                best = (rank, i, table, row)
    if best is None:
        return None
    (score, *_), i, table, row = best
    spec = S.BY_TABLE[table]
    headers = dict(zip(columns, row, strict=True))
    mapping, notes = map_headers(spec, headers)
    header_row = int(grid.cells.get_column(ROW)[i])
    return Identified(spec, i, header_row, headers, mapping, score, notes)


def map_headers(
    spec: S.ListSpec, headers: dict[str, str | None]
) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """grid column -> template column, and notes on the headers that could not be mapped surely.

    A header's key (exact up to case and punctuation) wins over a family match; a column claimed
    by two headers of equal standing goes to the first, and the other is noted (its values are
    kept in raw_extra)."""
    key_to_col = {k: c.name for c in spec.columns for k in c.keys()}
    exact: dict[str, str] = {}
    by_family: dict[str, str] = {}
    notes: list[tuple[str, str, str]] = []
    for col, text in headers.items():
        if text is None or not text.strip():
            continue
        name = key_to_col.get(S.header_key(text))
        if name is not None:
            exact[col] = name
            continue
        cols = H.match(spec.table, text)
        if len(cols) == 1:
            by_family[col] = cols[0]
            continue
        if not cols:
            cols = H.fits(spec.table, text)
            if len(cols) == 1 and len(set(H.words(text))) >= H.FIT_WORDS:
                by_family[col] = cols[0]
                continue
        if len(cols) > 1:
            options = " or ".join(f"'{spec.column(c).header}'" for c in cols)
            notes.append(
                (
                    "header_ambiguous",
                    text,
                    f"The column '{text}' could be {options}; it was not used, and its values are "
                    "kept as sent (raw_extra). Rename it to the template header.",
                )
            )
    mapping: dict[str, str] = {}
    claimed: dict[str, str] = {}  # template column -> header that has it
    for source in (exact, by_family):
        for col in headers:  # sheet order within each kind
            name = source.get(col)
            if name is None:
                continue
            if name in claimed:
                notes.append(
                    (
                        "header_ambiguous",
                        str(headers[col]),
                        f"The columns '{claimed[name]}' and '{headers[col]}' both look like "
                        f"'{spec.column(name).header}'; '{claimed[name]}' was used, and the values of "
                        f"'{headers[col]}' are kept as sent (raw_extra).",
                    )
                )
                continue
            claimed[name] = str(headers[col])
            mapping[col] = name
    return {c: mapping[c] for c in headers if c in mapping}, notes


def data_rows(grid: Grid, ident: Identified) -> pl.DataFrame:
    """The rows below the header, without rows that are entirely blank (null or spaces).

    A row with its fullest column filled is kept on that alone; only the rest are looked at whole.
    Looking at every cell of every row cost the largest LA ~50 ms, and almost every row has an ID."""
    body = grid.cells.slice(ident.header_index + 1)
    cols = grid.data_columns
    if not cols or body.is_empty():
        return body
    fullest = min(cols, key=lambda c: body.get_column(c).null_count())
    kept = _filled(fullest)
    if body.select(kept.all()).item():
        return body
    indexed = body.with_row_index(_INDEX)
    rest = indexed.filter(~kept).filter(pl.any_horizontal(_filled(c) for c in cols if c != fullest))
    if rest.is_empty():
        return body.filter(kept)
    return pl.concat([indexed.filter(kept), rest], how="vertical").sort(_INDEX).drop(_INDEX)


_INDEX = "__data_row"


def _filled(column: str) -> pl.Expr:
    """The cell holds more than spaces."""
    return (pl.col(column).str.strip_chars() != "").fill_null(False)
