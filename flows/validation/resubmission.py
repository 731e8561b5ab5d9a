"""What changed since the earlier report for the same LA and notification date (a resubmission).

The earlier report is the one a run leaves in its folder (data/runs/<la>/<date>/, or the folder
`pia validate --out` writes to): its xlsx names the LA and notification date in its properties
(subject), its Lists sheet gives the rows per list and data_quality.csv every finding. Findings are
compared as counts per list, check and column, not row by row: a row added above a finding moves
its row number, and a finding is no less fixed for that.
"""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl


def subject(la_code: str, notification_date) -> str:
    """The xlsx subject property that says which submission a report is about."""
    return f"{la_code} {notification_date.isoformat()}"


def read_earlier(folder: Path, la_code: str, notification_date) -> dict | None:
    """The earlier report in `folder` for this LA and notification date: {"made": str, "rows":
    {list number: rows}, "groups": {(list number, rule, column): count}}, or None."""
    import openpyxl

    xlsx, text = folder / "data_quality.xlsx", folder / "data_quality.csv"
    if not (xlsx.is_file() and text.is_file()):
        return None
    try:
        wb = openpyxl.load_workbook(xlsx, read_only=True)
        try:
            if wb.properties.subject != subject(la_code, notification_date):
                return None
            made = wb.properties.created
            sheet = wb["Lists"]
            header = None
            rows: dict[str, int | None] = {}
            for r in sheet.iter_rows(values_only=True):  # one row per list (two dozen)
                if header is None:
                    header = list(r)
                    continue
                got = dict(zip(header, r, strict=False))
                n = got.get("Rows")
                rows[str(got.get("List"))] = int(n) if isinstance(n, int | float) else None
        finally:
            wb.close()
        groups: dict[tuple[str, str, str], int] = {}
        with text.open(encoding="utf-8-sig", newline="") as f:
            for r in csv.DictReader(f):
                key = (r.get("List") or "", r.get("Rule") or "", r.get("Column") or "")
                groups[key] = groups.get(key, 0) + 1
    except (OSError, KeyError, ValueError, csv.Error):
        return None  # not a report this version wrote: say nothing rather than something false
    return {
        "made": made.strftime("%d/%m/%Y %H:%M UTC") if made else "",
        "rows": rows,
        "groups": groups,
    }


def changes(earlier: dict, issues: pl.DataFrame, lists: list[dict]) -> dict:
    """Rows added or removed per list, and findings fixed or new per list, check and column."""
    rows = []
    for r in lists:
        before, now = earlier["rows"].get(str(r["number"])), r["rows"]
        if before != now:
            rows.append({"list": f"{r['number']}: {r['title']}", "before": before, "now": now})
    now_groups: dict[tuple[str, str, str], int] = {}
    if issues.height:
        for number, rule, column, n in (
            issues.group_by("list_number", "rule", "column_name")
            .len()
            .iter_rows()  # one row per group (a few dozen)
        ):
            now_groups[(number or "", rule or "", column or "")] = n
    findings = []
    for key in sorted(set(earlier["groups"]) | set(now_groups)):
        before, now = earlier["groups"].get(key, 0), now_groups.get(key, 0)
        if before != now:
            list_number, rule, column = key
            findings.append(
                {
                    "list": list_number,
                    "rule": rule,
                    "column": column,
                    "before": before,
                    "now": now,
                    "fixed": max(before - now, 0),
                    "new": max(now - before, 0),
                }
            )
    return {
        "made": earlier["made"],
        "rows": rows,
        "findings": findings,
        "fixed": sum(f["fixed"] for f in findings),
        "new": sum(f["new"] for f in findings),
    }
