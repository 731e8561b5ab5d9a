"""Render the pre-inspection analysis (PIA) pack: one self-contained, accessible, printable HTML file.

render(ctx) reads the pre-aggregated pack.* views (built by flows.pack.models in the indicators
stage) and renders templates/pack/pia.html with autoescape on (building the models first when asked to
render on its own). The generation time comes from ctx (never the clock) and every query is ordered,
so the same inputs give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import queue
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup

from flows import storage, warehouse
from flows.annex_a import codes
from flows.config import TEMPLATES_DIR
from flows.pack import case_sample, charts, enquiry
from flows.pack import coverage as pack_coverage
from flows.pack.dictionary import HEADLINES, LINES_OF_ENQUIRY, RECENT_MEASURES, SMALL_BASE
from flows.pack.models import availability, build

if TYPE_CHECKING:
    from flows.context import RunContext

log = logging.getLogger("ilacs_pia")


REDUCED_VISITS = ("focused", "monitoring")


# A line-of-enquiry list shows its most pressing rows only (the count is always the full count); the
# full list stays in the run's warehouse. Unregistered provision is never cut (para 307).
LOE_ROWS_SHOWN = 50
# An open cohort on the lists more than this factor above or below the latest published count at
# 31 March is flagged: the list may be incomplete (or the published count out of date).
FAR_APART = 1.5
# In print a list shows its first rows only, and says how many there are and where the rest are.
PRINT_ROWS = 8
# Unregistered placements are never cut on screen (para 307); in print the first 25 (ongoing first).
PRINT_UNREG_ROWS = 25


# --- formatting (used by the templates as filters) -------------------------------------------------
def fmt_date(d: dt.date | None) -> str:
    return f"{d.day} {d:%B %Y}" if d else "not recorded"


def fmt_num(v: Any, decimals: int = 0) -> str:
    if v is None:
        return "not available"
    return f"{float(v):,.{decimals}f}" if decimals else f"{round(float(v)):,}"


def fmt_cell(v: Any, kind: str) -> str:
    if kind == "date":
        return fmt_date(v) if v is not None else "not recorded"
    if kind == "int":
        return "not recorded" if v is None else fmt_num(v)
    if kind == "bool":
        return "Yes" if v else "No"
    if kind.startswith("code:") and v is not None:
        label = getattr(codes, kind[5:].upper()).labels.get(v)
        return f"{v}: {label}" if label and label != v else str(v)
    return "not recorded" if v is None or v == "" else str(v)


def _rows(con: duckdb.DuckDBPyConnection, view: str) -> list[dict]:
    """All rows of pack.<view> (views already order their rows)."""
    return _dicts(con.execute(f'select * from pack."{view}"'))  # noqa: S608 - view names come from this module only


def _dicts(cur) -> list[dict]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


# what gather shows from pack_src (the few source rows), with their order
SOURCE_ROWS = {
    "la_context": "la_code",
    "stat_neighbours": "neighbour_rank, neighbour_code",
    "history_breaks": "note",
    "column_coverage": "list_name, column_key",
    "conditional_coverage": "list_name, column_key, condition",
}


# the models that take longest to run (the largest LA's), fetched first so the two cursors finish together
SLOWEST_FIRST = ("case_sample_candidates", "cohort_makeup", "audit_coverage", "audit_summary")


def fetch(con: duckdb.DuckDBPyConnection, views: list[str]) -> dict[str, list[dict]]:
    """Every pack.<view> named, and the SOURCE_ROWS, run on two cursors at once: DuckDB releases the
    GIL while a query runs, so the second core takes half of them. Each cursor takes the next query
    as it finishes one, slowest first."""
    queries = {v: f'select * from pack."{v}"' for v in dict.fromkeys(views)}  # noqa: S608 - names from this module
    queries |= {
        f"src.{n}": f'select * from pack_src."{n}" order by {o}'  # noqa: S608 - from this module
        for n, o in SOURCE_ROWS.items()
    }
    todo: queue.SimpleQueue[str] = queue.SimpleQueue()
    for key in sorted(queries, key=lambda k: k not in SLOWEST_FIRST):
        todo.put(key)
    # made here: a cursor is not for two threads at once
    cursors = [warehouse.cursor(con), warehouse.cursor(con)]

    def run(cur) -> dict[str, list[dict]]:
        got = {}
        while True:
            try:
                key = todo.get_nowait()
            except queue.Empty:
                return got
            got[key] = _dicts(cur.execute(queries[key]))

    try:
        with ThreadPoolExecutor(1, thread_name_prefix="pia-gather") as pool:
            other = pool.submit(run, cursors[1])
            got = run(cursors[0])
            got.update(other.result())
    finally:
        for cur in cursors:
            cur.close()
    return got


def gather(con: duckdb.DuckDBPyConnection, ctx: RunContext, available: dict[str, bool]) -> dict:
    """Everything the template shows, from the pack.* views (aggregates) and the few source rows."""
    pack_coverage.bind(con, available)  # here, after validation: never while the models build
    reduced = ctx.visit_type in REDUCED_VISITS
    run = dict(
        zip(
            ("period_start", "notification_date"),
            con.execute("select period_start, notification_date from meta.run").fetchall()[0],
            strict=True,
        )
    )
    got = fetch(con, [*GATHERED_VIEWS, *(spec["view"] for spec in LINES_OF_ENQUIRY)])

    def one(view: str) -> dict:
        return got[view][0] if got[view] else {}

    d: dict[str, Any] = {
        "available": available,
        "reduced": reduced,
        "run": run,
        "print_rows": PRINT_ROWS,
        "print_unreg_rows": PRINT_UNREG_ROWS,
    }

    # 2 context
    la_rows = got["src.la_context"]
    d["la_context"] = la_rows[0] if la_rows else None
    d["neighbours"] = got["src.stat_neighbours"]
    # only what was published on or before the notification date (sql/pack/012_ilacs_dated.sql)
    d["judgements"] = got["ilacs_judgements_dated"][:1]
    d["history"] = got["ilacs_history_dated"]
    d["breaks"] = got["src.history_breaks"]
    d["pathway"] = one("ilacs_pathway")
    d["cohort_sizes"] = got["cohort_sizes"]
    d["cohort_checks"] = [
        {**c, "far": c["ratio"] is not None and not (1 / FAR_APART <= c["ratio"] <= FAR_APART)}
        for c in got["cohort_checks"]
        if available.get(c["list_name"])
    ]
    d["weekly"] = got["weekly_volumes"]
    d["makeup"] = _group(got["cohort_makeup"], "cohort", "dimension")
    d["weekly_charts"] = _weekly_charts(d["weekly"], available)

    coverage = {(r["list_name"], r["column_key"]): r for r in got["src.column_coverage"]}
    coverage |= {
        (r["list_name"], r["column_key"], r["condition"]): r
        for r in got["src.conditional_coverage"]
    }
    not_analysed: list[dict] = []

    def check(title: str, rests_on: tuple, href: str) -> bool:
        """True when a figure may rest on these columns; otherwise it is listed as not analysed."""
        missing = pack_coverage.gaps(rests_on, available, coverage)
        blank = [g["text"] for g in missing if g["column"]]
        if blank:
            not_analysed.append({"title": title, "href": href, "reasons": blank})
        return not missing

    # 4 audits and lines of enquiry
    d["audit_summary"] = one("audit_summary")
    months = _months(run["period_start"], run["notification_date"])
    d["audit_months"] = months
    d["audit_themes"] = _theme_table(got["audits_by_theme_month"], months)
    d["audit_coverage"] = got["audit_coverage"]
    d["audit_coverage_shown"] = check(
        HEADLINES["audit-coverage"]["title"], HEADLINES["audit-coverage"]["rests_on"], "#audits"
    )
    d["sample_size"] = case_sample.SAMPLE_SIZE.get(ctx.visit_type, 12)
    d["sample"] = case_sample.suggest(got["case_sample_candidates"], ctx.visit_type)
    d["loe"] = []
    for spec in LINES_OF_ENQUIRY:
        provided = all(available.get(n) for n in spec["needs"])
        blank = pack_coverage.gaps(spec["rests_on"], available, coverage) if provided else []
        if blank:
            not_analysed.append(
                {
                    "title": spec["title"],
                    "href": f"#{spec['id']}",
                    "reasons": [g["text"] for g in blank],
                }
            )
        rows = got[spec["view"]]
        col = spec.get("count_column")
        d["loe"].append(
            {
                **spec,
                "available": provided and not blank,
                "provided": provided,
                "blank": [g["text"] for g in blank],
                "count": sum(r[col] or 0 for r in rows) if col else len(rows),
                "total_rows": len(rows),
                "all_rows": rows,
                "rows": rows[:LOE_ROWS_SHOWN],
            }
        )
    d["caseloads"] = one("caseload_summary")
    on_lists: dict[str, list[dict]] = {}
    for item in d["loe"]:
        if item.get("child_level", True) and item["available"]:
            for row in item["all_rows"]:
                served = on_lists.setdefault(str(row["child_id"]), [])
                if not any(s["id"] == item["id"] for s in served):
                    served.append({"id": item["id"], "title": item["title"]})
    for row in got["unregistered_placements"]:
        served = on_lists.setdefault(str(row["child_id"]), [])
        if not any(s["id"] == "unregistered" for s in served):
            served.append({"id": "unregistered", "title": "Unregistered provision"})
    d["sample"] = case_sample.annotate(d["sample"], on_lists)
    d["sample_not_shown"] = case_sample.NOT_SHOWN

    # 3 national comparisons (after the lists: a recent figure says what a list shows it leaves out)
    latest = got["comparisons_latest"]
    loe_by_id = {item["id"]: item for item in d["loe"]}
    for r in latest:
        r["recent"] = _recent(r, loe_by_id, check)
    d["topics"] = _topics(latest, got["comparisons_trend"])

    # 5 unregistered provision
    d["unreg"] = one("unregistered_summary")
    d["unreg_shown"] = check(
        HEADLINES["unregistered"]["title"], HEADLINES["unregistered"]["rests_on"], "#unregistered"
    )
    d["unreg_placements"] = got["unregistered_placements"]
    d["unreg_types"] = got["unregistered_types"]
    d["dol_types"] = got["dol_types"]
    d["unreg_national"] = [
        r
        for r in latest
        if "unregistered" in (r["indicator_id"] + " " + (r["title"] or "")).lower()
    ]
    d["not_analysed"] = not_analysed

    # 7 data quality
    d["dq"] = one("dq_headline")
    d["dq_by_list"] = got["dq_by_list"][:8]
    d["dq_changes"] = _changes_by_list(con)
    d["enquiries"] = enquiry.build(d)
    if not reduced:
        fed = {
            i["href"].removeprefix("#ind-")
            for e in d["enquiries"]
            for i in e["items"]
            if i["href"].startswith("#ind-")
        }
        _full_charts(d["topics"], fed)
    return d


# the pack.* views gather reads (besides the lines of enquiry)
GATHERED_VIEWS = (
    "cohort_checks",
    "ilacs_judgements_dated",
    "ilacs_history_dated",
    "ilacs_pathway",
    "cohort_sizes",
    "weekly_volumes",
    "cohort_makeup",
    "comparisons_latest",
    "comparisons_trend",
    "audit_summary",
    "audits_by_theme_month",
    "audit_coverage",
    "case_sample_candidates",
    "caseload_summary",
    "unregistered_summary",
    "unregistered_placements",
    "unregistered_types",
    "dol_types",
    "dq_headline",
    "dq_by_list",
)


def _changes_by_list(con: duckdb.DuckDBPyConnection) -> dict | None:
    """What changed since the earlier run for this LA and notification date (quality.resubmission,
    recorded by validation), one line per list that changed: rows before and after, findings fewer
    and more. What the officer asks on the Wednesday the LA resubmits. None when there was no
    earlier run or nothing changed. Aggregates only: no child's row is matched across the runs."""
    from flows.annex_a.specs import SPECS
    from flows.validation import report as dq_report
    from flows.validation import resubmission

    changes = dq_report.change_rows(*resubmission.load(con))
    if not changes:
        return None
    order = {s.table: i for i, s in enumerate(SPECS)}
    by_list: dict[str, dict] = {}
    for r in changes["rows"] + changes["findings"]:
        line = by_list.setdefault(
            r["list_name"] or "",
            {"list": r["list"], "rows": None, "fewer": 0, "more": 0, "errors_fixed": 0},
        )
        if r["what"] == "rows":
            line["rows"] = r
        elif r["change"] < 0:
            line["fewer"] -= r["change"]
            if r["severity"] == "error":
                line["errors_fixed"] -= r["change"]
        else:
            line["more"] += r["change"]
    lines = [by_list[k] for k in sorted(by_list, key=lambda k: order.get(k, len(order)))]
    return {
        "earlier_at": changes["earlier_at"],
        "lists": lines,
        "fewer": sum(x["fewer"] for x in lines),
        "more": sum(x["more"] for x in lines),
        "errors_fixed": sum(x["errors_fixed"] for x in lines),
    }


