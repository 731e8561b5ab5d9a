"""The data-quality report an analytical officer sends to the LA: html, csv and xlsx with the same rows.

Written for the LA, so it shows the offending values; it is the only place they leave the process.
HTML is rendered with autoescaping on (a cell holding "<script>" shows as text); every text cell of
the csv and xlsx that a spreadsheet would read as a formula (= + - @, tab, carriage return) gets a
leading apostrophe. Files are written atomically, owner-only (0600).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
from pathlib import Path

import polars as pl

from flows import storage
from flows import warehouse as wh

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
FIRST_ROWS = 10  # rows shown under each list, rule and column; every row is in the csv and xlsx
_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\']")

# column in the csv/xlsx → header shown
FINDING_COLUMNS = {
    "severity": "Severity",
    "list_number": "List",
    "list_title": "List title",
    "source_file": "File",
    "source_sheet": "Sheet",
    "source_row": "Row",
    "column_name": "Column",
    "rule": "Rule",
    "message": "What to check",
    "value": "Value sent",
}
LIST_COLUMNS = {
    "number": "List",
    "title": "Title",
    "provided": "Provided",
    "rows": "Rows",
    "date_column": "Date checked",
    "covered": "Dates covered",
    "expected": "Dates expected",
    "errors": "Errors",
    "warnings": "Warnings",
    "infos": "Info",
}


# OWASP CSV injection: a spreadsheet may skip spaces, zero-width characters and separators before a
# formula, and reads full-width ＝ ＋ － ＠ as = + - @: `' =1+1'`, `'＝1+1'` and `';=1+1'` all ran
_FORMULA = re.compile(r"^[\s\u200b-\u200d\u2060\ufeff,;|\"']*[=+\-@\uff1d\uff0b\uff0d\uff20]")


def neutralise(value):
    """A text cell a spreadsheet would run as a formula, made inert with a leading apostrophe."""
    if isinstance(value, str) and (value.startswith(FORMULA_STARTS) or _FORMULA.match(value)):
        return "'" + value
    return value


def _date(d) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def load(warehouse: Path | wh.RunWarehouse) -> tuple[pl.DataFrame, pl.DataFrame, dict]:
    """(findings in report order, per-list summary, run parameters) from a run's warehouse."""
    db = warehouse if isinstance(warehouse, wh.RunWarehouse) else wh.RunWarehouse(warehouse)
    con = db.connect(read_only=True)
    try:
        return _load(con)
    finally:
        con.close()


def _load(con, quality_tables: set[str] | None = None) -> tuple[pl.DataFrame, pl.DataFrame, dict]:
    """load on an open connection; `quality_tables`: the quality schema's tables, when known."""
    from flows.annex_a.specs import SPECS

    if quality_tables is None:
        quality_tables = set(wh.tables(con, "quality"))
    issues = con.sql("select * from quality.issues").pl()
    lists = con.sql("select * from quality.lists").pl() if "lists" in quality_tables else None
    run = dict(
        zip(
            ("la_code", "notification_date", "period_start"),
            con.execute("select la_code, notification_date, period_start from meta.run").fetchall()[
                0
            ],
            strict=True,
        )
    )
    order = {s.table: i for i, s in enumerate(SPECS)}
    names = {s.table: (s.number, s.title) for s in SPECS}
    issues = (
        issues.with_columns(
            pl.col("list_name")
            .replace_strict({k: v[0] for k, v in names.items()}, default=pl.col("list_name"))
            .alias("list_number"),
            pl.col("list_name")
            .replace_strict(
                {k: v[1] for k, v in names.items()}, default=None, return_dtype=pl.String
            )
            .alias("list_title"),
            pl.col("severity").replace_strict(SEVERITY_ORDER, default=9).alias("_sev"),
            pl.col("list_name").replace_strict(order, default=len(order)).alias("_list"),
        )
        .sort(
            ["_sev", "_list", "source_file", "source_sheet", "source_row", "column_name", "rule"],
            nulls_last=True,
        )
        .drop("_sev", "_list")
    )
    if lists is None:
        lists = pl.DataFrame()
    return issues, lists, run


