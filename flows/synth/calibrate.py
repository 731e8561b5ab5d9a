"""Calibration of the synthetic generator: an LA's published figures, turned into list volumes.

Everything here is read from the bundled published files (flows/published/), never typed in.
An LA is matched on its ONS code (`new_la_code`), with the old 3-digit code as fallback; for each
measure the latest year with a usable (unsuppressed) value is taken. When an LA is missing from a
file, or the value is suppressed, England's figure scaled by the LA's 0-17 population is used and
the fallback is noted.

Published annual flows are halved for the six months Annex A covers (para 321). Volumes that are
not published are ASSUMPTIONS, stated once here:
- contacts ≈ 2.5 × referrals (contacts are not collected nationally; LAs typically convert
  30-45% of contacts to referrals);
- early help assessments started ≈ 0.35 × referrals;
- continuous assessments ≈ 0.92 × referrals not closed as NFA;
- list 6 (children in need) ≈ CIN open at 31 March + half the CIN episodes ended in the year;
- list 7 ≈ CP plans open at 31 March + half the plans started in the year (plans ended);
- list 8 ≈ CLA at 31 March + half those ceasing in the year;
- list 9 ≈ care leavers aged 17-21 (activity totals) × 1.1 (a few aged 16 and 22-25);
- list 10 (adoptions, 12 months) ≈ 0.06 × CLA; list 11 adopter families ≈ 0.8 × list 10 children;
- the management-information lists are small fractions of the lists above (see `plan`).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from flows.config import PUBLISHED_DIR
from flows.las import LocalAuthority

CIN = PUBLISHED_DIR / "dfe_cin"
CLA = PUBLISHED_DIR / "dfe_cla"


@cache
def _rows(path: Path) -> tuple[dict[str, str], ...]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return tuple(csv.DictReader(f))


def _num(v: str | None) -> float | None:
    try:
        return float((v or "").strip())
    except ValueError:
        return None  # suppressed (c, k, x, z, low) or blank: missing, never 0


@dataclass
class Published:
    """The LA's published figures (annual flows and 31 March stocks) and where they came from."""

    la_code: str
    values: dict[str, float] = field(default_factory=dict)
    years: dict[str, str] = field(default_factory=dict)
    fallbacks: list[str] = field(default_factory=list)  # measures estimated from England's rate

    def __getitem__(self, k: str) -> float:
        return self.values[k]


def _match(rows, la: LocalAuthority, where: dict[str, str]) -> list[dict[str, str]]:
    out = [
        r
        for r in rows
        if r.get("geographic_level") == "Local authority" and r.get("new_la_code") == la.ons_code
    ]
    if not out:
        out = [
            r
            for r in rows
            if r.get("geographic_level") == "Local authority"
            and r.get("old_la_code") == la.old_code
        ]
    return [r for r in out if all(r.get(k) == v for k, v in where.items())]


def _national(rows, where: dict[str, str]) -> list[dict[str, str]]:
    return [
        r
        for r in rows
        if r.get("geographic_level") == "National" and all(r.get(k) == v for k, v in where.items())
    ]


def _latest(rows: list[dict[str, str]], col: str) -> tuple[float, str] | None:
    usable = [(r["time_period"], _num(r.get(col))) for r in rows]
    usable = [(y, v) for y, v in usable if v is not None]
    if not usable:
        return None
    y, v = max(usable)
    return v, y


@cache
def _population(la_code: str) -> tuple[float, float]:
    """(LA 0-17 population, England 0-17 population), latest year."""
    rows = _rows(
        PUBLISHED_DIR / "dfe_population" / "ons_mid-year_population_estimates_2012_to_2024.csv"
    )
    la = [r for r in rows if r.get("new_la_code") == la_code]
    nat = [r for r in rows if r.get("geographic_level") == "National"]
    la_v = _latest(la, "population_estimate")
    nat_v = _latest(nat, "population_estimate")
    return (la_v[0] if la_v else 0.0), (nat_v[0] if nat_v else 1.0)