def _group(rows: list[dict], *keys: str) -> list[dict]:
    """Nest ordered rows: [{key0: v, items: [{key1: v, items: [row…]}]}]."""
    if not keys:
        return rows
    out: list[dict] = []
    for r in rows:
        if not out or out[-1]["name"] != r[keys[0]]:
            out.append({"name": r[keys[0]], "items": []})
        out[-1]["items"].append(r)
    for g in out:
        g["items"] = _group(g["items"], *keys[1:])
    return out


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    months, m = [], dt.date(start.year, start.month, 1)
    while m <= end:
        months.append(m)
        m = dt.date(m.year + (m.month == 12), m.month % 12 + 1, 1)
    return months


def _theme_table(rows: list[dict], months: list[dt.date]) -> list[dict]:
    themes: dict[str, dict] = {}
    for r in rows:
        t = themes.setdefault(
            r["audit_theme"],
            {"theme": r["audit_theme"], "by_month": dict.fromkeys(months, 0), "total": 0},
        )
        t["by_month"][r["month"]] = t["by_month"].get(r["month"], 0) + r["audits"]
        t["total"] += r["audits"]
    return [{**t, "cells": [t["by_month"][m] for m in months]} for t in themes.values()]


def _weekly_charts(weekly: list[dict], available: dict[str, bool]) -> list[dict]:
    measures = (
        ("contacts", "Contacts", "list_01_contacts"),
        ("referrals", "Referrals", "list_03_referrals"),
        ("assessments", "Assessments started", "list_04_assessments"),
        ("s47s", "Section 47 enquiries started", "list_05_section_47"),
    )
    out = []
    for key, name, table in measures:
        if not available.get(table) or not weekly:
            out.append({"name": name, "svg": None, "total": None})
            continue
        bars = [(f"{w['week_start'].day} {w['week_start']:%b}", w[key]) for w in weekly]
        values = [w[key] for w in weekly]
        # highest and lowest over full weeks only: the first and last weeks are usually part-weeks
        full = [
            i for i, w in enumerate(weekly) if (w["to_date"] - w["from_date"]).days == 6
        ] or list(range(len(values)))
        hi = max(full, key=lambda i: (values[i], -i))
        lo = min(full, key=lambda i: (values[i], i))
        desc = (
            f"{name} per week, {len(values)} weeks from {fmt_date(weekly[0]['from_date'])} to "
            f"{fmt_date(weekly[-1]['to_date'])}: {sum(values):,} in total. Of the full weeks, the most was "
            f"{values[hi]:,} (week of {fmt_date(weekly[hi]['week_start'])}) and the fewest {values[lo]:,} "
            f"(week of {fmt_date(weekly[lo]['week_start'])}). The first and last weeks may be part-weeks. "
            "The values are in the table below."
        )
        out.append(
            {
                "name": name,
                "total": sum(values),
                "desc": desc,
                "svg": charts.bar_chart(f"chart-weekly-{key}", f"{name} per week", desc, bars),
            }
        )
    return out


