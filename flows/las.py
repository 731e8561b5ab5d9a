"""Local authorities: resolve an ONS code (canonical) or an old 3-digit DfE code to one LA."""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from flows.config import PUBLISHED_DIR
from flows.errors import InputError

ONS_CODE = r"E(06|08|09|10)\d{6}"  # an LA with children's services (unitary, met, London, county)
_ONS = re.compile(f"^{ONS_CODE}$")
_OLD = re.compile(r"^\d{3}$")


@dataclass(frozen=True)
class LocalAuthority:
    ons_code: str
    old_code: str
    name: str
    region_code: str
    region_name: str
    la_type: str
    population_0_25: int | None
    stat_neighbours: tuple[str, ...]  # ONS codes, 2025 model, closest first


@cache
def all_las() -> dict[str, LocalAuthority]:
    path = PUBLISHED_DIR / "la_lookups" / "d2i_Provider_data_lookup.csv"
    out: dict[str, LocalAuthority] = {}
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    # A few rows carry another region's code beside the right name (e.g. Gloucestershire): the name
    # wins, coded as most rows with that name are.
    votes = Counter((r["rgn22nm"].strip().casefold(), r["rgn22cd"].strip()) for r in rows)
    region_code = {name: code for (name, code), _ in sorted(votes.items(), key=lambda kv: kv[1])}
    for r in rows:
        if not r["la_code_new"].strip():
            continue  # former LAs (Cumbria, Northamptonshire, Poole) have no current ONS code
        la = LocalAuthority(
            ons_code=r["la_code_new"].strip(),
            old_code=r["la_code"].strip(),
            name=r["local_authority_ons_name"].strip(),
            region_code=region_code[r["rgn22nm"].strip().casefold()],
            region_name=r["rgn22nm"].strip(),
            la_type=r["ons_la_type"].strip(),
            population_0_25=int(r["ons_population_0-25"])
            if r["ons_population_0-25"].strip().isdigit()
            else None,
            stat_neighbours=tuple(
                c.strip() for c in r["stat_neighbours_la_code"].split(",") if c.strip()
            ),
        )
        out[la.ons_code] = la
    return out


def resolve(code: str) -> LocalAuthority:
    """The LA for an ONS code (E06/E08/E09/E10…) or an old 3-digit DfE code.

    Rejects anything else before any file is touched (a code ends up in paths).
    """
    c = (code or "").strip().upper()
    if not (_ONS.match(c) or _OLD.match(c)):
        raise InputError(
            f"LA code {code!r:.40} is not an ONS code (e.g. E10000016) or a 3-digit DfE code (e.g. 886)."
        )
    las = all_las()
    if c in las:
        return las[c]
    for la in las.values():
        if la.old_code == c:
            return la
    raise InputError(f"LA code {c} is not a local authority in England in the bundled lookup.")