# measure -> (file, column, filter, is_rate): a rate is used as is when falling back; a count is
# scaled by the LA's share of England's child population.
MEASURES: dict[str, tuple[Path, str, dict[str, str], bool]] = {
    "referrals": (
        CIN / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
        "referral_count",
        {},
        False,
    ),
    "rereferral_pct": (
        CIN / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
        "rereferral_percent",
        {},
        True,
    ),
    "nfa_pct": (
        CIN / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
        "no_further_action_percent",
        {},
        True,
    ),
    "not_in_need_pct": (
        CIN / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
        "not_in_need_percent",
        {},
        True,
    ),
    "cin_at31": (CIN / "b1_children_in_need_2013_to_2025.csv", "At31_episodes", {}, False),
    "cin_ended": (CIN / "b1_children_in_need_2013_to_2025.csv", "Ended_episodes", {}, False),
    "s47": (
        CIN / "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv",
        "Section47",
        {},
        False,
    ),
    "icpc": (CIN / "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv", "ICPC", {}, False),
    "cp_at31": (CIN / "d5_cpps_at31march_by_duration_2013_to_2025.csv", "CPP_At31", {}, False),
    "cp_2y_pct": (
        CIN / "d5_cpps_at31march_by_duration_2013_to_2025.csv",
        "2_years_or_more_percent",
        {},
        True,
    ),
    "cp_1y_2y_pct": (
        CIN / "d5_cpps_at31march_by_duration_2013_to_2025.csv",
        "1_year_less_than_2_years_percent",
        {},
        True,
    ),
    "cp_6m_1y_pct": (
        CIN / "d5_cpps_at31march_by_duration_2013_to_2025.csv",
        "more_than_6_months_less_than_1_year_percent",
        {},
        True,
    ),
    "cp_3m_6m_pct": (
        CIN / "d5_cpps_at31march_by_duration_2013_to_2025.csv",
        "more_than_3_months_6_months_percent",
        {},
        True,
    ),
    "cp_started": (CIN / "d3_cpps_subsequent_plan_2013_to_2025.csv", "CPP_start", {}, False),
    "cp_subsequent_pct": (
        CIN / "d3_cpps_subsequent_plan_2013_to_2025.csv",
        "CPP_subsequent_percent",
        {},
        True,
    ),
    "cla_at31": (
        CLA / "cla_number_and_rate_per_10k_children.csv",
        "children_count",
        {"population_type": "Children looked after on 31 March each year"},
        False,
    ),
    "cla_ceased": (
        CLA / "cla_number_and_rate_per_10k_children.csv",
        "children_count",
        {"population_type": "Children ceasing to be looked after each year"},
        False,
    ),
    "cla_started": (
        CLA / "cla_number_and_rate_per_10k_children.csv",
        "children_count",
        {"population_type": "Children starting to be looked after each year"},
        False,
    ),
    "care_leavers_17_18": (
        CLA / "la_care_leavers_activity.csv",
        "care_leaver_count",
        {"care_leaver_age": "17 to 18 years", "breakdown": "Total"},
        False,
    ),
    "care_leavers_19_21": (
        CLA / "la_care_leavers_activity.csv",
        "care_leaver_count",
        {"care_leaver_age": "19 to 21 years", "breakdown": "Total"},
        False,
    ),
    "cl_not_in_touch_pct": (
        CLA / "la_care_leavers_intouch.csv",
        "percentage",
        {"age": "Aged 19 to 21", "in_touch": "Local authority not in touch with care leaver"},
        True,
    ),
    "cl_unsuitable_pct": (
        CLA / "la_care_leavers_accommodation_suitability.csv",
        "care_leaver_percent",
        {"care_leaver_age": "19 to 21 years", "breakdown": "Accommodation considered unsuitable"},
        True,
    ),
    "cla_missing_pct": (
        CLA / "la_children_who_were_missing_or_away_from_placement_without_authorisation.csv",
        "number",
        {"CLA_group": "Percentage of children who had a missing incident during the year"},
        True,
    ),
    "cla_3plus_placements": (
        CLA / "la_cla_placement_stability.csv",
        "children_count",
        {
            "cla_group": "CLA on 31 March",
            "placement_stability": "With 3 or more placements during the year",
        },
        False,
    ),
}

# care leavers' activity breakdowns (19-21) -> the Annex A activity codes they become
ACTIVITY_BREAKDOWNS: dict[str, str] = {
    "Higher education i.e. studies beyond A level": "F1",
    "Education other than higher education": "F2",
    "In an apprenticeship": "F4",
    "In training or employment (excl. apprenticeship)": "F5",
    "Not in education, training or employment, owing to illness or disability": "G4",
    "Not in education, training or employment, owing to other reasons": "G5",
    "Not in education, training or employment, owing to pregnancy or parenting": "G6",
    "Total information not known": "",
}