SERIES = (
    ("la_value", "This local authority"),
    ("sn_mean", "Statistical neighbours (average)"),
    ("region_value", "Region"),
    ("england_value", "England"),
)


def _topics(latest: list[dict], trend: list[dict]) -> list[dict]:
    """The latest comparison of every indicator by topic, with its change and a sparkline."""
    by_indicator: dict[str, list[dict]] = {}
    for r in trend:
        by_indicator.setdefault(r["indicator_id"], []).append(r)
    topics: list[dict] = []
    for r in latest:
        if not topics or topics[-1]["name"] != r["topic"]:
            topics.append({"name": r["topic"], "indicators": []})
        decimals = int(r["decimals"] if r["decimals"] is not None else 1)
        points = by_indicator.get(r["indicator_id"], [])
        item = {
            **r,
            "decimals": decimals,
            "points": points,
            "comparison": _compare(r),
            "change": _change(r, decimals),
        }
        if len(points) > 1:
            la = [p["la_value"] for p in points]
            item["spark"] = charts.sparkline(
                f"This LA, {points[0]['period']} to {points[-1]['period']}: "
                + ", ".join(fmt_num(v, decimals) for v in la),
                la,
            )
        topics[-1]["indicators"].append(item)
    return topics


def _full_charts(topics: list[dict], wanted: set[str]) -> None:
    """Full-size trend charts, only for the indicators a line of enquiry rests on."""
    for t in topics:
        for item in t["indicators"]:
            points = item["points"]
            if item["indicator_id"] not in wanted or len(points) < 2:
                continue
            periods = [str(p["period"]) for p in points]
            series = [(label, [p[key] for p in points]) for key, label in SERIES]
            desc = " ".join(
                charts.describe_trend(label, periods, vs, item["decimals"]) for label, vs in series
            )
            item["desc"] = desc
            item["svg"] = charts.line_chart(
                f"chart-{_slug(item['indicator_id'])}",
                f"{item['title']}: trend",
                desc,
                periods,
                series,
                decimals=item["decimals"],
            )


