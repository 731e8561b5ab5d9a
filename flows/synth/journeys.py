"""Children's journeys: child protection, care, adoption, the front door, children in need, leaving care.

Each cohort is generated as whole numpy arrays. Order matters because later steps reuse earlier
children: CP plans that started in the period get their contact → referral → assessment → s47 →
ICPC chain worked back from the plan's start date; list 6 is built from every cohort's status on
the notification date, so CP children are there with case status CP and children in care with LAC.
All columns use canonical names and codes (specs.py / codes.py); writing formats them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from flows.context import add_months
from flows.synth.calibrate import Plan
from flows.synth.people import NAT, Registry, ages_from, choice, clip, days, uniform_dates

Cols = dict[str, np.ndarray]

CP_AGES = ((0, 4, 0.34), (5, 9, 0.3), (10, 15, 0.31), (16, 17, 0.05))
CIN_AGES = ((0, 4, 0.22), (5, 9, 0.24), (10, 15, 0.4), (16, 17, 0.14))
CLA_AGES = ((0, 0, 0.05), (1, 4, 0.13), (5, 9, 0.18), (10, 15, 0.38), (16, 17, 0.26))
SOURCES = (
    ("6", 0.29),
    ("2A", 0.2),
    ("3F", 0.06),
    ("3A", 0.03),
    ("3B", 0.02),
    ("3E", 0.02),
    ("5A", 0.05),
    ("5B", 0.03),
    ("5D", 0.03),
    ("1A", 0.05),
    ("1C", 0.01),
    ("1D", 0.01),
    ("1B", 0.01),
    ("4", 0.03),
    ("2B", 0.02),
    ("7", 0.01),
    ("8", 0.04),
    ("9", 0.01),
    ("10", 0.08),
)
NEEDS = (
    ("N1", 0.55),
    ("N2", 0.1),
    ("N3", 0.04),
    ("N4", 0.1),
    ("N5", 0.15),
    ("N6", 0.02),
    ("N7", 0.01),
    ("N8", 0.02),
    ("N0", 0.01),
)
ABUSE = (
    ("Neglect", 0.48),
    ("Emotional abuse", 0.38),
    ("Physical abuse", 0.07),
    ("Sexual abuse", 0.04),
    ("Multiple/not recommended", 0.03),
)
YNU = (("Yes", 0.8), ("No", 0.15), ("Unknown", 0.05))


@dataclass
class World:
    """Everything generated so far: the registry, the period bounds and the lists (canonical)."""

    reg: Registry
    rng: np.random.Generator
    nd: dt.date
    plan: Plan
    lists: dict[str, tuple[np.ndarray, Cols]] = field(
        default_factory=dict
    )  # table -> (registry idx, cols)

    @property
    def last(self) -> np.datetime64:  # latest event date: the day before notification
        return np.datetime64(self.nd, "D") - 1

    @property
    def p_lo(self) -> np.datetime64:  # first whole day of the six months
        return np.datetime64(add_months(self.nd, -6), "D") + 1

    @property
    def p12_lo(self) -> np.datetime64:
        return np.datetime64(add_months(self.nd, -12), "D") + 1


def busday(d: np.ndarray, offset) -> np.ndarray:
    return np.busday_offset(d, np.asarray(offset, dtype=int), roll="forward").astype(
        "datetime64[D]"
    )


def yn(rng: np.random.Generator, p_yes, n: int) -> np.ndarray:
    return np.where(rng.random(n) < p_yes, "Yes", "No").astype(object)


def blank_where(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    out = np.asarray(values, dtype=object).copy()
    out[mask] = None
    return out


def after(d: np.ndarray, floor: np.ndarray) -> np.ndarray:
    return np.where(np.isnat(d), NAT, np.maximum(d, floor)).astype("datetime64[D]")


# ------------------------------------------------------------------------------------------ CP
def child_protection(w: World) -> None:
    """List 7: plans open on the notification date (durations as published) and plans ended in the period."""
    rng, reg, p, r = w.rng, w.reg, w.plan, w.plan.rates
    n_open, n_end = p.cp_open, p.cp_ended
    idx = reg.new(ages_from(rng, CP_AGES, n_open + n_end))
    lead = reg.siblings(idx, 0.45)
    dob = reg["dob"][idx]
    # open plans: time since start by the published duration bands
    shares = np.array(
        [
            max(0.0, 1 - r["cp_3m_6m"] - r["cp_6m_1y"] - r["cp_1y_2y"] - r["cp_2y"]),
            r["cp_3m_6m"],
            r["cp_6m_1y"],
            r["cp_1y_2y"],
            r["cp_2y"],
        ]
    )
    lo, hi = np.array([5, 92, 183, 366, 731]), np.array([91, 182, 365, 730, 1300])
    band = rng.choice(5, size=n_open, p=shares / shares.sum() if shares.sum() else None)
    dur = lo[band] + np.floor(rng.random(n_open) * (hi[band] - lo[band] + 1))
    start_open = w.last - days(dur)
    end = np.concatenate([np.full(n_open, NAT), uniform_dates(rng, w.p_lo, w.last, n_end)])
    ended_dur = np.where(
        rng.random(n_end) < 0.15, rng.integers(30, 180, n_end), rng.integers(180, 700, n_end)
    )
    start = np.concatenate([start_open, end[n_open:] - days(ended_dur)])
    # siblings share the plan's dates; nobody's plan starts before they are born
    start, end = np.maximum(start[lead], dob + 1), end[lead]
    # the initial conference that makes a plan is held on a working day (CIN 8875)
    start = np.busday_offset(start, 0, roll="forward").astype("datetime64[D]")
    end = after(end, start + 1)  # a plan cannot end the day it starts (CIN 8840)
    prev = np.where(
        rng.random(len(idx)) < r["cp_subsequent"], rng.choice([1, 1, 1, 2, 3], len(idx)), 0
    )
    initial = choice(rng, ABUSE, len(idx))
    latest = np.where(rng.random(len(idx)) < 0.9, initial, choice(rng, ABUSE, len(idx)))
    upto = np.where(np.isnat(end), w.last, end)
    visit = np.maximum(
        upto
        - days(
            np.where(
                rng.random(len(idx)) < 0.06,
                rng.integers(20, 60, len(idx)),
                rng.integers(0, 14, len(idx)),
            )
        ),
        start,
    )
    reviews = np.floor((upto - start).astype(int) - 90) // 182
    review = np.where(reviews >= 0, start + days(90 + 182 * np.maximum(reviews, 0)), NAT).astype(
        "datetime64[D]"
    )
    w.lists["list_07_child_protection"] = (
        idx,
        {
            "cp_plan_start_date": start,
            "initial_category_of_abuse": initial,
            "latest_category_of_abuse": latest,
            "date_last_visit": visit,
            "seen_alone": choice(rng, YNU, len(idx)),
            "date_latest_review": review,
            "cp_plan_end_date": end,
            "emergency_protection": yn(rng, 0.03, len(idx)),
            "previous_cp_plans": prev,
        },
    )


# ------------------------------------------------------------------------------------------ CLA
def children_in_care(w: World) -> None:
    """List 8: looked after on the notification date, and those who ceased in the period."""
    rng, reg, p = w.rng, w.reg, w.plan
    n_open, n_ceased = p.cla_open, p.cla_ceased
    n = n_open + n_ceased
    ages = ages_from(rng, CLA_AGES, n)
    ages[n_open:] = np.maximum(ages[n_open:], 1)  # born before they ceased to be looked after
    uasc = (ages >= 15) & (rng.random(n) < 0.3)
    idx = reg.new(ages, uasc=uasc)
    lead = reg.siblings(idx, 0.3)
    dob, age = reg["dob"][idx], ages
    ceased = np.concatenate([np.full(n_open, NAT), uniform_dates(rng, w.p_lo, w.last, n_ceased)])
    is_ceased = ~np.isnat(ceased)
    # who started in the period (published starters, halved) and who started earlier
    new = rng.random(n) < min(0.95, p.cla_started / max(n, 1))
    upto = np.where(is_ceased, ceased, w.last)
    long_ago = upto - days(60 + rng.exponential(800, n))
    recent = uniform_dates(rng, w.p_lo, upto, n)
    start = np.where(new, recent, long_ago)
    start = np.maximum(start[lead], dob + 1)
    start = np.minimum(start, upto)
    ceased = after(ceased, start)
    # a period of care that ended lasted at least a day (903 355)
    start = np.where(is_ceased & (start >= ceased), ceased - np.timedelta64(1, "D"), start)
    upto = np.where(is_ceased, ceased, w.last)
    # the last placement and legal status of an ended period started before it ended (903 355)
    before_end = np.where(is_ceased, upto - np.timedelta64(1, "D"), upto).astype("datetime64[D]")

    legal = choice(
        rng,
        (
            ("C2", 0.55),
            ("C1", 0.12),
            ("V2", 0.2),
            ("E1", 0.07),
            ("J1", 0.01),
            ("L2", 0.01),
            ("V3", 0.02),
        ),
        n,
    )
    legal[uasc] = "V2"  # no freeing orders (D1): the 2002 Act ended them
    # a criminal justice legal status needs a child of 10 or over (903 358; 3653 days >= 10 years)
    legal[(legal == "J1") & (start < dob + 3653)] = "V2"
    legal_start = np.where(
        legal == "C2", np.minimum(start + days(rng.integers(30, 300, n)), before_end), start
    )
    need = choice(rng, NEEDS[:-2], n)
    need[uasc] = "N8"
    kin = rng.random(n) < 0.15
    older = age >= 16
    ptype = np.where(
        kin,
        choice(rng, (("U3", 0.7), ("U1", 0.3)), n),
        np.where(
            older,
            choice(rng, (("K3", 0.5), ("U4", 0.2), ("U6", 0.15), ("K2", 0.15)), n),
            choice(
                rng,
                (
                    ("U4", 0.38),
                    ("U6", 0.3),
                    ("K2", 0.12),
                    ("P1", 0.06),
                    ("R3", 0.02),
                    ("S1", 0.02),
                    ("Z11", 0.02),
                    ("K1", 0.01),
                ),
                n,
            ),
        ),
    )
    ptype[legal == "E1"] = np.where(rng.random(int((legal == "E1").sum())) < 0.5, "A6", "U6")
    # a child placed with parents is not accommodated under section 20, and a short break is not
    # long-term foster care (903 378, 384)
    with_parents = (ptype == "P1") & np.isin(legal, ["V2", "V3"])
    ptype[with_parents & uasc] = "U6"
    legal[with_parents & ~uasc] = "C2"
    ptype[(legal == "V3") & (ptype == "U4")] = "U6"
    ptype[(legal == "V3") & (ptype == "U1")] = "U3"
    # an emergency protection order lasts at most 21 days and a single short break 17 (903 362,
    # 365): these statuses started in the last fortnight of the period
    brief = np.isin(legal, ["L2", "V3"])
    legal_start = np.where(
        brief, np.maximum(before_end - days(rng.integers(0, 14, n)), start), legal_start
    ).astype("datetime64[D]")
    private = rng.random(n) < 0.45
    provider = np.select(
        [
            np.isin(ptype, ["U1", "U3", "A6"]),
            ptype == "P1",
            np.isin(ptype, ["K2", "K3"]),
            np.isin(ptype, ["U4", "U6"]),
        ],
        [
            np.full(n, "PR1"),
            np.full(n, "PR0"),
            np.where(rng.random(n) < 0.8, "PR4", "PR1"),
            np.where(private, "PR4", "PR1"),
        ],
        default="PR1",
    ).astype(object)
    provider[ptype == "Z11"] = None  # other placements have no provider (903 213)
    urn = np.array([f"SC{u:06d}" for u in rng.integers(100000, 999999, n)], dtype=object)
    out_area = rng.random(n) < np.where(kin, 0.25, np.where(provider == "PR4", 0.6, 0.3))
    # placements in the last 12 months: 3+ at the published rate
    r3 = w.plan.rates["cla_3plus"]
    placements = np.where(
        rng.random(n) < r3,
        rng.choice([3, 3, 3, 4, 4, 5, 6], n),
        np.where(rng.random(n) < 0.25 / max(1 - r3, 0.01), 2, 1),
    )
    year_ago = np.datetime64(w.nd, "D") - 365
    pl_lo = np.where(placements > 1, np.maximum(start, year_ago), start)
    pl_hi = np.where(
        placements > 1, upto, np.where(start >= year_ago, start, np.minimum(upto, year_ago - 1))
    )
    pl_start = clip(uniform_dates(rng, np.datetime64("1990-01-01"), upto, n), pl_lo, pl_hi)
    pl_start = np.where(
        placements > 1, pl_lo + days(rng.random(n) * (pl_hi - pl_lo).astype(int)), pl_start
    )
    pl_start = np.maximum(np.minimum(pl_start, before_end), start).astype("datetime64[D]")
    # placements with a minimum age (903 371-374): such a placement starts on that birthday or
    # later (365.25 days a year, rounded up), else it is a foster placement
    for types, years in ((["K3", "P2", "H5"], 16), (["P3"], 14), (["R5"], 10), (["S1"], 4)):
        aged = np.isin(ptype, types)
        pl_start = np.where(
            aged, np.maximum(pl_start, dob + int(np.ceil(years * 365.25))), pl_start
        )
        too_young = aged & (pl_start > before_end)
        ptype[too_young] = "U4"
        provider[too_young] = np.where(private[too_young], "PR4", "PR1")
    pl_start = np.minimum(pl_start, before_end).astype("datetime64[D]")

    def since(max_days: int, p_missing: float = 0.0) -> np.ndarray:
        d = np.maximum(upto - days(rng.integers(0, max_days, n)), start).astype("datetime64[D]")
        return np.where(rng.random(n) < p_missing, NAT, d).astype("datetime64[D]")

    missing = np.where(rng.random(n) < w.plan.rates["cla_missing"], 1 + rng.poisson(4, n), 0)
    absent = np.where(rng.random(n) < 0.04, rng.integers(1, 4, n), 0)
    offered = np.where(
        missing > 0, choice(rng, (("Yes", 0.85), ("No", 0.1), ("Unknown", 0.05)), n), None
    )
    accepted = np.where(
        offered == "Yes",
        choice(rng, (("Yes", 0.55), ("No", 0.45)), n),
        np.where(missing > 0, "No", None),
    )
    permanence = np.select(
        [legal == "E1", older, age < 5],
        [
            np.full(n, "Adoption"),
            np.full(n, "Supported living in the community"),
            choice(
                rng,
                (
                    ("Adoption", 0.3),
                    ("Return to family", 0.3),
                    ("SGO/CAO", 0.25),
                    ("Long-term fostering", 0.15),
                ),
                n,
            ),
        ],
        default=choice(
            rng,
            (
                ("Long-term fostering", 0.45),
                ("Return to family", 0.2),
                ("SGO/CAO", 0.12),
                ("Long-term residential placement", 0.12),
                ("Other", 0.11),
            ),
            n,
        ),
    ).astype(object)
    reason = np.where(
        age >= 16,
        choice(
            rng,
            (
                ("E5", 0.3),
                ("E6", 0.1),
                ("E4A", 0.25),
                ("E13", 0.15),
                ("E8", 0.1),
                ("E15", 0.05),
                ("E9", 0.05),
            ),
            n,
        ),
        np.where(
            age < 8,
            choice(
                rng,
                (
                    ("E11", 0.3),
                    ("E12", 0.05),
                    ("E4A", 0.3),
                    ("E45", 0.12),
                    ("E47", 0.13),
                    ("E41", 0.1),
                ),
                n,
            ),
            choice(
                rng,
                (
                    ("E4A", 0.45),
                    ("E4B", 0.1),
                    ("E13", 0.15),
                    ("E41", 0.1),
                    ("E47", 0.1),
                    ("E3", 0.05),
                    ("E8", 0.05),
                ),
                n,
            ),
        ),
    )
    reason = blank_where(reason, ~is_ceased)
    # an adopted child's last placement is with the adopters, under a placement order (903 390, 408)
    adopted = np.isin(reason.astype(str), ["E11", "E12"])
    ptype[adopted] = np.where(rng.random(int(adopted.sum())) < 0.5, "A5", "A6")
    legal[adopted], provider[adopted], permanence[adopted] = "E1", "PR1", "Adoption"
    # a special guardianship order to former foster carers who are relatives or friends (E45) ends
    # a foster placement with them (903 516)
    sgo = reason.astype(str) == "E45"
    ptype[sgo], provider[sgo] = "U3", "PR1"
    # the LA's own provision is in its area, unless it is fostering, adoption or supported
    # accommodation (903 1015)
    own = (
        (provider == "PR1")
        & ~np.isin(ptype, OWN_PROVISION_ANYWHERE)
        & ~np.isin(legal, ["V3", "V4"])
    )
    out_area &= ~own
    # an Ofsted URN for the placements that have one (903 218, 222): foster, adoption, children's
    # homes, supported accommodation, family centres, residential schools
    urn[~np.isin(ptype, URN_PLACEMENTS)] = None
    w.lists["list_08_children_in_care"] = (
        idx,
        {
            "uasc": np.where(uasc, "Yes", "No").astype(object),
            "date_started_looked_after": start,
            "category_of_need": need,
            "subsequent_period": np.where(
                (start >= year_ago) & (rng.random(n) < 0.06), "Yes", "No"
            ).astype(object),
            "legal_status_start_date": legal_start,
            "legal_status": legal,
            "date_latest_review": np.where(
                upto - start > np.timedelta64(20, "D"), since(180), NAT
            ).astype("datetime64[D]"),
            "date_last_visit": since(42),
            "permanence_plan": permanence,
            "date_last_iro_contact": since(120),
            "date_last_health_assessment": since(365, 0.06),
            "date_last_dental_check": since(400, 0.1),
            "placements_last_12_months": placements,
            "date_ceased_looked_after": ceased,
            "reason_ceased": reason,
            "placement_start_date": pl_start,
            "placement_type": ptype.astype(object),
            "placement_provider": provider,
            "placement_postcode": _postcodes(rng, n),
            "placement_urn": urn,
            "placement_location": np.where(out_area, "Out", "In").astype(object),
            "la_of_placement": out_area,  # replaced by LA names in synth.py (needs the LA lookup)
            "missing_episodes": missing,
            "absent_episodes": absent,
            "return_interview_offered": offered.astype(object),
            "return_interview_accepted": accepted.astype(object),
        },
    )


def _postcodes(rng: np.random.Generator, n: int) -> np.ndarray:
    area = np.array(
        ["ME", "CT", "TN", "DA", "BR", "SE", "RH", "GU", "CH", "LS", "M", "B", "NE", "BS"]
    )
    a, d, s = rng.integers(0, len(area), n), rng.integers(1, 20, n), rng.integers(1, 9, n)
    letters = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))
    l1, l2 = letters[rng.integers(0, 20, n)], letters[rng.integers(0, 20, n)]
    return np.array(
        [f"{x}{y} {z}{p}{q}" for x, y, z, p, q in zip(area[a], d, s, l1, l2, strict=True)],
        dtype=object,
    )


# placements the LA's own provision (PR1) may have outside its area (903 1015)
OWN_PROVISION_ANYWHERE = ["A3", "A4", "A5", "A6", "U1", "U2", "U3", "U4", "U5", "U6", "K3"]

URN_PLACEMENTS = [
    "U1",
    "U2",
    "U3",
    "U4",
    "U5",
    "U6",
    "A3",
    "A4",
    "A5",
    "A6",
    "K1",
    "K2",
    "K3",
    "R3",
    "S1",
]


# ------------------------------------------------------------------------------------------ adoption
def adoptions(w: World) -> None:
    """List 10: children with a decision to place for adoption in the 12 months; list 11: adopters."""
    rng, reg = w.rng, w.reg
    cla_idx, cla = w.lists["list_08_children_in_care"]
    adopted = np.flatnonzero(np.isin(cla["reason_ceased"].astype(str), ["E11", "E12"]))
    in_process = np.flatnonzero(
        np.isnat(cla["date_ceased_looked_after"])
        & (cla["permanence_plan"] == "Adoption")
        & (reg["dob"][cla_idx] > np.datetime64(w.nd, "D") - days(7 * 365.25))
    )
    n_target = w.plan.adoptions
    in_process = in_process[: max(0, n_target - len(adopted))]
    n_old = max(0, n_target - len(adopted) - len(in_process)) // 3  # adopted 6-12 months ago
    old_idx = reg.new(ages_from(rng, ((2, 5, 1.0),), n_old))

    # adopted in the period: work back from the adoption order (= date ceased)
    order = cla["date_ceased_looked_after"][adopted]
    placed = order - days(rng.integers(70, 150, len(adopted)))
    matched = placed - days(rng.integers(7, 21, len(adopted)))
    po = matched - days(rng.integers(14, 60, len(adopted)))
    shobpa = np.maximum(po - days(rng.integers(10, 40, len(adopted))), w.p12_lo)
    po = np.maximum(po, shobpa)  # the 12-month window can squeeze a long process: keep the order
    matched = np.maximum(matched, po)
    placed = np.maximum(placed, matched)
    entered = np.minimum(cla["date_started_looked_after"][adopted], shobpa)
    # in the process now: decision in the 12 months, later stages as far as time allows
    ent2 = cla["date_started_looked_after"][in_process]
    shob2 = uniform_dates(rng, np.maximum(w.p12_lo, ent2), w.last, len(in_process))
    # adopted 6-12 months ago (not in list 8 any more)
    shob3 = uniform_dates(rng, w.p12_lo, w.p_lo - 150, n_old)
    ent3 = np.maximum(shob3 - days(rng.integers(60, 400, n_old)), reg["dob"][old_idx] + 1)

    def forward(s: np.ndarray) -> tuple[np.ndarray, ...]:
        k = len(s)
        po_ = s + days(rng.integers(20, 120, k))
        ma_ = po_ + days(rng.integers(30, 150, k))
        pl_ = ma_ + days(rng.integers(7, 30, k))
        or_ = pl_ + days(rng.integers(70, 200, k))
        return tuple(
            np.where(x <= w.last, x, NAT).astype("datetime64[D]") for x in (po_, ma_, pl_, or_)
        )

    po2, ma2, pl2, _ = forward(shob2)
    po3, ma3, pl3, or3 = forward(shob3)
    idx = np.concatenate([cla_idx[adopted], cla_idx[in_process], old_idx])
    k = len(idx)
    ent = np.concatenate([entered, ent2, ent3])
    shob = np.concatenate([shobpa, shob2, shob3])
    stages = [
        np.concatenate(x)
        for x in (
            (po, po2, po3),
            (matched, ma2, ma3),
            (placed, pl2, pl3),
            (order, np.full(len(in_process), NAT), or3),
        )
    ]
    # a few decisions reversed before matching
    reversed_ = np.isnat(stages[1]) & (rng.random(k) < 0.15)
    no_longer = np.where(
        reversed_, np.minimum(shob + days(rng.integers(30, 200, k)), w.last), NAT
    ).astype("datetime64[D]")
    ffa = np.where(
        rng.random(k) < 0.06, np.maximum(ent, shob - days(rng.integers(0, 60, k))), NAT
    ).astype("datetime64[D]")
    family = np.array([f"AF{f:05d}" for f in reg["family"][idx] % 100000], dtype=object)
    family[np.isnat(stages[1])] = None  # a family identifier once matched
    w.lists["list_10_adoptions"] = (
        idx,
        {
            "family_id": family,
            "date_entered_care": ent,
            "date_should_be_placed": shob,
            "date_placement_order": stages[0],
            "date_matched": stages[1],
            "date_placed_for_adoption": stages[2],
            "date_adoption_order": stages[3],
            "date_no_longer_placed": no_longer,
            "reason_no_longer_placed": np.where(
                reversed_,
                choice(rng, (("RD1", 0.3), ("RD2", 0.2), ("RD3", 0.3), ("RD4", 0.2)), k),
                None,
            ),
            "date_ffa_placement": ffa,
        },
    )
    _adopters(w)


def _adopters(w: World) -> None:
    rng, nf = w.rng, w.plan.adopter_families
    couple = rng.random(nf) < 0.7
    enquiry = uniform_dates(rng, w.p12_lo, w.last, nf)

    def step(prev: np.ndarray, lo: int, hi: int, p_go: float) -> np.ndarray:
        nxt = prev + days(rng.integers(lo, hi, nf))
        ok = ~np.isnat(prev) & (nxt <= w.last) & (rng.random(nf) < p_go)
        return np.where(ok, nxt, NAT).astype("datetime64[D]")

    s1 = step(enquiry, 5, 40, 0.8)
    s1e = step(s1, 40, 70, 0.95)
    s2 = step(s1e, 0, 14, 0.9)
    s2e = step(s2, 90, 130, 0.95)
    app = step(s2e, 0, 10, 1.0)
    appr = step(app, 20, 45, 0.95)
    matched = step(appr, 30, 150, 0.7)
    placed = step(matched, 7, 30, 0.95)
    order = step(placed, 70, 200, 1.0)
    left = np.isnat(appr) & (rng.random(nf) < 0.25)
    last_stage = np.max(
        np.stack([np.where(np.isnat(x), enquiry, x) for x in (s1, s1e, s2, s2e)]), axis=0
    )
    left_date = np.where(
        left, np.minimum(last_stage + days(rng.integers(5, 60, nf)), w.last), NAT
    ).astype("datetime64[D]")
    fam = np.arange(nf)
    rep = np.where(couple, 2, 1)
    rows = np.repeat(fam, rep)
    m = len(rows)

    def r(x):
        return x[rows]

    w.lists["list_11_adopters"] = (
        np.full(m, -1),
        {
            "adopter_id": np.array([f"ADP{i:06d}" for i in rng.permutation(m) + 1], dtype=object),
            "family_id": np.array([f"AD{f:05d}" for f in rows], dtype=object),
            "gender": choice(rng, (("Female", 0.55), ("Male", 0.45)), m),
            "ethnicity": choice(
                rng,
                (
                    ("WBRI", 0.82),
                    ("WOTH", 0.05),
                    ("MOTH", 0.03),
                    ("AIND", 0.03),
                    ("BCRB", 0.03),
                    ("BAFR", 0.02),
                    ("OOTH", 0.02),
                ),
                m,
            ),
            "disability": choice(rng, (("No", 0.95), ("Yes", 0.03), ("Unknown", 0.02)), m),
            "fostering_for_adoption": r(yn(rng, 0.1, nf)),
            "date_enquiry": r(enquiry),
            "date_stage1_started": r(s1),
            "date_stage1_ended": r(s1e),
            "date_stage2_started": r(s2),
            "date_stage2_ended": r(s2e),
            "date_application_submitted": r(app),
            "date_application_approved": r(appr),
            "date_matched": r(matched),
            "date_placed": r(placed),
            "children_placed": r(
                np.where(np.isnat(placed), None, rng.choice([1, 1, 1, 2, 3], nf)).astype(object)
            ),
            "date_adoption_order": r(order),
            "date_left_process": r(left_date),
            "reason_left_process": r(
                np.where(left, choice(rng, (("1", 0.6), ("2", 0.3), ("3", 0.1)), nf), None)
            ),
        },
    )
