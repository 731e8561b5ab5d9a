"""The data-quality report an analytical officer sends to the LA: html, csv and xlsx with the same rows.

Written for the LA, so it shows the offending values; it is the only place they leave the process.
HTML is rendered with autoescaping on (a cell holding "<script>" shows as text); every text cell of
the csv and xlsx that a spreadsheet would read as a formula (= + - @, tab, carriage return) gets a
leading apostrophe. Files are written atomically, owner-only (0600).
"""

from __future__ import annotations

import csv
import functools
import io
from pathlib import Path

import polars as pl

from flows import storage
from flows import warehouse as wh

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}

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


def neutralise(value):
    """A text cell a spreadsheet would run as a formula, made inert with a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _date(d) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def load(warehouse: Path | wh.RunWarehouse) -> tuple[pl.DataFrame, pl.DataFrame, dict]:
    """(findings in report order, per-list summary, run parameters) from a run's warehouse."""
    from flows.annex_a.specs import SPECS

    db = warehouse if isinstance(warehouse, wh.RunWarehouse) else wh.RunWarehouse(warehouse)
    con = db.connect(read_only=True)
    try:
        issues = con.sql("select * from quality.issues").pl()
        lists = (
            con.sql("select * from quality.lists").pl()
            if "lists" in wh.tables(con, "quality")
            else None
        )
        run = dict(
            zip(
                ("la_code", "notification_date", "period_start"),
                con.execute(
                    "select la_code, notification_date, period_start from meta.run"
                ).fetchall()[0],
                strict=True,
            )
        )
    finally:
        con.close()
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


FIRST_ROWS = 5  # rows shown under each group in the html; every row is in the csv and xlsx


def _accepted(list_name: str | None, column: str | None, rule: str) -> str:
    """The template's codes for a column, where a finding is about a value outside them."""
    from flows.annex_a.specs import BY_TABLE

    if rule != "code_unmapped" or list_name not in BY_TABLE:
        return ""
    for c in BY_TABLE[list_name].columns:
        if c.header == column and c.codes is not None:
            labels = c.codes.labels
            return "; ".join(
                code if labels.get(code) in (None, code) else f"{code} ({labels[code]})"
                for code in c.codes.values
            )
    return ""


