"""Workers and caseloads (1.09), the audits list and the smaller management-information lists.

Workers are allocated per child (so a child's worker is the same on every list); a few open cases
are left unallocated; caseloads are then counted from the allocation, so 1.09 agrees with lists
6-9. The MI lists draw their children from the lists already built, keeping statuses consistent
(3.17/3.18/3.10 children are in care, 2.08 "on CP plan" matches list 7, 3.14 are care leavers).
"""

from __future__ import annotations

import numpy as np

from flows.synth.journeys import World
from flows.synth.people import FIRST, LAST, NAT, ages_from, choice, days, uniform_dates

SERVICES = {  # service -> target caseload (Front Door: sized from referrals)
    "Assessment": 16,
    "Children in Need": 18,
    "Child Protection": 15,
    "Children in Care": 15,
    "Leaving Care": 20,
    "Front Door": 0,
}
STATUS_SERVICE = {
    "Looked after child": "Children in Care",
    "Child Protection plan": "Child Protection",
    "Child in need plan": "Children in Need",
    "Open assessment": "Assessment",
    "Closed episode": "Assessment",
}
AREAS = ("North", "South", "East", "West", "Central")
TITLES = (
    ("Social Worker", 0.5),
    ("Senior Social Worker", 0.2),
    ("Advanced Practitioner", 0.08),
    ("Newly qualified social worker (ASYE)", 0.17),
    ("Agency Social Worker", 0.05),
)


def workforce(w: World) -> None:
    """Create workers per service, allocate every case-holding child, and count caseloads."""
    rng, reg = w.rng, w.reg
    cin_idx, cin = w.lists["list_06_children_in_need"]
    cl_idx, _ = w.lists["list_09_care_leavers"]
    service = np.array([STATUS_SERVICE[s] for s in cin["case_status"]], dtype=object)
    is_open = cin["case_status"] != "Closed episode"
    child_service = np.concatenate([service, np.full(len(cl_idx), "Leaving Care", object)])
    child_idx = np.concatenate([cin_idx, cl_idx])
    counted = np.concatenate([is_open, np.ones(len(cl_idx), bool)])
    n_front = max(2, round(w.plan.referrals / 250))
    sizes = {
        s: (
            n_front
            if s == "Front Door"
            else max(2, round(int(((child_service == s) & counted).sum()) / t))
        )
        for s, t in SERVICES.items()
    }
    total = sum(sizes.values())
    combos = rng.choice(len(FIRST) * len(LAST) * 26, size=total, replace=False)
    names = np.array(
        [
            f"{FIRST[c % len(FIRST)]} {chr(65 + (c // len(FIRST)) % 26)}. {LAST[c // (len(FIRST) * 26)]}"
            for c in combos
        ],
        dtype=object,
    )
    w_service = np.concatenate([np.full(k, s, object) for s, k in sizes.items()])
    w_team = np.empty(total, object)
    for s in sizes:
        pos = np.flatnonzero(w_service == s)
        w_team[pos] = [f"{s} {AREAS[(i // 7) % len(AREAS)]} {i // 35 + 1}" for i in range(len(pos))]
    titles = choice(rng, TITLES, total)
    titles[w_service == "Leaving Care"] = "Personal Advisor"
    weight = rng.gamma(4.0, 1.0, total)  # uneven caseloads: some workers carry far more than others
    worker = np.full(len(child_idx), -1)
    for s in sizes:
        pos = np.flatnonzero(w_service == s)
        rows = np.flatnonzero(child_service == s)
        worker[rows] = rng.choice(pos, size=len(rows), p=weight[pos] / weight[pos].sum())
    unallocated = (
        np.isin(child_service, ["Children in Need", "Assessment"])
        & counted
        & (rng.random(len(child_idx)) < 0.04)
    )
    team = w_team[worker]
    worker[unallocated] = -1
    reg.set("worker", child_idx, worker)
    w.workers = {"name": names, "team": w_team, "title": titles, "service": w_service}
    w.child_team = dict(zip(child_idx.tolist(), team.tolist(), strict=True))
    counts = np.bincount(worker[counted & (worker >= 0)], minlength=total)
    n_unalloc = int((counted & (worker < 0)).sum())
    keep = w_service != "Front Door"
    w.lists["caseloads"] = (
        np.full(int(keep.sum()) + 1, -1),
        {
            "worker": np.concatenate([names[keep], ["Unallocated"]]).astype(object),
            "job_title": np.concatenate([titles[keep], [None]]).astype(object),
            "team": np.concatenate([w_team[keep], [None]]).astype(object),
            "open_cases": np.concatenate([counts[keep], [n_unalloc]]),
        },
    )


