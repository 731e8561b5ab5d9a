"""Candidate lines of enquiry: the evidence in the pack grouped by theme (para 75-76), strongest first.

Each theme (flows.pack.dictionary.THEMES) collects what raised it, each item named and linked to its
detail: published indicators in the bottom quarter (band D) or worse than last year while in band C
or D; the LA's recent Annex A figure on the less favourable side of England (never on a base under
10); line-of-enquiry lists with children on them; cohorts with no audited child; unregistered
placements. A figure resting on a column the LA left blank never counts (coverage.gaps).

Strength says how far the evidence agrees: "strong" when published statistics and the LA's own lists
point the same way (or any child is in unregistered provision now: unlawful, para 307), "moderate"
for two or more items from one kind of source, "limited" for a single item.
"""

from __future__ import annotations

from typing import Any

from flows.pack import dictionary

MAX_LINES = 6
MAX_ITEMS = 5
STRENGTH_ORDER = {"strong": 0, "moderate": 1, "limited": 2}

# which theme a cohort with no audited child speaks to
AUDIT_THEMES = {
    "list_01_contacts": "front-door",
    "list_03_referrals": "front-door",
    "list_04_assessments": "front-door",
    "list_05_section_47": "help-and-protection",
    "list_06_children_in_need": "help-and-protection",
    "list_07_child_protection": "help-and-protection",
    "list_08_children_in_care": "children-in-care",
    "list_09_care_leavers": "care-leavers",
    "list_10_adoptions": "permanence",
}


def _children(n: int) -> str:
    return f"{n:,} {'child' if n == 1 else 'children'}"


def _value(v: float | None, decimals: int, unit: str | None) -> str:
    if v is None:
        return "not available"
    return f"{v:,.{decimals}f}{'%' if unit and unit.startswith('%') else ''}"


def unfavourable(a: float, b: float, polarity: str | None) -> bool:
    """a is on the less favourable side of b."""
    return (a > b) if polarity == "low" else (a < b) if polarity == "high" else False


def published_evidence(i: dict) -> dict | None:
    """An indicator's latest published value as evidence, or None when it raises nothing."""
    if i.get("la_value") is None or i.get("polarity") not in ("high", "low"):
        return None
    band, prev = i.get("quartile_band"), i.get("previous_value")
    la = _value(i["la_value"], i["decimals"], i["unit"])
    eng = _value(i.get("england_value"), i["decimals"], i["unit"])
    worse = prev is not None and unfavourable(i["la_value"], prev, i["polarity"])
    if band == "D":
        why = f"bottom quarter of local authorities (band D): {la} in {i['period']}, England {eng}"
        if worse:
            why += f"; worse than the previous year ({_value(prev, i['decimals'], i['unit'])})"
    elif worse and band == "C":
        why = (
            f"worse than the previous year: {_value(prev, i['decimals'], i['unit'])} to {la} in "
            f"{i['period']} (band C; England {eng})"
        )
    else:
        return None
    return {
        "kind": "published",
        "text": f"{i['title']}: {why}.",
        "href": f"#ind-{i['indicator_id']}",
        "weight": 2 if band == "D" else 1,
    }


def recent_evidence(i: dict) -> dict | None:
    """The LA's recent Annex A figure when it is less favourable than England's latest."""
    r = i.get("recent")
    if not r or not r.get("shown") or r.get("small") or i.get("england_value") is None:
        return None
    if not unfavourable(r["value"], i["england_value"], i.get("polarity")):
        return None
    eng = _value(i["england_value"], i["decimals"], i["unit"])
    return {
        "kind": "annex_a",
        "text": (
            f"{i['title']}, recent from Annex A: {_value(r['value'], i['decimals'], i['unit'])} "
            f"({r['numerator']:,} of {r['denominator']:,}), England {eng} (not directly comparable)."
        ),
        "href": f"#ind-{i['indicator_id']}",
        "weight": 1,
    }