def _change(r: dict, decimals: int) -> str:
    """Since the previous period, in words with the polarity: '+1.0 (worse)'."""
    la, prev = r.get("la_value"), r.get("previous_value")
    if la is None or prev is None:
        return "not available"
    diff = la - prev
    if round(diff, decimals) == 0:
        return "no change"
    text = f"{diff:+,.{decimals}f}"
    if r.get("polarity") in ("high", "low"):
        better = (diff > 0) == (r["polarity"] == "high")
        text += " (better)" if better else " (worse)"
    return text


def _recent(r: dict, loe: dict[str, dict], check) -> dict | None:
    """The LA's recent Annex A figure for an indicator, with its base, what it leaves out, and
    whether it may be shown (its columns were provided) and compared (a base of 10 or more)."""
    if r.get("recent_denominator") is None and r.get("recent_value") is None:
        return None
    measure = RECENT_MEASURES.get(r["indicator_id"], {"rests_on": ()})
    shown = check(f"{r['title']}: recent figure from Annex A", measure["rests_on"], "#comparisons")
    out = {
        "shown": shown and r.get("recent_value") is not None,
        "value": r.get("recent_value"),
        "numerator": r.get("recent_numerator"),
        "denominator": r.get("recent_denominator"),
        "small": (r.get("recent_denominator") or 0) < SMALL_BASE,
        "period_start": r.get("recent_period_start"),
        "period_end": r.get("recent_period_end"),
        "note": r.get("recent_note"),
        "left_out": None,
    }
    if "left_out" in measure:
        loe_id, flag, words = measure["left_out"]
        item = loe.get(loe_id)
        if item and item["available"]:
            n = sum(1 for row in item["all_rows"] if row.get(flag))
            out["left_out"] = f"{n:,} {words}."
    return out


