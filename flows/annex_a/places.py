"""LA of placement: an English LA's name, old 3-digit DfE code or ONS code, read as its ONS code.

LAs write the placing authority as a name ("Leeds", "Leeds City Council", "London Borough of
Barnet", "Bristol, City of"), an old DfE code ("383") or an ONS code ("E08000035"). All are typed to
the current ONS code (flows/las.py); codes an LA reorganisation retired (flows/statistics/la_reorganisations.csv)
resolve to their one successor. The template's codes for a placement outside England or withheld
(NIR, WAL, SCO, NUK, CON) are kept as they are. Anything else stays null and is reported
(`place_unknown`); the raw value is kept beside it in annex_a.*.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

from flows import las

OUTSIDE_ENGLAND = {
    "NIR": "Northern Ireland",
    "WAL": "Wales",
    "SCO": "Scotland",
    "NUK": "Outside the UK",
    "CON": "Confidential",
}
# the statistics package keeps the file; it is data, read here without importing that package
_REORGANISATIONS = Path(__file__).resolve().parent.parent / "statistics" / "la_reorganisations.csv"
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
# words that name the council rather than the place ("Leeds City Council", "Royal Borough of
# Greenwich", "Bristol, City of"); dropped from both the lookup names and the values
_COUNCIL_WORDS = re.compile(
    r"\b(london borough of|royal borough of|metropolitan borough council|metropolitan borough of|"
    r"borough council|county council|city council|district council|council|city of|borough of|"
    r"county of|metropolitan district|the)\b"
)


# common names the lookup spells otherwise
_ALIASES = {"County Durham": "E06000047", "Hull": "E06000010", "Bedford": "E06000055"}


def place_key(value: str) -> str:
    text = str(value).casefold().replace("&", " and ")
    return _NON_ALNUM.sub("", _COUNCIL_WORDS.sub(" ", text))


@cache
def _lookup() -> dict[str, str]:
    """key (name key, old code or ONS code) -> current ONS code."""
    out: dict[str, str] = {}
    for la in las.all_las().values():
        for k in (place_key(la.name), la.old_code, la.ons_code.casefold()):
            if k:
                out.setdefault(k, la.ons_code)
    # retired codes with exactly one successor (code changes, mergers)
    with _REORGANISATIONS.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            successors = row["successor_ons_codes"].split()
            if len(successors) == 1 and successors[0] in las.all_las():
                out.setdefault(row["ons_code"].casefold(), successors[0])
                if row["old_la_code"] not in out:
                    out[row["old_la_code"]] = successors[0]
    for alias, code in _ALIASES.items():
        out.setdefault(place_key(alias), code)
    for code in OUTSIDE_ENGLAND:
        out[code.casefold()] = code
    return out


def ons_code(raw: str | None) -> str | None:
    """The current ONS code (or NIR/WAL/SCO/NUK/CON) a value names, or None."""
    if raw is None:
        return None
    text = raw.strip()
    lookup = _lookup()
    return lookup.get(text.casefold()) or lookup.get(place_key(text))


def name(code: str) -> str:
    """How the template writes a place: the LA's name (or the code for outside England)."""
    if code in OUTSIDE_ENGLAND:
        return code
    return las.all_las()[code].name