def _list_rows(lists: pl.DataFrame) -> list[dict]:
    out = []
    for r in lists.iter_rows(named=True):  # one row per list spec (two dozen), not child-level data
        covered = (
            f"{_date(r['covered_from'])} to {_date(r['covered_to'])}" if r["covered_from"] else ""
        )
        if r["expected_from"]:
            expected = f"{_date(r['expected_from'])} to {_date(r['expected_to'])}"
        else:
            expected = r["expected_note"] or ""
        out.append(
            {
                **r,
                "provided": "Yes" if r["provided"] else "No",
                "covered": covered,
                "expected": expected,
                "covered_outside": bool(
                    r["covered_from"]
                    and r["expected_from"]
                    and r["covered_from"] < r["expected_from"]
                    or r["covered_to"]
                    and r["expected_to"]
                    and r["covered_to"] > r["expected_to"]
                ),
            }
        )
    return out


@functools.cache
def _environment():
    """One environment per process: it keeps the compiled templates (compiling them cost ~10 ms a
    report) and still reloads a template whose file changed."""
    import jinja2

    from flows.config import TEMPLATES_DIR

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


# --- findings grouped for reading: list → rule → column ------------------------------------------
def group_findings(issues: pl.DataFrame, first: int = FIRST_ROWS) -> list[dict]:
    """The findings as the LA reads them: per list (in template order), its rules (errors first),
    per rule its columns, each with the count, the message once, the accepted values when the rule
    is about codes, and the first `first` rows (file, sheet, Excel row, value sent)."""
    if not issues.height:
        return []
    from flows.annex_a.specs import SPECS

    order = {s.table: i for i, s in enumerate(SPECS)}
    columns = {(s.table, c.header): c for s in SPECS for c in s.columns}
    keys = ["list_name", "list_number", "list_title", "rule", "column_name", "severity"]
    groups = (
        issues.with_row_index("_i")
        .group_by(keys, maintain_order=True)
        .agg(
            pl.len().alias("count"),
            pl.col("message").first(),
            (pl.col("message").n_unique() > 1).alias("messages_vary"),
            pl.struct("source_file", "source_sheet", "source_row", "value", "message")
            .head(first)
            .alias("rows"),
            pl.col("_i").first(),
        )
        .with_columns(
            pl.col("list_name").replace_strict(order, default=len(order)).alias("_list"),
            pl.col("severity").replace_strict(SEVERITY_ORDER, default=9).alias("_sev"),
        )
        .sort(["_list", "list_name", "_sev", "rule", "_i"], nulls_last=True)
    )
    sheets = sheet_names(issues)
    out: list[dict] = []
    for g in groups.iter_rows(named=True):  # one per list, rule and column: tens, not child rows
        if not out or out[-1]["list_name"] != g["list_name"]:
            out.append(
                {
                    "list_name": g["list_name"],
                    "number": g["list_number"],
                    "title": g["list_title"],
                    "anchor": f"list-{g['list_name'] or 'other'}",
                    "sheet": sheets[g["list_name"]],
                    "rules": [],
                    "counts": dict.fromkeys(SEVERITY_ORDER, 0),
                }
            )
        lst = out[-1]
        lst["counts"][g["severity"]] = lst["counts"].get(g["severity"], 0) + g["count"]
        if not lst["rules"] or (lst["rules"][-1]["rule"], lst["rules"][-1]["severity"]) != (
            g["rule"],
            g["severity"],
        ):
            lst["rules"].append(
                {"rule": g["rule"], "severity": g["severity"], "count": 0, "columns": []}
            )
        rule = lst["rules"][-1]
        rule["count"] += g["count"]
        spec_column = columns.get((g["list_name"], g["column_name"]))
        accepted = (
            [(c.code, c.label) for c in spec_column.codes.codes]
            if g["rule"].startswith("code_") and spec_column and spec_column.codes
            else []
        )
        rule["columns"].append(
            {
                "column_name": g["column_name"],
                "count": g["count"],
                "message": g["message"],
                "messages_vary": g["messages_vary"],
                "accepted": accepted,
                "rows": g["rows"],
                "more": g["count"] - len(g["rows"]),
            }
        )
    return out