def build(d: dict[str, Any]) -> list[dict]:
    """The candidate lines of enquiry, strongest first, at most MAX_LINES."""
    indicators = {i["indicator_id"]: i for t in d["topics"] for i in t["indicators"]}
    lines = []
    for order, theme in enumerate(dictionary.THEMES):
        items: list[dict] = []
        for ind_id in theme["indicators"]:
            i = indicators.get(ind_id)
            if i is None:
                continue
            for ev in (published_evidence(i), recent_evidence(i)):
                if ev:
                    items.append(ev)
        for loe in d["loe"]:
            if (
                loe["theme"] == theme["id"]
                and loe.get("evidence", True)
                and loe["available"]
                and loe["count"]
            ):
                items.append(
                    {
                        "kind": "list",
                        "text": f"{loe['title']}: {loe['count']:,}.",
                        "href": f"#{loe['id']}",
                        "weight": 1,
                    }
                )
        if d["audit_coverage_shown"]:
            for c in d["audit_coverage"]:
                if c["no_audit"] and AUDIT_THEMES.get(c["list_name"]) == theme["id"]:
                    items.append(
                        {
                            "kind": "list",
                            "text": f"No child on list {c['number']} ({c['title']}) was audited in the six months.",
                            "href": "#audits",
                            "weight": 1,
                        }
                    )
        if theme["id"] == "unregistered-provision":
            items += _unregistered(d)
        if not items:
            continue
        kinds = {e["kind"] for e in items}
        if "unlawful" in kinds or ("published" in kinds and kinds & {"annex_a", "list"}):
            strength = "strong"
        elif len(items) >= 2:
            strength = "moderate"
        else:
            strength = "limited"
        lines.append(
            {
                "id": theme["id"],
                "title": theme["title"],
                "strength": strength,
                "items": items[:MAX_ITEMS],
                "more": max(len(items) - MAX_ITEMS, 0),
                "sort": (
                    "unlawful" not in kinds,  # a child unlawfully placed now comes first
                    STRENGTH_ORDER[strength],
                    -sum(e["weight"] for e in items if e["kind"] == "published"),
                    -len(items),
                    order,
                ),
            }
        )
    lines.sort(key=lambda line: line["sort"])
    return lines[:MAX_LINES]


def _unregistered(d: dict) -> list[dict]:
    if not d["unreg_shown"]:
        return []
    u = d["unreg"]
    items = []
    if u.get("children_ongoing"):
        items.append(
            {
                "kind": "unlawful",
                "text": f"{_children(u['children_ongoing'])} still in unregistered provision on the notification date; any such placement is unlawful (para 307).",
                "href": "#unregistered",
                "weight": 3,
            }
        )
    elif u.get("children"):
        items.append(
            {
                "kind": "list",
                "text": f"{_children(u['children'])} placed in unregistered provision in the six months (para 307).",
                "href": "#unregistered",
                "weight": 1,
            }
        )
    if u.get("children_under_16"):
        items.append(
            {
                "kind": "list",
                "text": f"{u['children_under_16']:,} of the {u['children']:,} children placed in the six months were under 16 when placed.",
                "href": "#unregistered",
                "weight": 1,
            }
        )
    if u.get("children_under_16_supported"):
        items.append(
            {
                "kind": "list",
                "text": f"{_children(u['children_under_16_supported'])} under 16 placed in supported accommodation (for ages 16 and 17 only).",
                "href": "#unregistered",
                "weight": 1,
            }
        )
    if u.get("list_8_disagreements") and d["available"].get("list_08_children_in_care"):
        items.append(
            {
                "kind": "list",
                "text": f"{u['list_8_disagreements']:,} unregistered placement{'' if u['list_8_disagreements'] == 1 else 's'} where list 8 disagrees with 3.17.",
                "href": "#unregistered",
                "weight": 1,
            }
        )
    return items