def group_findings(issues: pl.DataFrame) -> list[dict]:
    """Findings grouped list -> rule -> column, in report order (lists as the template numbers
    them, errors first within a list): the count, severity, the message once, the accepted codes
    where a value was outside them, and the first rows (file, sheet, Excel row, value sent)."""
    from flows.annex_a.specs import SPECS

    if issues.is_empty():
        return []
    order = {s.table: i for i, s in enumerate(SPECS)}
    keys = ["list_name", "list_number", "list_title", "rule", "column_name"]
    grouped = (
        issues.with_columns(
            pl.col("list_name").replace_strict(order, default=len(order)).alias("_list"),
            pl.col("severity").replace_strict(SEVERITY_ORDER, default=9).alias("_sev"),
        )
        .group_by(keys, maintain_order=True)
        .agg(
            pl.len().alias("count"),
            pl.col("severity").first(),
            pl.col("message").first(),
            pl.col("_list").first(),
            pl.col("_sev").min(),
            pl.struct("source_file", "source_sheet", "source_row", "value")
            .head(FIRST_ROWS)
            .alias("rows"),
        )
        .sort(["_list", "_sev", "rule", "column_name"], nulls_last=True, maintain_order=True)
    )
    out = []
    for g in grouped.iter_rows(named=True):  # one row per group (a few dozen), not per finding
        out.append(
            {
                **{k: g[k] for k in (*keys, "count", "severity", "message", "rows")},
                "accepted": _accepted(g["list_name"], g["column_name"], g["rule"]),
                "more": g["count"] - len(g["rows"]),
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


def render_html(issues: pl.DataFrame, lists: list[dict], context: dict) -> str:
    from markupsafe import Markup

    from flows.config import TEMPLATES_DIR

    css = (TEMPLATES_DIR / "vendor" / "govuk-frontend.min.css").read_text(encoding="utf-8")
    return (
        _environment()
        .get_template("data_quality.html")
        .render(
            groups=group_findings(issues),
            total=issues.height,
            first_rows=FIRST_ROWS,
            lists=lists,
            css=Markup(css.replace("</", "<\\/")),
            **context,
        )
    )


def _cells(issues: pl.DataFrame) -> list[list]:
    return [
        [neutralise(v) for v in row] for row in issues.select(list(FINDING_COLUMNS)).iter_rows()
    ]


_SHEET_UNSAFE = str.maketrans({c: " " for c in "[]:*?/\\"})


def _by_list(issues: pl.DataFrame) -> list[tuple[str, pl.DataFrame]]:
    """(sheet name, that list's findings in report order) for each list with findings, lists in
    template order; findings about no list (files, sheets) last. Names fit Excel's 31 characters."""
    from flows.annex_a.specs import SPECS

    out = []
    for spec in SPECS:
        part = issues.filter(pl.col("list_name") == spec.table)
        if part.height:
            label = f"List {spec.number}" if spec.number.isdigit() else spec.number
            out.append((f"{label} {spec.title}".translate(_SHEET_UNSAFE)[:31].strip(), part))
    rest = issues.filter(~pl.col("list_name").is_in([s.table for s in SPECS]).fill_null(True))
    if rest.height:
        out.append(("Files and sheets", rest))
    return out


def render_csv(issues: pl.DataFrame) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(FINDING_COLUMNS.values())
    w.writerows(_cells(issues))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel then reads UTF-8 correctly


def render_xlsx(
    issues: pl.DataFrame, lists: list[dict], created=None, subject: str | None = None
) -> bytes:
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
    props = {}
    if (
        created is not None
    ):  # the run's generation time, not the clock: a re-run gives the same bytes
        props["created"] = created.replace(tzinfo=None)
    if subject is not None:  # which submission: a resubmission's report compares with this one
        props["subject"] = subject
    if props:
        wb.set_properties(props)
    bold = wb.add_format({"bold": True})
    sheets = [
        (
            "Lists",
            list(LIST_COLUMNS.values()),
            [[neutralise(r[k]) for k in LIST_COLUMNS] for r in lists],
        )
    ]
    for name, part in _by_list(issues):
        sheets.append((name, list(FINDING_COLUMNS.values()), _cells(part)))
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


def write_reports(ctx, out_dir: Path | None = None, earlier_dir: Path | None = None) -> list[Path]:
    """The three report files for the run in ctx (read from ctx.warehouse) into out_dir or ctx.work_dir.

    When the folder of an earlier report for the same LA and notification date holds one (by
    default out_dir when given, else the run's final folder beside its staging folder,
    <runs>/<la>/<date>), the report says what changed since (flows/validation/resubmission.py)."""
    from flows.validation import resubmission

    if earlier_dir is None:
        earlier_dir = out_dir or ctx.work_dir.parent / ctx.notification_date.isoformat()
    out_dir = out_dir or ctx.work_dir
    issues, lists_frame, run = load(ctx.db)
    lists = _list_rows(lists_frame) if lists_frame.height else []
    counts = {s: issues.filter(pl.col("severity") == s).height for s in SEVERITY_ORDER}
    earlier = resubmission.read_earlier(earlier_dir, ctx.la.ons_code, ctx.notification_date)
    context = {
        "changes": resubmission.changes(earlier, issues, lists) if earlier else None,
        "la_name": ctx.la.name,
        "la_code": ctx.la.ons_code,
        "notification_date": _date(ctx.notification_date),
        "period_start": _date(run["period_start"]),
        "generated_at": ctx.generated_at.strftime("%d/%m/%Y %H:%M UTC"),
        "counts": counts,
    }
    paths = [
        storage.atomic_write_text(
            out_dir / "data_quality.html", render_html(issues, lists, context)
        ),
        storage.atomic_write_bytes(out_dir / "data_quality.csv", render_csv(issues)),
        storage.atomic_write_bytes(
            out_dir / "data_quality.xlsx",
            render_xlsx(
                issues,
                lists,
                ctx.generated_at,
                resubmission.subject(ctx.la.ons_code, ctx.notification_date),
            ),
        ),
    ]
    return paths