def sheet_names(issues: pl.DataFrame) -> dict[str | None, str]:
    """The xlsx sheet of each list with findings: "List 3 Referrals", "3.17 Children living in…", within Excel's 31 characters and
    without the characters it refuses; findings outside any list go to "Files and sheets"."""
    from flows.annex_a.specs import SPECS

    order = {s.table: i for i, s in enumerate(SPECS)}
    names: dict[str | None, str] = {}
    pairs = (
        issues.select("list_name", "list_number", "list_title")
        .unique(maintain_order=True)
        .sort(pl.col("list_name").replace_strict(order, default=len(order)), nulls_last=True)
    )
    for name, number, title in pairs.iter_rows():
        if name is None:
            sheet = "Files and sheets"
        else:
            label = f"List {number}" if str(number).isdigit() else number
            sheet = _SHEET_UNSAFE.sub(" ", f"{label} {title or name}")[:31].strip()
        while sheet in names.values() or sheet.casefold() in ("summary", "changes"):
            sheet = sheet[:28] + f" {len(names)}"
        names[name] = sheet
    return names


# --- rendering ------------------------------------------------------------------------------------
def render_html(
    issues: pl.DataFrame, lists: list[dict], context: dict, changes: dict | None = None
) -> str:
    from markupsafe import Markup

    from flows.config import TEMPLATES_DIR

    css = (TEMPLATES_DIR / "vendor" / "govuk-frontend.min.css").read_text(encoding="utf-8")
    groups = group_findings(issues)
    return (
        _environment()
        .get_template("data_quality/report.html")
        .render(
            groups=groups,
            total=issues.height,
            first_rows=FIRST_ROWS,
            lists=lists,
            anchors={g["list_name"]: g["anchor"] for g in groups},
            changes=changes,
            css=Markup(css.replace("</", "<\\/")),
            **context,
        )
    )


def _cells(issues: pl.DataFrame) -> list[list]:
    return [
        [neutralise(v) for v in row] for row in issues.select(list(FINDING_COLUMNS)).iter_rows()
    ]


def render_csv(issues: pl.DataFrame) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(FINDING_COLUMNS.values())
    w.writerows(_cells(issues))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel then reads UTF-8 correctly


