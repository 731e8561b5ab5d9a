"""The front door (lists 1-5), children in need (list 6) and care leavers (list 9).

Plans that started in the period get their chain worked back from the plan start:
contact → referral → assessment → strategy discussion → ICPC (resulting in the plan). The rest of
the front door runs forward from contacts spread over the six months.
"""

from __future__ import annotations

import numpy as np

from flows.synth.journeys import CIN_AGES, NEEDS, SOURCES, World, after, busday, yn
from flows.synth.people import NAT, ages_from, choice, days, uniform_dates


def front_door(w: World) -> None:
    rng, reg, p = w.rng, w.reg, w.plan
    cp_idx, cp = w.lists["list_07_child_protection"]
    # --- the chain behind plans that started in the period
    new_plan = cp["cp_plan_start_date"] >= w.p_lo + 30
    c_idx = cp_idx[new_plan]
    icpc_c = cp["cp_plan_start_date"][new_plan]
    k = len(c_idx)
    strat_c = np.busday_offset(icpc_c, -rng.integers(8, 15, k), roll="backward").astype(
        "datetime64[D]"
    )
    ass_c = strat_c - days(rng.integers(0, 3, k))
    ref_c = ass_c - days(rng.integers(0, 3, k))
    con_c = ref_c - days(rng.integers(0, 2, k))
    auth_c = busday(ass_c, rng.integers(10, 40, k))
    auth_c = np.where(auth_c <= w.last, auth_c, NAT).astype("datetime64[D]")

    # --- forward: referrals (new children), their contacts, assessments and s47s
    n_ref = max(0, p.referrals - k)
    r_idx = reg.new(ages_from(rng, CIN_AGES, n_ref))
    reg.siblings(r_idx, 0.25)
    con_r = uniform_dates(rng, w.p_lo, w.last, n_ref)
    ref_r = np.minimum(con_r + days(rng.choice([0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3], n_ref)), w.last)
    nfa = rng.random(n_ref) < p.rates["nfa"]
    n_ass = min(int((~nfa).sum()), max(0, p.assessments - k))
    a_pos = rng.permutation(np.flatnonzero(~nfa))[:n_ass]
    a_idx = r_idx[a_pos]
    ass_a = np.minimum(ref_r[a_pos] + days(rng.integers(0, 5, n_ass)), w.last)
    # working days to authorise: median ~28, about one in seven over 45
    wd = np.round(np.exp(rng.normal(np.log(28), 0.45, n_ass))).astype(int)
    auth_a = busday(ass_a, wd)
    auth_a = np.where(auth_a <= w.last, auth_a, NAT).astype("datetime64[D]")
    support = np.where(
        np.isnat(auth_a), None, yn(rng, 1 - p.rates["not_in_need"] * 1.1, n_ass)
    ).astype(object)
    n_s47 = min(n_ass, max(0, p.s47 - k))
    s_pos = rng.permutation(n_ass)[:n_s47]
    strat_s = np.minimum(ass_a[s_pos] + days(rng.integers(0, 4, n_s47)), w.last)
    n_icpc = min(n_s47, max(0, p.icpc - k))
    icpc_s = np.full(n_s47, NAT)
    icpc_s[:n_icpc] = busday(strat_s[:n_icpc], rng.integers(10, 16, n_icpc))
    icpc_s = np.where(icpc_s <= w.last, icpc_s, NAT).astype("datetime64[D]")
    support[s_pos[~np.isnat(icpc_s)]] = "Yes"
    concluded = strat_s + 15 <= w.last
    unnecessary = np.where(~np.isnat(icpc_s), "No", np.where(concluded, "Yes", None)).astype(object)

    # --- other contacts: new children, a few repeat contacts
    n_other = max(0, p.contacts - k - n_ref)
    n_repeat = n_other // 8
    o_idx = np.concatenate(
        [
            reg.new(ages_from(rng, CIN_AGES, n_other - n_repeat)),
            rng.choice(r_idx, n_repeat) if n_ref else np.array([], int),
        ]
    ).astype(int)
    con_o = uniform_dates(rng, w.p_lo, w.last, len(o_idx))
    src = choice(rng, SOURCES, k + n_ref + len(o_idx))

    w.lists["list_01_contacts"] = (
        np.concatenate([c_idx, r_idx, o_idx]),
        {"date_of_contact": np.concatenate([con_c, con_r, con_o]), "contact_source": src},
    )
    ref_src = src[: k + n_ref]
    re12 = 1 + (rng.random(k + n_ref) < p.rates["rereferral"]) * rng.choice([1, 1, 1, 2], k + n_ref)
    w.lists["list_03_referrals"] = (
        np.concatenate([c_idx, r_idx]),
        {
            "date_of_referral": np.concatenate([ref_c, ref_r]),
            "referral_source": ref_src,
            "referral_nfa": np.where(np.concatenate([np.zeros(k, bool), nfa]), "Yes", "No").astype(
                object
            ),
            "referrals_last_12_months": re12,
        },
    )
    w.lists["list_04_assessments"] = (
        np.concatenate([c_idx, a_idx]),
        {
            "assessment_start_date": np.concatenate([ass_c, ass_a]),
            "child_seen": np.concatenate(
                [
                    np.full(k, "Yes", object),
                    choice(rng, (("Yes", 0.95), ("No", 0.04), ("Unknown", 0.01)), n_ass),
                ]
            ),
            "assessment_authorised_date": np.concatenate([auth_c, auth_a]).astype("datetime64[D]"),
            "requires_support": np.concatenate(
                [np.where(np.isnat(auth_c), None, "Yes").astype(object), support]
            ),
        },
    )
    s_idx = np.concatenate([c_idx, a_idx[s_pos]])
    has_icpc = np.concatenate([np.ones(k, bool), ~np.isnat(icpc_s)])
    w.lists["list_05_section_47"] = (
        s_idx,
        {
            "strategy_discussion_date": np.concatenate([strat_c, strat_s]),
            "icpc_unnecessary": np.concatenate([np.full(k, "No", object), unnecessary]),
            "icpc_date": np.concatenate([icpc_c, icpc_s]).astype("datetime64[D]"),
            "icpc_resulted_in_plan": np.where(
                has_icpc, np.where(np.arange(len(s_idx)) < k, "Yes", "No"), None
            ).astype(object),
            "s47_last_12_months": 1 + (rng.random(len(s_idx)) < 0.12),
            "icpcs_last_12_months": has_icpc.astype(int)
            + (has_icpc & (rng.random(len(s_idx)) < 0.05)),
        },
    )
    # early help: new children and some stepped down after contact
    n_eh = p.early_help
    eh_idx = (
        np.concatenate(
            [reg.new(ages_from(rng, CIN_AGES, n_eh - n_eh // 3)), rng.choice(o_idx, n_eh // 3)]
        )
        if len(o_idx)
        else reg.new(ages_from(rng, CIN_AGES, n_eh))
    )
    eh_start = uniform_dates(rng, w.p_lo, w.last, len(eh_idx))
    eh_done = eh_start + days(rng.integers(5, 60, len(eh_idx)))
    w.lists["list_02_early_help"] = (
        eh_idx,
        {
            "assessment_start_date": eh_start,
            "assessment_completion_date": np.where(eh_done <= w.last, eh_done, NAT).astype(
                "datetime64[D]"
            ),
            "organisation_completing_assessment": choice(
                rng,
                (
                    ("Early Help Service", 0.45),
                    ("School", 0.25),
                    ("Health Visiting", 0.1),
                    ("Children's Centre", 0.1),
                    ("Voluntary sector", 0.1),
                ),
                len(eh_idx),
            ),
        },
    )
    # what list 6 needs from here: the forward referral and assessment outcomes
    w.front = {
        "r_idx": r_idx,
        "ref_r": ref_r,
        "nfa": nfa,
        "a_pos": a_pos,
        "auth_a": auth_a,
        "support": support,
        "c_idx": c_idx,
        "ref_c": ref_c,
        "s_pos": s_pos,
        "auth_c": auth_c,
    }


def children_in_need(w: World) -> None:
    """List 6: every child's CIN episode status on the notification date; one row per child."""
    rng, reg, f = w.rng, w.reg, w.front
    cla_idx, cla = w.lists["list_08_children_in_care"]
    cp_idx, cp = w.lists["list_07_child_protection"]
    parts: list[dict] = []

    def part(idx, start, status, closure=None, reason=None, need=None):
        n = len(idx)
        closure = np.full(n, NAT) if closure is None else closure
        parts.append(
            {
                "idx": idx,
                "cin_start_date": start.astype("datetime64[D]"),
                "case_status": np.full(n, status, object),
                "cin_closure_date": closure.astype("datetime64[D]"),
                "reason_for_closure": np.full(n, None, object) if reason is None else reason,
                "primary_need_code": choice(rng, NEEDS, n) if need is None else need,
            }
        )

    open_cla = np.isnat(cla["date_ceased_looked_after"])
    part(
        cla_idx[open_cla],
        cla["date_started_looked_after"][open_cla]
        - days(rng.integers(0, 200, int(open_cla.sum()))),
        "Looked after child",
        need=cla["category_of_need"][open_cla],
    )
    open_cp = np.isnat(cp["cp_plan_end_date"])
    chain_start = dict(zip(f["c_idx"].tolist(), f["ref_c"].tolist(), strict=True))
    cp_start = cp["cp_plan_start_date"] - days(rng.integers(20, 300, len(cp_idx)))
    chain_pos = np.isin(cp_idx, f["c_idx"])
    cp_start[chain_pos] = np.array(
        [chain_start[i] for i in cp_idx[chain_pos]], dtype="datetime64[D]"
    )
    part(
        cp_idx[open_cp],
        cp_start[open_cp],
        "Child Protection plan",
        need=np.full(int(open_cp.sum()), "N1", object),
    )
    ended = ~open_cp
    stepdown = ended & (rng.random(len(cp_idx)) < 0.6)
    part(cp_idx[stepdown], cp_start[stepdown], "Child in need plan")
    closed = ended & ~stepdown
    close = np.minimum(
        cp["cp_plan_end_date"][closed] + days(rng.integers(0, 90, int(closed.sum()))), w.last
    )
    # the episode closes after the assessment behind the plan is authorised (CIN 8565)
    auth_of = dict(zip(f["c_idx"].tolist(), f["auth_c"].tolist(), strict=True))
    chain_auth = np.array([auth_of.get(i) for i in cp_idx[closed].tolist()], dtype="datetime64[D]")
    close = np.where(np.isnat(chain_auth), close, np.maximum(close, chain_auth)).astype(
        "datetime64[D]"
    )
    part(
        cp_idx[closed],
        cp_start[closed],
        "Closed episode",
        close,
        np.full(int(closed.sum()), "RC7", object),
    )
    # forward referrals: NFA closed the same day; assessed children by outcome
    r_idx, ref_r, a_pos = f["r_idx"], f["ref_r"], f["a_pos"]
    nfa = f["nfa"]
    part(
        r_idx[nfa], ref_r[nfa], "Closed episode", ref_r[nfa], np.full(int(nfa.sum()), "RC8", object)
    )
    auth, sup = f["auth_a"], f["support"]
    a_idx, a_ref = r_idx[a_pos], ref_r[a_pos]
    is_open = np.isnat(auth)
    yes = ~is_open & (sup == "Yes")
    no = ~is_open & (sup != "Yes")
    part(a_idx[is_open], a_ref[is_open], "Open assessment")
    part(a_idx[yes], a_ref[yes], "Child in need plan")
    reason = choice(rng, (("RC8", 0.7), ("RC9", 0.3)), int(no.sum()))
    # after a section 47 enquiry the episode did not close with no further action (CIN 2990)
    had_s47 = np.zeros(len(a_pos), bool)
    had_s47[f["s_pos"]] = True
    reason[had_s47[no] & (reason == "RC8")] = "RC7"
    part(a_idx[no], a_ref[no], "Closed episode", auth[no], reason)
    # fill to the published number with longer-running CIN plans
    have = sum(len(x["idx"]) for x in parts)
    n_fill = max(0, w.plan.cin - have)
    fill = reg.new(ages_from(rng, CIN_AGES, n_fill))
    reg.siblings(fill, 0.35)
    part(
        fill,
        np.maximum(w.last - days(rng.integers(180, 1500, n_fill)), reg["dob"][fill] + 1),
        "Child in need plan",
    )

    idx = np.concatenate([x["idx"] for x in parts])
    cols = {k: np.concatenate([x[k] for x in parts]) for k in parts[0] if k != "idx"}
    cols["cin_start_date"] = np.maximum(cols["cin_start_date"], reg["dob"][idx] + 1)
    upto = np.where(np.isnat(cols["cin_closure_date"]), w.last, cols["cin_closure_date"])
    cols["cin_start_date"] = np.minimum(cols["cin_start_date"], upto)
    seen = upto - days(
        np.where(
            rng.random(len(idx)) < 0.08,
            rng.integers(30, 90, len(idx)),
            rng.integers(0, 28, len(idx)),
        )
    )
    cols["date_last_seen"] = after(seen, cols["cin_start_date"])
    w.lists["list_06_children_in_need"] = (idx, cols)


def care_leavers(w: World, activity: dict[str, float]) -> None:
    """List 9: care leavers 16-25, in touch / accommodation / activity at the published rates."""
    rng, reg, p = w.rng, w.reg, w.plan
    n = p.care_leavers
    v = p.rates
    ages = ages_from(rng, ((16, 16, 0.03), (17, 18, 0.3), (19, 21, 0.57), (22, 25, 0.1)), n)
    uasc = rng.random(n) < 0.15
    idx = reg.new(ages, uasc=uasc)
    elig = np.where(
        ages < 18,
        "Relevant child",
        np.where(rng.random(n) < 0.95, "Former relevant child", "Qualifying care leaver"),
    ).astype(object)
    u = rng.random(n)
    in_touch = np.select(
        [
            u < v["cl_not_in_touch"],
            u < v["cl_not_in_touch"] + 0.02,
            (u < v["cl_not_in_touch"] + 0.04) & (ages >= 21),
        ],
        ["No", "Refu", "NREQ"],
        default="Yes",
    ).astype(object)
    contact = w.last - days(
        np.where(in_touch == "Yes", rng.integers(0, 56, n), rng.integers(60, 400, n))
    )
    unsuitable = rng.random(n) < v["cl_unsuitable"]
    acc = np.where(
        unsuitable,
        choice(rng, (("S", 0.3), ("W", 0.2), ("V", 0.2), ("X", 0.2), ("R", 0.1)), n),
        choice(
            rng,
            (
                ("U", 0.35),
                ("D", 0.2),
                ("Z", 0.1),
                ("B", 0.15),
                ("E", 0.1),
                ("K", 0.05),
                ("T", 0.05),
            ),
            n,
        ),
    )
    # with former foster carers (staying put) from 18 only: younger, they are still in foster care
    acc[(acc == "Z") & (ages < 18)] = "E"
    acc[(acc == "T") & (ages < 18)] = "E"  # foyers are for care leavers of 18 and over (903 347)
    codes = list(activity)
    act = np.array(codes, dtype=object)[
        rng.choice(len(codes), n, p=np.array(list(activity.values())) / sum(activity.values()))
    ]
    part_time = (rng.random(n) < 0.15) & np.isin(act, ["F1", "F2", "F4", "F5"])
    act = np.where(part_time, np.char.replace(act.astype(str), "F", "P"), act).astype(object)
    act[act == ""] = None
    # an activity is known for every care leaver the LA is in touch with (903 345)
    known = np.array([c for c in codes if c], dtype=object)
    unknown = (in_touch == "Yes") & np.array([a is None for a in act], dtype=bool)
    act[unknown] = known[rng.integers(0, len(known), int(unknown.sum()))]
    review = w.last - days(
        np.where(rng.random(n) < 0.07, rng.integers(190, 400, n), rng.integers(0, 180, n))
    )
    w.lists["list_09_care_leavers"] = (
        idx,
        {
            "uasc": np.where(uasc, "Yes", "No").astype(object),
            "eligibility_category": elig,
            "date_latest_pathway_plan_review": review,
            "in_touch": in_touch,
            "date_latest_contact": contact,
            "accommodation_type": acc.astype(object),
            "accommodation_suitability": np.where(unsuitable, "Unsuitable", "Suitable").astype(
                object
            ),
            "activity_status": act,
        },
    )