def published(la: LocalAuthority) -> Published:
    """The LA's figures for every measure in MEASURES (latest usable year; England-based fallback)."""
    out = Published(la.ons_code)
    la_pop, nat_pop = _population(la.ons_code)
    share = la_pop / nat_pop if la_pop else 1 / 153  # unknown population: an average LA
    for name, (path, col, where, is_rate) in MEASURES.items():
        rows = _rows(path)
        got = _latest(_match(rows, la, where), col)
        if got is None:
            nat = _latest(_national(rows, where), col)
            if nat is None:
                continue
            got = (nat[0] if is_rate else nat[0] * share, nat[1])
            out.fallbacks.append(name)
        out.values[name], out.years[name] = got
    return out


def activity_shares(la: LocalAuthority) -> dict[str, float]:
    """Share of care leavers (19-21) by Annex A activity code ('' = not known), latest year."""
    rows = _rows(CLA / "la_care_leavers_activity.csv")
    for source in (
        _match(rows, la, {"care_leaver_age": "19 to 21 years"}),
        _national(rows, {"care_leaver_age": "19 to 21 years"}),
    ):
        if not source:
            continue
        year = max(r["time_period"] for r in source)
        counts = {code: 0.0 for code in ACTIVITY_BREAKDOWNS.values()}
        for r in source:
            if r["time_period"] == year and r["breakdown"] in ACTIVITY_BREAKDOWNS:
                counts[ACTIVITY_BREAKDOWNS[r["breakdown"]]] += _num(r["care_leaver_count"]) or 0.0
        total = sum(counts.values())
        if total > 0:
            return {k: v / total for k, v in counts.items()}
    return {"F2": 0.2, "F5": 0.3, "G5": 0.4, "": 0.1}


@dataclass(frozen=True)
class Plan:
    """Rows to generate per list (before cohort arithmetic), and the rates that shape them."""

    contacts: int
    early_help: int
    referrals: int
    assessments: int
    s47: int
    icpc: int
    cin: int
    cp_open: int
    cp_ended: int
    cla_open: int
    cla_ceased: int
    cla_started: int
    care_leavers: int
    adoptions: int
    adopter_families: int
    rates: dict[str, float]


def plan(p: Published, scale: float = 1.0) -> Plan:
    """Six-month (12 for adoption) volumes from published annual figures; see module docstring."""

    def n(x: float, lo: int = 1) -> int:
        return max(lo, round(x * scale))

    v = p.values
    referrals = v["referrals"] / 2
    nfa = v.get("nfa_pct", 6.5) / 100
    cl = v.get("care_leavers_17_18", 0) + v.get("care_leavers_19_21", 0)
    cla_at31 = v["cla_at31"]
    rates = {
        "rereferral": v.get("rereferral_pct", 22.0) / 100,
        "nfa": nfa,
        "not_in_need": v.get("not_in_need_pct", 30.0) / 100,
        "cp_subsequent": v.get("cp_subsequent_pct", 24.0) / 100,
        "cp_2y": v.get("cp_2y_pct", 2.5) / 100,
        "cp_1y_2y": v.get("cp_1y_2y_pct", 14.0) / 100,
        "cp_6m_1y": v.get("cp_6m_1y_pct", 26.0) / 100,
        "cp_3m_6m": v.get("cp_3m_6m_pct", 25.0) / 100,
        "cl_not_in_touch": v.get("cl_not_in_touch_pct", 6.0) / 100,
        "cl_unsuitable": v.get("cl_unsuitable_pct", 8.0) / 100,
        "cla_missing": v.get("cla_missing_pct", 10.0) / 100,
        "cla_3plus": v.get("cla_3plus_placements", 0.1 * cla_at31) / max(cla_at31, 1),
    }
    return Plan(
        contacts=n(2.5 * referrals),
        early_help=n(0.35 * referrals),
        referrals=n(referrals),
        assessments=n(0.92 * referrals * (1 - nfa)),
        s47=n(v["s47"] / 2),
        icpc=n(v["icpc"] / 2),
        cin=n(v["cin_at31"] + v["cin_ended"] / 2),
        cp_open=n(v["cp_at31"]),
        cp_ended=n(v["cp_started"] / 2),
        cla_open=n(cla_at31),
        cla_ceased=n(v["cla_ceased"] / 2),
        cla_started=n(v.get("cla_started", v["cla_ceased"]) / 2, lo=0),
        care_leavers=n(1.1 * cl if cl else 0.9 * cla_at31),
        adoptions=n(0.06 * cla_at31),
        adopter_families=n(0.8 * 0.06 * cla_at31),
        rates=rates,
    )