def render_xlsx(
    issues: pl.DataFrame, lists: list[dict], created=None, changes: dict | None = None
) -> bytes:
    """A summary sheet (each list), a sheet of every finding for each list that has any, and the
    changes since an earlier run when there was one; every sheet with filter headers and its header
    row frozen."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buf,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    if (
        created is not None
    ):  # the run's generation time, not the clock: a re-run gives the same bytes
        wb.set_properties({"created": created.replace(tzinfo=None)})
    bold = wb.add_format({"bold": True})
    sheets = [
        (
            "Summary",
            list(LIST_COLUMNS.values()),
            [[neutralise(r[k]) for k in LIST_COLUMNS] for r in lists],
        )
    ]
    parts = issues.partition_by("list_name", as_dict=True, maintain_order=True)
    for name, sheet in sheet_names(issues).items():
        sheets.append((sheet, list(FINDING_COLUMNS.values()), _cells(parts[(name,)])))
    if changes and changes["rows"] + changes["findings"]:
        sheets.append(
            (
                "Changes",
                list(CHANGE_COLUMNS.values()),
                [
                    [neutralise(r[k]) for k in CHANGE_COLUMNS]
                    for r in changes["rows"] + changes["findings"]
                ],
            )
        )
    for name, headers, rows in sheets:
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, headers, bold)
        for i, row in enumerate(rows, start=1):
            for j, v in enumerate(row):
                if isinstance(v, str):
                    ws.write_string(i, j, v)
                elif v is None:
                    ws.write_blank(i, j, None)
                else:
                    ws.write(i, j, v)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(len(rows), 1), len(headers) - 1)
    wb.close()
    return buf.getvalue()


# --- what changed since an earlier run ------------------------------------------------------------
CHANGE_COLUMNS = {
    "what": "What",
    "list": "List",
    "rule": "Rule",
    "column_name": "Column",
    "severity": "Severity",
    "before": "Earlier run",
    "after": "This run",
    "change": "Change",
}


def change_rows(earlier: dict | None, changes: pl.DataFrame) -> dict | None:
    """quality.resubmission for reading: rows per list, findings fewer (fixed, or their rows gone)
    and findings new or more; None when there was no earlier run or nothing changed (a re-run of the
    same files then gives the same report)."""
    if earlier is None or not changes.height:
        return None
    from flows.annex_a.specs import SPECS

    names = {s.table: f"{s.number}: {s.title}" for s in SPECS}
    order = {s.table: i for i, s in enumerate(SPECS)}
    rows, fewer, more = [], [], []
    for r in sorted(
        changes.iter_rows(named=True),  # one per count that changed: tens, not child rows
        key=lambda r: (order.get(r["list_name"], len(order)), SEVERITY_ORDER.get(r["severity"], 9)),
    ):
        item = {
            **r,
            "list": names.get(r["list_name"], r["list_name"] or "Not in a list"),
            "change": r["after"] - r["before"],
        }
        if r["kind"] == "rows":
            rows.append({**item, "what": "rows"})
        else:
            (fewer if item["change"] < 0 else more).append({**item, "what": "findings"})
    when = earlier["earlier_at"]
    return {
        "earlier_at": when.astimezone(dt.UTC).strftime("%d/%m/%Y %H:%M UTC") if when else "",
        "source": earlier["source"],
        "rows": rows,
        "findings": fewer + more,
        "fewer": fewer,
        "more": more,
    }


# --- the terminal (pia validate): aggregates only, never a child's value --------------------------
def changes_line(ctx) -> str | None:
    """What changed since the earlier run, in one line for the terminal; None when there was none
    or nothing changed. (The per-list table is flows.validation.summary.summary_table.)"""
    from flows.validation import resubmission

    con = ctx.db.connect(read_only=True)
    try:
        changes = change_rows(*resubmission.load(con))
    finally:
        con.close()
    if not changes:
        return None
    fixed = -sum(r["change"] for r in changes["fewer"])
    new = sum(r["change"] for r in changes["more"])
    lists_changed = len(changes["rows"])
    return (
        f"Since the earlier run ({changes['earlier_at']}): {fixed:,} fewer findings, {new:,} new; "
        f"rows changed in {lists_changed} {'list' if lists_changed == 1 else 'lists'}."
    )


def write_reports(ctx, out_dir: Path | None = None) -> list[Path]:
    """The report files for the run in ctx (read from ctx.db) into out_dir or ctx.work_dir: html, csv
    and xlsx for the LA, and data_quality.json (aggregates only) that a later run compares with."""
    from flows.validation import resubmission

    out_dir = out_dir or ctx.work_dir
    con = ctx.db.connect(read_only=True)  # one connection: opening the file costs more than reading
    try:
        present = set(wh.tables(con, "quality"))  # asked once: ~9 ms a time
        issues, lists_frame, run = _load(con, present)
        earlier, change_frame = resubmission.load(con, present)
    finally:
        con.close()
    basis = resubmission.basis_of(run, issues, lists_frame if "lists" in present else None)
    changes = change_rows(earlier, change_frame)
    lists = _list_rows(lists_frame) if lists_frame.height else []
    counts = {s: issues.filter(pl.col("severity") == s).height for s in SEVERITY_ORDER}
    context = {
        "la_name": ctx.la.name,
        "la_code": ctx.la.ons_code,
        "notification_date": _date(ctx.notification_date),
        "period_start": _date(run["period_start"]),
        "generated_at": ctx.generated_at.strftime("%d/%m/%Y %H:%M UTC"),
        "counts": counts,
    }
    written = [
        storage.atomic_write_text(
            out_dir / "data_quality.html", render_html(issues, lists, context, changes)
        ),
        storage.atomic_write_bytes(out_dir / "data_quality.csv", render_csv(issues)),
        storage.atomic_write_bytes(
            out_dir / "data_quality.xlsx",
            render_xlsx(issues, lists, ctx.generated_at, changes),
        ),
        storage.atomic_write_text(
            out_dir / resubmission.BASIS_FILE, basis.to_json(ctx.generated_at)
        ),
    ]
    return written
