"""`pia synth`: a realistic, calibrated, deterministic synthetic Annex A submission for a real LA.

No real child-level data is ever used. Volumes come from the LA's published figures
(flows/synth/calibrate.py states the assumptions for what is not published); children follow
journeys so IDs, dates of birth, gender and ethnicity agree across lists (journeys.py,
frontdoor.py, mi.py); clean output is written as the template writes it
(write.py); `messy=True` writes what LAs really send, with planted defects recorded in
<out_dir>/.truth.json (messy.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

from flows import las
from flows.annex_a.specs import BY_TABLE, SPECS
from flows.context import parse_notification_date
from flows.synth.calibrate import activity_shares, plan, published
from flows.synth.frontdoor import care_leavers, children_in_need, front_door
from flows.synth.journeys import World, adoptions, child_protection, children_in_care
from flows.synth.mi import mi_lists, worker_columns, workforce
from flows.synth.people import Registry, age_at
from flows.synth.write import Sheet, clean_sheet, to_frame, write_xlsx

DEFAULT_SEED = 20261123
CHILD_WORKBOOK = "Annex_A_child_level_lists.xlsx"
MI_WORKBOOK = "Annex A MI lists.xlsx"
OWN_FILES = {  # lists written as their own files in a clean submission
    "audits": "Audits list.xlsx",
    "missing_exploitation": "2.02 Missing and exploitation.xlsx",
    "unregistered_provision": "3.17 Unregistered provision.xlsx",
    "deprivation_of_liberty": "3.18 Deprivation of liberty.xlsx",
    "caseloads": "1.09 Caseloads.xlsx",
}
# lists whose rows carry the allocated team and worker, and the service that holds them otherwise
WORKER_SERVICE = {
    "list_03_referrals": "Front Door",
    "list_04_assessments": "Assessment",
    "list_05_section_47": "Child Protection",
    "list_06_children_in_need": "Children in Need",
    "list_07_child_protection": "Child Protection",
    "list_08_children_in_care": "Children in Care",
}


SHORT_TITLES = {
    "list_05_section_47": "S47 and ICPCs",
    "audits": "Audits",
    "missing_exploitation": "Missing and exploitation",
    "private_fostering": "Private fostering",
    "missing_education": "Missing education",
    "homeless_16_17": "Homeless 16-17",
    "young_carers": "Young carers",
    "supervision_orders": "Supervision orders",
    "secure_orders": "Secure orders",
    "care_leavers_hmo": "Care leavers in HMOs",
    "unregistered_provision": "Unregistered provision",
    "deprivation_of_liberty": "Deprivation of liberty",
    "adoption_support": "Adoption support",
    "caseloads": "Caseloads",
}


def sheet_name(table: str) -> str:
    """Sheet names as LAs use them (Excel allows 31 characters): "List 1 - Contacts", "2.02 Missing…"."""
    s = BY_TABLE[table]
    title = SHORT_TITLES.get(table, s.title)
    if s.number.isdigit():
        return f"List {s.number} - {title}"[:31]
    return (title if s.number == "audits" else f"{s.number} {title}")[:31]


def build(
    la: las.LocalAuthority,
    notification_date: dt.date,
    *,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
) -> dict[str, pl.DataFrame]:
    """Every list as a canonical frame (spec columns, canonical codes, typed), in SPECS order."""
    rng = np.random.default_rng([seed, int(la.ons_code[1:])])
    pub = published(la)
    w = World(
        Registry(rng, notification_date, la.old_code or "9"),
        rng,
        notification_date,
        plan(pub, scale),
    )
    child_protection(w)
    children_in_care(w)
    adoptions(w)
    front_door(w)
    children_in_need(w)
    care_leavers(w, activity_shares(la))
    workforce(w)
    mi_lists(w)
    _place_names(w, la)
    reg = w.reg
    ids = reg.ids()
    dob = reg["dob"]
    ages = age_at(dob, notification_date)
    out: dict[str, pl.DataFrame] = {}
    for spec in SPECS:
        idx, cols = w.lists[spec.table]
        cols = dict(cols)
        n = len(idx)
        if spec.child_level and spec.table != "list_11_adopters":
            cols.setdefault("child_id", ids[idx])
            for name, values in (
                ("gender", reg["gender"]),
                ("ethnicity", reg["ethnicity"]),
                ("date_of_birth", dob),
                ("age", ages),
                ("disability", reg["disability"]),
            ):
                if name in spec.by_name:
                    cols.setdefault(name, values[idx])
        if spec.table in WORKER_SERVICE:
            cols["allocated_team"], cols["allocated_worker"] = worker_columns(
                w, idx, WORKER_SERVICE[spec.table]
            )
        if spec.table == "list_09_care_leavers":
            team, pa = worker_columns(w, idx, "Leaving Care")
            cols["allocated_team"], cols["allocated_personal_advisor"] = team, pa
            _, sw = worker_columns(w, idx, "Children in Care")
            cols["allocated_worker"] = np.where(ages[idx] < 18, sw, None)
        out[spec.table] = to_frame(spec, cols, n)
    return out


def _place_names(w: World, la: las.LocalAuthority) -> None:
    """LA of placement (its ONS code, as annex_a.* types it; the files spell it by name): the LA
    itself when in area, another English LA when out."""
    _, cla = w.lists["list_08_children_in_care"]
    others = sorted(x.ons_code for x in las.all_las().values() if x.ons_code != la.ons_code)
    out = np.asarray(cla["la_of_placement"], dtype=bool)
    codes = np.array(others, dtype=object)[w.rng.integers(0, len(others), len(out))]
    cla["la_of_placement"] = np.where(out, codes, la.ons_code).astype(object)


def write_clean(frames: dict[str, pl.DataFrame], out_dir: Path) -> dict[str, list[str]]:
    """The clean layout: lists 1-11 in one workbook, five lists in their own files, the rest in one."""
    files: dict[str, list[str]] = {}
    child = [
        clean_sheet(sheet_name(s.table), s, frames[s.table]) for s in SPECS if s.number.isdigit()
    ]
    write_xlsx(out_dir / CHILD_WORKBOOK, child)
    files[CHILD_WORKBOOK] = [s.table for s in SPECS if s.number.isdigit()]
    for table, fname in OWN_FILES.items():
        write_xlsx(
            out_dir / fname, [clean_sheet(sheet_name(table), BY_TABLE[table], frames[table])]
        )
        files[fname] = [table]
    rest = [s for s in SPECS if not s.number.isdigit() and s.table not in OWN_FILES]
    write_xlsx(
        out_dir / MI_WORKBOOK, [clean_sheet(sheet_name(s.table), s, frames[s.table]) for s in rest]
    )
    files[MI_WORKBOOK] = [s.table for s in rest]
    return files


def generate(
    la_code: str,
    notification_date: dt.date,
    out_dir: Path,
    *,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
    messy: bool = False,
) -> dict:
    """Write a synthetic submission to out_dir; return aggregates only (files, rows per list)."""
    la = las.resolve(la_code)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    frames = build(la, notification_date, seed=seed, scale=scale)
    if messy:
        from flows.synth.messy import write_messy

        files, defects = write_messy(frames, out_dir, notification_date, seed=seed)
    else:
        files, defects = write_clean(frames, out_dir), 0
    return {
        "la_code": la.ons_code,
        "la_name": la.name,
        "notification_date": notification_date.isoformat(),
        "seed": seed,
        "scale": scale,
        "messy": messy,
        "folder": str(out_dir),
        "files": sorted(files),
        "rows": {t: f.height for t, f in frames.items()},
        "defects": defects,
    }


def cli(args: argparse.Namespace) -> int:
    nd = parse_notification_date(args.notification_date)
    result = generate(
        args.la, nd, Path(args.out), seed=args.seed, scale=args.scale, messy=args.messy
    )
    print(
        f"Synthetic Annex A for {result['la_name']} ({result['la_code']}), notification {result['notification_date']}"
    )
    for table, n in result["rows"].items():
        print(f"  {table:<28} {n:>7}")
    print(f"  {'total':<28} {sum(result['rows'].values()):>7}")
    if args.messy:
        print(f"  planted defects: {result['defects']} (see .truth.json)")
    print(f"Written to {result['folder']}")
    return 0


__all__ = ["generate", "cli", "build", "Sheet"]
