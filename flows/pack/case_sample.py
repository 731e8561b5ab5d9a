"""The suggested case sample (para 329, 144, 162, 163): up to 12 already-audited children for a standard
or short inspection, 6 for a focused or monitoring visit, chosen to cover the selection factors.

Input: rows of pack.case_sample_candidates (one per audited child, a few hundred at most). Each child
carries *tags* (a factor it would bring to the sample) with a weight saying how much the framework
insists on it: exploitation or missing "must be part of the cohort" (para 162), children who appear to
have waited (para 163) and unregistered provision (para 311) come next, then placement type, sibling
group and disability, then breadth across services, ages, sex and ethnicity. A greedy cover picks,
each time, the child adding the most uncovered weight; ties go to the child with more factors, then the
lower child ID, so the same data always gives the same sample. Each pick's reason is the factors it
was chosen to cover.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

SAMPLE_SIZE = {"standard": 12, "short": 12, "focused": 6, "monitoring": 6}

ETHNIC_GROUPS = (
    ("W", "White"),
    ("M", "Mixed or multiple ethnic groups"),
    ("A", "Asian or Asian British"),
    ("B", "Black or Black British"),
)


def _age_band(age: int | None) -> str | None:
    if age is None:
        return None
    if age < 5:
        return "under 5"
    if age <= 10:
        return "5 to 10"
    if age <= 15:
        return "11 to 15"
    if age <= 17:
        return "16 or 17"
    return "18 or over"


def _ethnic_group(code: str | None) -> str | None:
    if not code or code in ("REFU", "NOBT"):
        return None
    if code == "CHNE":
        return "Asian or Asian British"
    for prefix, name in ETHNIC_GROUPS:
        if code.startswith(prefix):
            return name
    return "Other ethnic group"


def tags(row: Mapping) -> dict[str, tuple[int, str]]:
    """{tag: (weight, reason text)} for one candidate."""
    t: dict[str, tuple[int, str]] = {}
    if row.get("exploitation"):
        t["exploitation"] = (100, "at risk of exploitation (para 162)")
    if row.get("missing"):
        t["missing"] = (100, "has been missing (para 162)")
    if row.get("unregistered"):
        t["unregistered"] = (90, "placed in unregistered provision (para 311)")
    wd = row.get("assessment_working_days")
    if wd is not None and wd > 45:
        t["waited_assessment"] = (
            80,
            f"appears to have waited: assessment took or has taken {wd} working days (para 163)",
        )
    cp_days = row.get("cp_days")
    if cp_days is not None and cp_days >= 730:
        t["waited_cp"] = (
            80,
            f"appears to have waited: on a child protection plan for {cp_days // 30} months (para 163)",
        )
    adoption_days = row.get("adoption_days")
    if adoption_days is not None and adoption_days > 365:
        t["waited_adoption"] = (
            80,
            f"appears to have waited: {adoption_days} days from the adoption decision to placement or the notification date (para 163)",
        )
    if row.get("out_of_area"):
        t["out_of_area"] = (60, "placed out of area (para 162)")
    if row.get("kinship"):
        t["kinship"] = (60, "kinship or connected-person placement (para 162)")
    if row.get("placed_with_parents"):
        t["placed_with_parents"] = (60, "placed with parents while in care (para 162)")
    sib = row.get("sibling_group") or 0
    if sib >= 3:
        t["large_sibling_group"] = (60, f"from a sibling group of {sib} (para 162)")
    if row.get("disabled"):
        t["disabled"] = (50, "disabled (para 162)")
    for key, label in (
        ("care_leaver", "a care leaver"),
        ("in_care", "in care"),
        ("on_cp", "on a child protection plan"),
        ("in_need", "a child in need"),
    ):
        if row.get(key):
            t[f"cohort:{key}"] = (30, label)
    band = _age_band(row.get("age"))
    if band:
        t[f"age:{band}"] = (20, f"aged {band}")
    if row.get("gender") in ("Male", "Female", "Neither"):
        t[f"sex:{row['gender']}"] = (
            15,
            {"Male": "male", "Female": "female", "Neither": "neither male nor female"}[
                row["gender"]
            ],
        )
    group = _ethnic_group(row.get("ethnicity"))
    if group:
        t[f"ethnicity:{group}"] = (15, f"ethnic group: {group}")
    return t


def suggest(candidates: Iterable[Mapping], visit_type: str) -> list[dict]:
    """The sample, in pick order, each with `reasons` (list of str) and `covers` (new factors)."""
    size = SAMPLE_SIZE.get(visit_type, 12)
    pool = [(dict(r), tags(r)) for r in candidates]
    pool.sort(key=lambda p: str(p[0]["child_id"]))
    covered: set[str] = set()
    chosen: list[dict] = []
    while pool and len(chosen) < size:
        best_i, best_key = 0, None
        for i, (row, t) in enumerate(pool):
            gain = sum(w for k, (w, _) in t.items() if k not in covered)
            total = sum(w for w, _ in t.values())
            key = (-gain, -total, str(row["child_id"]))
            if best_key is None or key < best_key:
                best_i, best_key = i, key
        row, t = pool.pop(best_i)
        new = [k for k in t if k not in covered]
        new.sort(key=lambda k: (-t[k][0], k))
        if new:
            reasons = [t[k][1] for k in new]
        else:
            top = sorted(t, key=lambda k: (-t[k][0], k))[:3]
            reasons = (
                ["a further example: " + ", ".join(t[k][1] for k in top)]
                if top
                else ["recently audited"]
            )
        covered.update(t)
        chosen.append({**row, "reasons": reasons, "factors": len(t)})
    return chosen


COHORTS = (
    ("care_leaver", "Care leaver"),
    ("in_care", "In care"),
    ("on_cp", "Child protection plan"),
    ("in_need", "Child in need"),
    ("adoption", "Adoption (list 10)"),
)

# Para 162 factors the Annex A lists cannot show for a child, said once beside the sample.
NOT_SHOWN = (
    "educational achievement and attendance (only list 2.05, children missing education, touches it)",
    "sibling groups outside list 10 (only adoption records carry a family ID)",
    "kinship or connected-person arrangements for children not in care (special guardianship, "
    "child arrangements orders)",
    "children supported by a third-party provider with delegated functions",
)


def cohort(row: Mapping) -> str:
    """The child's cohorts on the lists, most specific first ('Not on lists 6 to 10' when none)."""
    names = [label for key, label in COHORTS if row.get(key)]
    return "; ".join(names) if names else "Not on lists 6 to 10"


def annotate(sample: list[dict], enquiries: Mapping[str, list[dict]]) -> list[dict]:
    """Each sampled child with its cohort and the lines of enquiry (lists) it is on: {child_id:
    [{id, title}]} from the pack's lists, so an inspector sees which line each child serves."""
    return [
        {**s, "cohort": cohort(s), "serves": enquiries.get(str(s["child_id"]), [])} for s in sample
    ]
