"""`--messy`: a submission as local authorities really send it, with planted defects and a truth file.

What varies (all of it must still read cleanly): header spellings (aliases, CamelCase extract
names, "Sum of …", curly quotes, trailing spaces, a doubled bracket "(Y/N))", liia-tools-style
variants "Child's ID", "Date of Referral (start)", the Standard Safeguarding Dataset extract's
aliases "ContinuousAssessmentAuthDate", "StratDiscussionDate", the 2026 template's "Sex"),
patch-app sheet names ("Sec47 and ICPC", "List_9"), value spellings ("M", "1 - Male", "N1 - Abuse
or neglect", "PR4 - Private provision", the template's dropdown "a) 1A: Individual: …", both
letterings of NOBT, "#N/A", "NULL" and empty strings for blanks), ages with decimals, LA of
placement as a name, "<name> Council", old DfE code or ONS code, dates as Excel dates, bare serial
numbers, dd/mm/yyyy, dd/mm/yy and ISO text, title rows above the header, blank rows and a blank
column, an extra column, list 3 split across two files, list 6 as a cp1252 CSV and 2.02 as a
UTF-8-with-BOM CSV, and a "Notes" sheet that is no list.

Planted defects: each changes one cell (or adds one row) so its expected finding is the only
problem on that row. <out_dir>/.truth.json records each one where the reader and validation will
report it: list_name (the list the finding names), source_file, source_sheet, source_row (Excel
row; CSV line), column_name (template header), rule and severity (from findings.RULES).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from flows import las
from flows.annex_a import places
from flows.annex_a.codes import CodeSet
from flows.annex_a.specs import BY_TABLE, ListSpec
from flows.context import add_months
from flows.findings import RULES
from flows.synth.write import EXCEL_EPOCH, Serial, Sheet, template_value, write_csv, write_xlsx
from flows.validation import rules as catalogue

BOOK_A = "Annex A child level data.xlsx"
REFERRALS_2 = "Referrals part 2.xlsx"
CIN_CSV = "List 6 CIN extract.csv"
BOOK_B = "CP CLA and care leavers.xlsx"
ADOPTION = "Adoption lists 10 and 11.xlsx"
MISSING_CSV = "2.02 missing children.csv"
# (file, sheet or None for CSV, lists in it); list 3 is split between BOOK_A and REFERRALS_2
LAYOUT: list[tuple[str, list[tuple[str, str]]]] = [
    (
        BOOK_A,
        [
            ("Contacts", "list_01_contacts"),
            ("Early Help", "list_02_early_help"),
            ("Referrals", "list_03_referrals"),
            ("Assessments", "list_04_assessments"),
            ("Sec47 and ICPC", "list_05_section_47"),
        ],
    ),
    (REFERRALS_2, [("Referrals", "list_03_referrals")]),
    (CIN_CSV, [("", "list_06_children_in_need")]),
    (
        BOOK_B,
        [
            ("CP", "list_07_child_protection"),
            ("CLA", "list_08_children_in_care"),
            ("List_9", "list_09_care_leavers"),
        ],
    ),
    (ADOPTION, [("Adoptions", "list_10_adoptions"), ("Adopters", "list_11_adopters")]),
    ("Audit list.xlsx", [("Audits", "audits")]),
    (MISSING_CSV, [("", "missing_exploitation")]),
    ("3.17 unregistered.xlsx", [("Unregistered", "unregistered_provision")]),
    ("3.18 DoLS.xlsx", [("DoLS", "deprivation_of_liberty")]),
    ("1.09 caseloads.xlsx", [("Caseloads", "caseloads")]),
    (
        "MI lists.xlsx",
        [
            ("2.03", "private_fostering"),
            ("2.05 CME", "missing_education"),
            ("2.06 Homeless", "homeless_16_17"),
            ("2.07 Young carers", "young_carers"),
            ("2.08", "supervision_orders"),
            ("3.10 Secure", "secure_orders"),
            ("3.14 HMO", "care_leavers_hmo"),
            ("3.20", "adoption_support"),
        ],
    ),
]
HEADER_STYLE = {  # how each list's extract names its columns
    "list_01_contacts": "camel",
    "list_02_early_help": "alias",
    "list_03_referrals": "liia",
    "list_04_assessments": "ssd",
    "list_05_section_47": "ssd",
    "list_06_children_in_need": "camel",
    "list_07_child_protection": "pivot",
    "list_08_children_in_care": "quirks",
    "list_09_care_leavers": "alias",
    "list_10_adoptions": "camel",
    "list_11_adopters": "sex",
    "audits": "alias",
    "caseloads": "pivot",
}
DATE_STYLE = {  # how each list's dates arrive
    "list_01_contacts": "dmy2",
    "list_02_early_help": "iso",
    "list_03_referrals": "excel",
    "list_04_assessments": "serial",
    "list_05_section_47": "dmy",
    "list_06_children_in_need": "dmy",
    "list_07_child_protection": "excel",
    "list_08_children_in_care": "mixed",
    "list_09_care_leavers": "dmy",
    "list_10_adoptions": "serial",
    "list_11_adopters": "iso",
}
TITLE_ROWS = {"list_01_contacts": 3, "list_08_children_in_care": 2, "audits": 1}
BLANK_COLUMN = {"list_01_contacts": 3, "list_07_child_protection": 5}
EXTRA_COLUMN = {"list_04_assessments": "Extract Date", "list_08_children_in_care": "Notes"}
DECIMAL_AGES = {"list_02_early_help"}  # ages as a spreadsheet computes them: 6.138…
# liia-tools-style header variants (possessives, notes in brackets, word order, synonyms)
LIIA_HEADERS = {
    "child_id": "Child's ID",
    "date_of_birth": "Date of birth (dd/mm/yyyy)",
    "age": "Child's age",
    "date_of_referral": "Date of Referral (start)",
    "referral_source": "Referral Source (Annex A code)",
    "referrals_last_12_months": "No. of Referrals in Last 12 Months",
}


class _NoCandidate(Exception):
    """No row fits a defect (small LAs): that defect is left out of this submission."""


@dataclass
class Defect:
    table: str  # the list whose rows hold it
    row: int  # position in that list's frame
    column: str  # canonical column
    rule: str
    list_name: str | None = None  # the list the finding names, when not `table`


# --------------------------------------------------------------------------------- headers, values
def _camel(header: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in re.findall(r"[A-Za-z0-9]+", header))


def _header(spec: ListSpec, i: int, style: str) -> str:
    c = spec.columns[i]
    h = c.header
    if style == "camel":
        return "ChildUniqueID" if c.name == "child_id" else _camel(h)
    if style == "alias" and c.aliases:
        return c.aliases[0]
    if style == "trailing":
        return h + "  "
    if style == "lower":
        return h.lower()
    if style == "liia":
        return LIIA_HEADERS.get(c.name, h)
    if (
        style == "ssd"
    ):  # an extract's column names: the spec's CamelCase alias (the SSD's), else CamelCase
        extract = [a for a in c.aliases if re.fullmatch(r"[A-Za-z0-9]+", a) and a != a.upper()]
        return extract[-1] if extract else _camel(h)
    if style == "sex":  # the 2026 template: Sex for Gender, in every list
        return "Sex" if c.name == "gender" else h
    if style == "pivot" and c.type == "int":
        return f"Sum of {h}"
    if style == "quirks":
        return h.replace("'", "\u2018", 1).replace("'", "\u2019", 1).replace("(Y/N)", "(Y/N))")
    return h


def _spellings(cs: CodeSet, code: str) -> list[str]:
    """Ways LAs write a code, each checked to normalise back to it."""
    i = cs.values.index(code)
    c = cs.codes[i]
    letter = chr(97 + i)
    out = [
        template_value(cs, code),
        code,
        c.label,
        f"{code} - {c.label}",
        f"{letter}) {code}: {c.label}",
        *c.variants,
        f"{code} - {c.label}".upper(),
        f"{letter}) {code} - {c.label}",  # the template's dropdown, as some LAs' copies spell it
        f"{code}: {c.label.split(':')[0]}",  # "C2: Full care order", "3A: Health services"
    ]
    if code == "NOBT":
        out += ["s) NOBT", "t) NOBT"]
    seen: list[str] = []
    for s in out:
        if s not in seen and cs.normalise(s) == code:
            seen.append(s)
    return seen


def _code_values(rng, cs: CodeSet, values: list[str | None]) -> list[str | None]:
    table = {code: _spellings(cs, code) for code in cs.values}
    primary = rng.integers(0, 4)  # this extract's usual spelling; a few rows differ
    out: list[str | None] = []
    r = rng.random(len(values))
    pick = rng.integers(0, 64, len(values))
    for v, x, p in zip(values, r, pick, strict=True):
        if v is None:
            out.append(None)
            continue
        options = table[v]
        out.append(
            options[min(primary, len(options) - 1)] if x > 0.1 else options[p % len(options)]
        )
    return out


def _place_values(values: list[str | None]) -> list[str | None]:
    """An LA of placement as LAs write it: the name, "<name> Council", old DfE code or ONS code."""
    out: list[str | None] = []
    for k, v in enumerate(values):
        if v is None or v in places.OUTSIDE_ENGLAND:
            out.append(v)
            continue
        la = las.all_las()[v]
        out.append((la.name, f"{la.name} Council", la.old_code, la.ons_code)[k % 4])
    return out


def _blanks(rng, values: list, kind: str) -> tuple[str, list]:
    """Blank cells as LAs send them: nothing, '#N/A' or an empty string."""
    if kind != "str":
        kind = "mixed"
    token = ["#N/A", "", None, "NULL"][rng.integers(0, 4)]
    return kind, [token if v is None else v for v in values]


def _date_values(rng, s: pl.Series, style: str) -> tuple[str, list]:
    serial = (s.cast(pl.Int64) + (dt.date(1970, 1, 1) - EXCEL_EPOCH).days).to_list()
    if style == "mixed":
        style = ["excel", "dmy", "iso", "serial"][rng.integers(0, 4)]
    if style == "excel":
        return "mixed", [None if v is None else Serial(v) for v in serial]
    if style == "serial":
        return "num", serial
    fmt = {"dmy": "%d/%m/%Y", "dmy2": "%d/%m/%y", "iso": "%Y-%m-%d"}[style]
    return "str", s.dt.strftime(fmt).to_list()


def _columns(rng, spec: ListSpec, f: pl.DataFrame) -> list[tuple[str, list]]:
    cols = []
    style = DATE_STYLE.get(spec.table, "excel")
    for c in spec.columns:
        s = f[c.name]
        if c.name == "age" and spec.table in DECIMAL_AGES:
            kind, vals = (
                "str",
                [None if v is None else f"{v}.{138261 + 7 * k}" for k, v in enumerate(s)],
            )
        elif c.type == "date":
            kind, vals = _date_values(
                rng, s, "dmy" if c.name == "date_of_birth" and style == "dmy2" else style
            )
        elif c.type == "int":
            kind, vals = (
                ("str", [None if v is None else str(v) for v in s.to_list()])
                if rng.random() < 0.3
                else ("num", s.to_list())
            )
        elif c.type == "code":
            kind, vals = "str", _code_values(rng, c.codes, s.to_list())
        elif c.place:
            kind, vals = "str", _place_values(s.to_list())
        else:
            kind, vals = "str", s.to_list()
        if not c.required and rng.random() < 0.5:
            kind, vals = _blanks(rng, vals, kind)
        cols.append((kind, vals))
    return cols


# --------------------------------------------------------------------------------- defects
def _plant(
    rng, frames: dict[str, pl.DataFrame], nd: dt.date
) -> tuple[dict[str, pl.DataFrame], list[Defect], dict]:
    """Change the frames so each defect is the only problem on its row; cell texts come later."""
    f = {k: v.clone() for k, v in frames.items()}
    used: set[str] = set()
    defects: list[Defect] = []
    cells: dict[tuple[str, int, str], str] = {}  # texts that cannot live in a typed frame
    ps = add_months(nd, -6)

    def pick(table: str, cond: pl.Expr | None = None) -> int:
        df = f[table].with_row_index("_i")
        if cond is not None:
            df = df.filter(cond)
        if "child_id" in df.columns:
            df = df.filter(~pl.col("child_id").is_in(list(used)))
        if df.height == 0:
            raise _NoCandidate(table)
        i = int(df["_i"][int(rng.integers(0, df.height))])
        if "child_id" in f[table].columns and f[table]["child_id"][i] is not None:
            used.add(f[table]["child_id"][i])
        return i

    def set_cell(table: str, i: int, col: str, value) -> None:
        s = f[table][col].scatter([i], [value])
        f[table] = f[table].with_columns(s)

    def new_id() -> str:
        return "99" + "".join(str(d) for d in rng.integers(0, 10, 8))

    # Each defect is planted only where a row fits it (a small LA may have none: that one is skipped).
    # In list 6, used for cross-list work: only children seen on lists 1, 3, 4 and 6 (a clear majority)
    fwd = f["list_04_assessments"].join(f["list_05_section_47"], on="child_id", how="anti")[
        "child_id"
    ]
    with suppress(_NoCandidate):
        i = pick("list_01_contacts", pl.col("age") >= 2)
        set_cell("list_01_contacts", i, "child_id", None)
        defects.append(Defect("list_01_contacts", i, "child_id", "required_blank"))
    with suppress(_NoCandidate):
        i = pick("list_01_contacts", (pl.col("age") >= 2) & pl.col("child_id").is_not_null())
        set_cell("list_01_contacts", i, "date_of_contact", ps - dt.timedelta(days=40))
        defects.append(Defect("list_01_contacts", i, "date_of_contact", "date_out_of_period"))
    with suppress(_NoCandidate):
        i = pick("list_03_referrals", pl.col("age") <= 12)
        set_cell("list_03_referrals", i, "age", f["list_03_referrals"]["age"][i] + 4)
        defects.append(Defect("list_03_referrals", i, "age", "age_mismatch"))
    with suppress(_NoCandidate):
        i = pick("list_03_referrals")
        cells[("list_03_referrals", i, "date_of_referral")] = "TBC"
        defects.append(Defect("list_03_referrals", i, "date_of_referral", "date_unparseable"))
    with suppress(_NoCandidate):
        i = pick("list_04_assessments", pl.col("assessment_authorised_date").is_not_null())
        set_cell("list_04_assessments", i, "assessment_authorised_date", nd + dt.timedelta(days=20))
        defects.append(
            Defect("list_04_assessments", i, "assessment_authorised_date", "date_in_future")
        )
    with suppress(_NoCandidate):
        i = pick("list_04_assessments", pl.col("child_id").is_in(fwd.implode()))
        g = f["list_04_assessments"]["gender"][i]
        set_cell("list_04_assessments", i, "gender", "Female" if g == "Male" else "Male")
        defects.append(Defect("list_04_assessments", i, "gender", "cross_list_mismatch"))
    with suppress(_NoCandidate):
        i = pick("list_05_section_47", pl.col("icpc_resulted_in_plan") == "No")
        set_cell("list_05_section_47", i, "icpc_resulted_in_plan", "Yes")
        defects.append(
            Defect(
                "list_05_section_47",
                i,
                "icpc_resulted_in_plan",
                "icpc_plan_missing",
                "list_07_child_protection",
            )
        )
    with suppress(_NoCandidate):
        i = pick("list_06_children_in_need", pl.col("case_status") == "Child Protection plan")
        set_cell("list_06_children_in_need", i, "case_status", "Child in need plan")
        defects.append(Defect("list_06_children_in_need", i, "case_status", "cp_not_in_cin"))
    with suppress(_NoCandidate):
        i = pick(
            "list_07_child_protection",
            pl.col("cp_plan_end_date").is_not_null()
            & (pl.col("cp_plan_start_date") >= ps + dt.timedelta(days=20)),
        )
        set_cell(
            "list_07_child_protection",
            i,
            "cp_plan_end_date",
            f["list_07_child_protection"]["cp_plan_start_date"][i] - dt.timedelta(days=5),
        )
        defects.append(
            Defect("list_07_child_protection", i, "cp_plan_end_date", "cp_plan_end_order")
        )
    with suppress(_NoCandidate):
        i = pick("list_07_child_protection", pl.col("date_last_visit").is_not_null())
        cells[("list_07_child_protection", i, "date_last_visit")] = "30/02/2026"
        defects.append(Defect("list_07_child_protection", i, "date_last_visit", "date_unparseable"))
    with suppress(_NoCandidate):
        i = pick("list_08_children_in_care", pl.col("absent_episodes") == 0)
        set_cell("list_08_children_in_care", i, "absent_episodes", -1)
        defects.append(Defect("list_08_children_in_care", i, "absent_episodes", "count_negative"))
    with suppress(_NoCandidate):
        i = pick("list_08_children_in_care")
        cells[("list_08_children_in_care", i, "placement_type")] = "Foster care (in-house)"
        defects.append(Defect("list_08_children_in_care", i, "placement_type", "code_unmapped"))
    with suppress(_NoCandidate):
        # a code SSDA903 has retired: read, and reported once for its value
        i = pick("list_08_children_in_care", pl.col("placement_type") == "K3")
        cells[("list_08_children_in_care", i, "placement_type")] = "H5"
        defects.append(Defect("list_08_children_in_care", i, "placement_type", "retired_code"))
    with suppress(_NoCandidate):
        i = pick("list_08_children_in_care", pl.col("placements_last_12_months").is_not_null())
        cells[("list_08_children_in_care", i, "placements_last_12_months")] = "two"
        defects.append(
            Defect("list_08_children_in_care", i, "placements_last_12_months", "int_unparseable")
        )
    with suppress(_NoCandidate):
        hmo = f["care_leavers_hmo"]["child_id"]
    with suppress(_NoCandidate):
        i = pick("list_09_care_leavers", ~pl.col("child_id").is_in(hmo.implode()))
        set_cell("list_09_care_leavers", i, "date_of_birth", dt.date(nd.year - 27, 1, 15))
        set_cell("list_09_care_leavers", i, "age", 27 if (nd.month, nd.day) >= (1, 15) else 26)
        defects.append(Defect("list_09_care_leavers", i, "date_of_birth", "age_out_of_range"))
        # a child twice in list 10: both rows are reported
    with suppress(_NoCandidate):
        i = pick("list_10_adoptions")
        f["list_10_adoptions"] = pl.concat([f["list_10_adoptions"], f["list_10_adoptions"][i]])
        n10 = f["list_10_adoptions"].height
        defects += [
            Defect("list_10_adoptions", i, "child_id", "duplicate_child"),
            Defect("list_10_adoptions", n10 - 1, "child_id", "duplicate_child"),
        ]
    with suppress(_NoCandidate):
        i = pick("deprivation_of_liberty")
        set_cell("deprivation_of_liberty", i, "child_id", new_id())
        defects.append(Defect("deprivation_of_liberty", i, "child_id", "not_in_children_in_care"))
    with suppress(_NoCandidate):
        i = pick("audits")
        set_cell("audits", i, "child_id", new_id())
        defects.append(Defect("audits", i, "child_id", "audit_child_unknown"))
    defects += _plant_rule_families(f, pick, set_cell, nd, ps)
    return f, defects, cells


def _plant_rule_families(f, pick, set_cell, nd: dt.date, ps: dt.date) -> list[Defect]:
    """One defect from each family of the rule catalogue's deeper rules (flows/validation/rules.py):
    the journey across lists, fields filled together, list 8 plausibility, the adoption sequence,
    duplicates, blanks DfE requires, formats and a timeliness query. Kept apart from _plant so the
    header and code variants there can change without touching these."""
    defects: list[Defect] = []
    # journey: an assessment the day before the child's first referral in list 3
    with suppress(_NoCandidate):
        first = f["list_03_referrals"].group_by("child_id").agg(pl.col("date_of_referral").min())
        firsts = dict(
            zip(first["child_id"].to_list(), first["date_of_referral"].to_list(), strict=True)
        )
        late = [
            c
            for c, d in firsts.items()
            if c is not None and d is not None and d >= ps + dt.timedelta(days=3)
        ]
        i = pick("list_04_assessments", pl.col("child_id").is_in(late))
        child = f["list_04_assessments"]["child_id"][i]
        set_cell(
            "list_04_assessments", i, "assessment_start_date", firsts[child] - dt.timedelta(days=1)
        )
        set_cell(
            "list_04_assessments",
            i,
            "assessment_authorised_date",
            firsts[child] + dt.timedelta(days=20),
        )
        defects.append(
            Defect("list_04_assessments", i, "assessment_start_date", "assessment_before_referral")
        )
    # fields filled together: a date ceased with no reason
    with suppress(_NoCandidate):
        i = pick("list_08_children_in_care", pl.col("date_ceased_looked_after").is_not_null())
        set_cell("list_08_children_in_care", i, "reason_ceased", None)
        defects.append(Defect("list_08_children_in_care", i, "reason_ceased", "ceased_incomplete"))
    # list 8 plausibility: a criminal justice legal status for a child under 10
    with suppress(_NoCandidate):
        i = pick("list_08_children_in_care", (pl.col("age") <= 8) & (pl.col("age") >= 1))
        set_cell("list_08_children_in_care", i, "legal_status", "J1")
        defects.append(
            Defect("list_08_children_in_care", i, "legal_status", "legal_status_too_young")
        )
    # list 8 provider against placement type: a placement with parents run privately (903 530)
    with suppress(_NoCandidate):
        i = pick("list_08_children_in_care", pl.col("placement_type") == "P1")
        set_cell("list_08_children_in_care", i, "placement_provider", "PR4")
        defects.append(
            Defect(
                "list_08_children_in_care", i, "placement_provider", "placement_provider_mismatch"
            )
        )
    # adoption sequence in list 8: adopted from a foster placement (903 390)
    with suppress(_NoCandidate):
        i = pick("list_08_children_in_care", pl.col("reason_ceased").is_in(["E11", "E12"]))
        set_cell("list_08_children_in_care", i, "placement_type", "U4")
        defects.append(
            Defect(
                "list_08_children_in_care", i, "placement_type", "adopted_not_placed_for_adoption"
            )
        )
    # list 8 format: a placement postcode that is not one
    with suppress(_NoCandidate):
        i = pick("list_08_children_in_care", pl.col("placement_postcode").is_not_null())
        set_cell("list_08_children_in_care", i, "placement_postcode", "Kent")
        defects.append(
            Defect("list_08_children_in_care", i, "placement_postcode", "postcode_format")
        )
    # adoption sequence: placed for adoption with no decision that the child should be
    with suppress(_NoCandidate):
        i = pick("list_10_adoptions", pl.col("date_placed_for_adoption").is_not_null())
        set_cell("list_10_adoptions", i, "date_should_be_placed", None)
        defects.append(
            Defect("list_10_adoptions", i, "date_should_be_placed", "placed_without_decision")
        )
    # list 11 stage order: stage 1 ended before it started
    with suppress(_NoCandidate):
        i = pick("list_11_adopters", pl.col("date_stage1_ended").is_not_null())
        started = f["list_11_adopters"]["date_stage1_started"][i]
        set_cell("list_11_adopters", i, "date_stage1_ended", started - dt.timedelta(days=3))
        defects.append(Defect("list_11_adopters", i, "date_stage1_ended", "date_order"))
    # duplicates: a referral sent twice (the second row is reported)
    with suppress(_NoCandidate):
        i = pick("list_03_referrals", pl.col("date_of_referral") >= ps)
        f["list_03_referrals"] = pl.concat([f["list_03_referrals"], f["list_03_referrals"][i]])
        n3 = f["list_03_referrals"].height
        defects.append(Defect("list_03_referrals", n3 - 1, "date_of_referral", "duplicate_event"))
    # blanks DfE requires: a child in need with no primary need
    with suppress(_NoCandidate):
        i = pick("list_06_children_in_need", pl.col("primary_need_code").is_not_null())
        set_cell("list_06_children_in_need", i, "primary_need_code", None)
        defects.append(
            Defect("list_06_children_in_need", i, "primary_need_code", "primary_need_missing")
        )
    # timeliness (info): an S47 weeks old with no ICPC date, the ICPC not deemed unnecessary
    with suppress(_NoCandidate):
        i = pick(
            "list_05_section_47",
            (pl.col("icpc_resulted_in_plan") == "No")
            & (pl.col("icpc_unnecessary") == "No")
            & pl.col("icpc_date").is_not_null()
            & (pl.col("strategy_discussion_date") < nd - dt.timedelta(days=30)),
        )
        set_cell("list_05_section_47", i, "icpc_date", None)
        defects.append(Defect("list_05_section_47", i, "icpc_date", "s47_without_icpc"))
    return defects


# --------------------------------------------------------------------------------- layout
def _sheet(rng, name: str, spec: ListSpec, f: pl.DataFrame, cells: dict, rows: range) -> Sheet:
    cols = _columns(rng, spec, f)
    for (table, i, col), text in cells.items():
        if table == spec.table:
            k = [c.name for c in spec.columns].index(col)
            kind, vals = cols[k]
            vals = list(vals)
            vals[i] = text
            cols[k] = ("mixed" if kind != "str" else "str", vals)
    style = HEADER_STYLE.get(spec.table, "template")
    positions = list(range(len(spec.columns)))
    if spec.table in BLANK_COLUMN:
        b = BLANK_COLUMN[spec.table]
        positions = [p + (p >= b) for p in positions]
    title = TITLE_ROWS.get(spec.table, 0)
    titles = [(0, f"{spec.title} - extract for Ofsted")] if title else []
    if title > 1:
        titles.append((1, "Produced from the case management system; do not amend"))
    header_row = title
    gap = 997 if spec.table in ("list_01_contacts", "list_06_children_in_need") else 0
    n = len(rows)
    row_pos = [header_row + 1 + k + (k // gap if gap else 0) for k in range(n)]
    headers = [(p, _header(spec, i, style)) for i, p in enumerate(positions)]
    columns = [
        (p, kind, [vals[j] for j in rows]) for p, (kind, vals) in zip(positions, cols, strict=True)
    ]
    if spec.table in EXTRA_COLUMN:
        extra = max(positions) + 1
        headers.append((extra, EXTRA_COLUMN[spec.table]))
        columns.append((extra, "str", ["" if k % 7 else "checked" for k in range(n)]))
    return Sheet(name, headers, columns, row_pos, header_row, titles)


def write_messy(
    frames: dict[str, pl.DataFrame], out_dir: Path, nd: dt.date, *, seed: int
) -> tuple[dict, int]:
    rng = np.random.default_rng([seed, 17])
    f, defects, cells = _plant(rng, frames, nd)
    where: dict[
        tuple[str, int], tuple[str, str, int]
    ] = {}  # (table, frame row) -> file, sheet, Excel row
    files: dict[str, list[str]] = {}
    half = f["list_03_referrals"].height // 2
    for fname, sheets in LAYOUT:
        built = []
        for sheet_name, table in sheets:
            spec, frame = BY_TABLE[table], f[table]
            rows = range(frame.height)
            if table == "list_03_referrals":
                rows = range(0, half) if fname == BOOK_A else range(half, frame.height)
            sh = _sheet(rng, sheet_name or fname, spec, frame, cells, rows)
            for k, i in enumerate(rows):
                where[(table, i)] = (fname, sh.name, sh.row_positions[k] + 1)
            built.append(sh)
        path = out_dir / fname
        if fname.endswith(".csv"):
            write_csv(path, built[0], "cp1252" if fname == CIN_CSV else "utf-8-sig")
        else:
            if fname == BOOK_A:
                built.insert(
                    0,
                    Sheet(
                        "Notes",
                        [(0, "Notes for the inspection team")],
                        [
                            (
                                0,
                                "str",
                                [
                                    "Lists 1 to 5 are on the following sheets.",
                                    "Referrals continue in a second file.",
                                ],
                            )
                        ],
                        [2, 3],
                    ),
                )
            write_xlsx(path, built)
        files[fname] = [t for _, t in sheets]
    truth = [
        {
            "list_name": None,
            "source_file": BOOK_A,
            "source_sheet": "Notes",
            "source_row": None,
            "column_name": None,
            "rule": "sheet_unrecognised",
            "severity": RULES["sheet_unrecognised"][0],
        }
    ]
    for d in defects:
        fname, sheet, row = where[(d.table, d.row)]
        col = BY_TABLE[d.table].column(d.column)
        severity = RULES[d.rule][0] if d.rule in RULES else catalogue.severity(d.rule)
        if d.rule == "date_unparseable" and not col.key_date:
            severity = "warning"
        truth.append(
            {
                "list_name": d.list_name or d.table,
                "source_file": fname,
                "source_sheet": sheet,
                "source_row": row,
                "column_name": col.header,
                "rule": d.rule,
                "severity": severity,
            }
        )
    (out_dir / ".truth.json").write_text(
        json.dumps({"defects": truth}, indent=1) + "\n", encoding="utf-8"
    )
    return files, len(truth)