def _compare(r: dict) -> str:
    """The LA against England in words, with the indicator's polarity (never colour alone)."""
    la, eng = r.get("la_value"), r.get("england_value")
    if la is None or eng is None:
        return "Not comparable: a value is not available."
    if la == eng:
        return "Same as England."
    side = "Higher" if la > eng else "Lower"
    polarity = r.get("polarity")
    if polarity == "neutral" or polarity not in ("high", "low"):
        return f"{side} than England."
    better = (la > eng) == (polarity == "high")
    return f"{side} than England ({'more' if better else 'less'} favourable)."


def _slug(s: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in s.lower())


# --- notes and manifest -----------------------------------------------------------------------------
def render_notes(path: Path | None) -> Markup | None:
    """The officer's markdown notes as HTML: raw HTML and images off (no request may leave the file);
    headings shifted under the section's h2 in order, so the outline stays valid."""
    if path is None or not Path(path).exists():
        return None
    text = Path(path).read_text(encoding="utf-8")
    md = MarkdownIt("commonmark", {"html": False}).disable("image")
    tokens = md.parse(text)
    levels = sorted({int(t.tag[1]) for t in tokens if t.type in ("heading_open", "heading_close")})
    remap = {lvl: f"h{min(3 + i, 6)}" for i, lvl in enumerate(levels)}
    for t in tokens:
        if t.type in ("heading_open", "heading_close"):
            t.tag = remap[int(t.tag[1])]
    return Markup(md.renderer.render(tokens, md.options, {}))