def worker_columns(
    w: World, idx: np.ndarray, fallback_service: str
) -> tuple[np.ndarray, np.ndarray]:
    """(team, worker) for rows of a list: the child's own worker, else one from `fallback_service`."""
    rng, wk = w.rng, w.workers
    own = w.reg["worker"][idx] if len(idx) else np.array([], int)
    pool = np.flatnonzero(wk["service"] == fallback_service)
    other = rng.choice(pool, size=len(idx))
    pick = np.where(own >= 0, own, other)
    worker = wk["name"][pick].astype(object)
    team = wk["team"][pick].astype(object)
    known = np.array([w.child_team.get(i) for i in idx.tolist()], dtype=object)
    unalloc = (own < 0) & (known != None)  # noqa: E711 - elementwise on an object array
    worker[unalloc] = None
    team[unalloc] = known[unalloc]
    return team, worker


def mi_lists(w: World) -> None:
    rng, reg, p = w.rng, w.reg, w.plan
    last = w.last
    cin_idx, cin = w.lists["list_06_children_in_need"]
    cp_idx, cp = w.lists["list_07_child_protection"]
    cla_idx, cla = w.lists["list_08_children_in_care"]
    cl_idx, _ = w.lists["list_09_care_leavers"]
    dob = reg["dob"]
    age = (np.datetime64(w.nd, "D") - dob).astype(int) / 365.25

    # audits: children found on lists 6-9, completed in the period
    pool = np.concatenate([cin_idx, cp_idx, cla_idx, cl_idx])
    theme = np.concatenate(
        [
            np.full(len(cin_idx), "Children in need", object),
            np.full(len(cp_idx), "Child protection", object),
            np.full(len(cla_idx), "Children in care", object),
            np.full(len(cl_idx), "Care leavers", object),
        ]
    )
    n = max(10, round(0.015 * len(cin_idx)))
    pick = rng.choice(len(pool), size=min(n, len(pool)), replace=False)
    w.lists["audits"] = (
        pool[pick],
        {
            "audit_theme": theme[pick],
            "date_audit_completed": uniform_dates(rng, w.p_lo, last, len(pick)),
            "audit_grade": choice(
                rng,
                (
                    ("Outstanding", 0.05),
                    ("Good", 0.4),
                    ("Requires improvement", 0.45),
                    ("Inadequate", 0.1),
                ),
                len(pick),
            ),
        },
    )

    # 2.02 missing / exploitation: missing children in care, children at risk on CP/CIN, care leavers
    open_cla = np.isnat(cla["date_ceased_looked_after"])
    miss = cla_idx[open_cla & (cla["missing_episodes"] > 0)]
    open_cp = cp_idx[np.isnat(cp["cp_plan_end_date"])]
    cin_plan = cin_idx[(cin["case_status"] == "Child in need plan") & (age[cin_idx] >= 10)]
    at_risk_cp = rng.choice(
        open_cp, size=min(len(open_cp), max(1, len(open_cp) // 12)), replace=False
    )
    at_risk_cin = rng.choice(
        cin_plan, size=min(len(cin_plan), max(1, len(cin_plan) // 40)), replace=False
    )
    at_risk_cl = rng.choice(cl_idx, size=min(len(cl_idx), max(1, len(cl_idx) // 30)), replace=False)
    contacts_only = np.setdiff1d(
        w.lists["list_01_contacts"][0], np.concatenate([pool, w.lists["list_05_section_47"][0]])
    )
    contacts_only = contacts_only[age[contacts_only] >= 11]
    nss = rng.choice(
        contacts_only, size=min(len(contacts_only), max(1, len(at_risk_cin) // 3)), replace=False
    )
    idx = np.concatenate([miss, at_risk_cp, at_risk_cin, at_risk_cl, nss])
    status = np.concatenate(
        [
            np.full(len(miss), "Looked after child", object),
            np.full(len(at_risk_cp), "Child protection", object),
            np.full(len(at_risk_cin), "Child in need", object),
            np.full(len(at_risk_cl), "Care leaver", object),
            np.full(len(nss), "No statutory service", object),
        ]
    )
    k = len(idx)
    missing = np.concatenate([np.ones(len(miss), bool), rng.random(k - len(miss)) < 0.4])
    cse = rng.random(k) < 0.35
    cce = rng.random(k) < 0.45
    cce |= ~missing & ~cse  # everyone on the list is missing or at risk of something
    w.lists["missing_exploitation"] = (
        idx,
        {
            "current_status": status,
            "missing": np.where(missing, "Yes", "No").astype(object),
            "risk_sexual_exploitation": np.where(cse, "Yes", "No").astype(object),
            "risk_criminal_exploitation": np.where(cce, "Yes", "No").astype(object),
        },
    )

    def new(bands, n):
        return reg.new(ages_from(rng, bands, n))

    cin_n = len(cin_idx)
    pf = new(((8, 17, 1.0),), max(2, round(0.002 * cin_n)))
    w.lists["private_fostering"] = (
        pf,
        {
            "date_arrangement_started": np.maximum(
                last - days(rng.integers(5, 700, len(pf))), reg["dob"][pf] + 1
            )
        },
    )
    cme = new(((5, 15, 1.0),), max(3, round(0.01 * cin_n)))
    k = len(cme)
    w.lists["missing_education"] = (
        cme,
        {
            "provision_type": choice(
                rng,
                (
                    ("Alternative provision", 0.4),
                    ("Home tuition", 0.2),
                    ("Part-time timetable", 0.25),
                    ("None", 0.15),
                ),
                k,
            ),
            "hours_per_week": rng.integers(0, 26, k),
            "exclusion_type": choice(
                rng, (("Permanent exclusion", 0.3), ("Suspension", 0.3), ("None", 0.4)), k
            ),
            "date_alternative_provision": np.where(
                rng.random(k) < 0.6, last - days(rng.integers(1, 300, k)), NAT
            ).astype("datetime64[D]"),
        },
    )
    hl = new(((16, 17, 1.0),), max(2, round(0.004 * p.referrals)))
    w.lists["homeless_16_17"] = (
        hl,
        {
            "date_presented": uniform_dates(rng, w.p_lo, last, len(hl)),
            "outcome": choice(
                rng,
                (
                    ("Accommodated under section 20", 0.3),
                    ("Supported under section 17", 0.4),
                    ("Returned to family", 0.2),
                    ("Housing duty (no CSC service)", 0.1),
                ),
                len(hl),
            ),
        },
    )
    yc_pool = cin_idx[(cin["case_status"] == "Child in need plan") & (age[cin_idx] >= 8)]
    yc = rng.choice(yc_pool, size=min(len(yc_pool), max(3, round(0.02 * cin_n))), replace=False)
    w.lists["young_carers"] = (
        yc,
        {
            "date_identified": np.maximum(
                last - days(rng.integers(10, 900, len(yc))), dob[yc] + days(8 * 365.25)
            )
        },
    )
    so_pool = cin_idx[np.isin(cin["case_status"], ["Child in need plan", "Child Protection plan"])]
    so = rng.choice(
        so_pool, size=min(len(so_pool), max(1, round(0.015 * p.cla_open))), replace=False
    )
    w.lists["supervision_orders"] = (
        so,
        {
            "order_type": choice(
                rng, (("Supervision order", 0.8), ("Interim supervision order", 0.2)), len(so)
            ),
            "order_start_date": last - days(rng.integers(10, 360, len(so))),
            "on_cp_plan": np.where(np.isin(so, open_cp), "Yes", "No").astype(object),
        },
    )
    sec_pool = np.flatnonzero(open_cla & (age[cla_idx] >= 12))
    sec = rng.choice(
        sec_pool, size=min(len(sec_pool), max(1, round(0.004 * p.cla_open))), replace=False
    )
    cla["placement_type"][sec] = (
        "K1"  # a secure welfare order means a secure children's home placement
    )
    # run by an LA or privately, with an Ofsted URN (903 218, 527-531)
    cla["placement_provider"][sec] = np.where(
        np.isin(cla["placement_provider"][sec], ["PR1", "PR4"]),
        cla["placement_provider"][sec],
        "PR1",
    )
    cla["placement_urn"][sec] = np.array(
        [f"SC{u:06d}" for u in rng.integers(100000, 999999, len(sec))], dtype=object
    )
    w.lists["secure_orders"] = (
        cla_idx[sec],
        {
            "order_start_date": cla["placement_start_date"][sec],
            "placement": np.full(len(sec), "Secure children's home", object),
        },
    )
    old = cl_idx[age[cl_idx] >= 18]
    hmo = rng.choice(old, size=min(len(old), max(1, round(0.02 * len(cl_idx)))), replace=False)
    w.lists["care_leavers_hmo"] = (
        hmo,
        {"date_moved_in": last - days(rng.integers(5, 500, len(hmo)))},
    )
    _unregistered(w, open_cla, age)
    dol_pool = np.flatnonzero(open_cla & (age[cla_idx] >= 10))
    dol = rng.choice(
        dol_pool, size=min(len(dol_pool), max(1, round(0.01 * p.cla_open))), replace=False
    )
    w.lists["deprivation_of_liberty"] = (
        cla_idx[dol],
        {
            "order_date": uniform_dates(rng, w.p_lo, last, len(dol)),
            "accommodation_type": choice(
                rng,
                (
                    ("Registered children's home", 0.45),
                    ("Unregistered children's home", 0.2),
                    ("Secure children's home", 0.1),
                    ("Unregistered supported accommodation", 0.1),
                    ("Foster placement", 0.1),
                    ("Hospital or health setting", 0.05),
                ),
                len(dol),
            ),
        },
    )
    nf = max(2, round(0.5 * p.adoptions))
    req = uniform_dates(rng, w.p_lo, last, nf)
    done = req + days(rng.integers(14, 90, nf))
    w.lists["adoption_support"] = (
        np.full(nf, -1),
        {
            "family_id": np.array([f"ASF{i:05d}" for i in rng.permutation(nf) + 1], dtype=object),
            "date_requested": req,
            "date_assessment_completed": np.where(done <= last, done, NAT).astype("datetime64[D]"),
            "outcome": np.where(
                done <= last,
                choice(
                    rng,
                    (
                        ("Support plan agreed", 0.7),
                        ("Advice and signposting", 0.2),
                        ("No support needed", 0.1),
                    ),
                    nf,
                ),
                None,
            ).astype(object),
        },
    )


def _unregistered(w: World, open_cla: np.ndarray, age: np.ndarray) -> None:
    """3.17: every unregistered placement in the period for children in care; some have several."""
    rng, last = w.rng, w.last
    cla_idx, cla = w.lists["list_08_children_in_care"]
    pool = np.flatnonzero(age[cla_idx] >= 12)
    n = min(len(pool), max(1, round(0.012 * len(cla_idx))))
    kids = rng.choice(pool, size=n, replace=False)
    reps = rng.choice([1, 1, 1, 1, 2, 3], n)
    pos = np.repeat(kids, reps)
    seq = np.concatenate([np.arange(r) for r in reps])
    nrep = np.repeat(reps, reps)
    upto = np.where(open_cla[pos], last, cla["date_ceased_looked_after"][pos])
    lo = np.maximum(cla["date_started_looked_after"][pos], w.p_lo - 60)
    span = np.maximum((upto - lo).astype(int), 1)
    # consecutive placements share the child's time: slot i of r covers the i-th part of the span
    start = lo + days(span * seq / nrep + rng.random(len(pos)) * span / nrep * 0.3)
    end = lo + days(span * (seq + 1) / nrep - 1)
    current = open_cla[pos] & (seq == nrep - 1) & (rng.random(len(pos)) < 0.5)
    end = np.where(current, NAT, np.maximum(np.maximum(end, start), w.p_lo)).astype("datetime64[D]")
    end = np.where(~np.isnat(end) & (end > upto), upto, end).astype("datetime64[D]")
    w.lists["unregistered_provision"] = (
        cla_idx[pos],
        {
            "provision_start_date": start.astype("datetime64[D]"),
            "provision_end_date": end,
            "provision_type": choice(
                rng,
                (
                    ("Unregistered children's home", 0.45),
                    ("Unregistered supported accommodation", 0.4),
                    ("Other unregistered provision", 0.15),
                ),
                len(pos),
            ),
            "provision_details": choice(
                rng,
                (
                    ("Solo placement with two staff; registration application made", 0.3),
                    ("Holiday let with agency staff while a registered home is found", 0.25),
                    ("Supported flat, provider not registered with Ofsted", 0.25),
                    ("Emergency placement after placement breakdown", 0.2),
                ),
                len(pos),
            ),
        },
    )