def read_manifest(work_dir: Path) -> dict | None:
    path = work_dir / "manifest.json"
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        "submission_id": data.get("submission_id"),
        "files": sorted(data.get("files", []), key=lambda f: f.get("file", "")),
    }


# --- rendering --------------------------------------------------------------------------------------
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(date=fmt_date, num=fmt_num, cell=fmt_cell)
    return env


@functools.cache
def _environment() -> Environment:
    """One environment per process: it keeps the compiled templates (compiling them cost ~0.15 s a
    render) and still reloads a template whose file changed."""
    return environment()


VISIT_LABELS = {
    "standard": "Standard inspection",
    "short": "Short inspection",
    "focused": "Focused visit",
    "monitoring": "Monitoring visit",
}


def render_html(ctx: RunContext, *, built: bool = False) -> str:
    """The pack's HTML; `built`: this run's indicators stage has built the pack models already."""
    con = ctx.db.connect()
    try:
        available = availability(con) if built else build(con, ctx.notification_date)
        data = gather(con, ctx, available)
    finally:
        con.close()
    css = (TEMPLATES_DIR / "vendor" / "govuk-frontend.min.css").read_text(encoding="utf-8")
    return (
        _environment()
        .get_template("pack/pia.html")
        .render(
            ctx=ctx,
            la=ctx.la,
            visit_label=VISIT_LABELS.get(ctx.visit_type, ctx.visit_type),
            d=data,
            govuk_css=Markup(css),
            notes=render_notes(ctx.notes_path),
            manifest=read_manifest(ctx.work_dir),
            generated_at=ctx.generated_at.astimezone(dt.UTC).strftime("%d %B %Y %H:%M UTC"),
        )
    )


def render(ctx: RunContext, *, built: bool = False) -> Path:
    """Render ctx.work_dir/pia.html (atomic write, owner-only) and return its path. The pack models
    are built first unless `built` says this run's indicators stage did (build_models)."""
    html = render_html(ctx, built=built)
    return storage.atomic_write_text(ctx.work_dir / "pia.html", html)
