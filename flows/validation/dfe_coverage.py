"""How the rule catalogue stands against DfE's own validators: every rule of each is listed once in
flows/validation/dfe/<validator>.csv, and docs/rules.md shows the table (issue 19).

A CSV row is one DfE rule: `rule` (its code in the validator), `checks` (what it checks, in our
words), `annex_a` (the Annex A columns it concerns, `list.column` separated by spaces; empty when it
concerns none), `status` and `note`:
- mirrored: a catalogue rule checks the same thing (the catalogue's `dfe=` names it);
- partly: a catalogue rule checks it as far as Annex A allows; the note says what differs;
- not_applicable: it concerns an Annex A field but cannot or should not be applied; the note says why;
- no_annex_a_field: it concerns nothing Annex A carries (the note may name what it needs).

Which catalogue rule mirrors a DfE rule is declared once, on the catalogue rule (`Rule.dfe`); the
CSV's status must agree with it (`problems`, run by the tests).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

DIR = Path(__file__).with_name("dfe")

# How many rules each validator runs for the year: the `registry` of cin_validator.rules.cin2025_26
# and lac_validator.rules.lac2026_27 (csc-validator-be-cin 0.1.13, csc-validator-be-903 0.1.17 from
# PyPI), each a year's rules added to the last year's, less the year's deletions.
# prefix used in Rule.dfe → (CSV, the validator and the rule set read, how many rules it has)
VALIDATORS: dict[str, tuple[str, str, int]] = {
    "CIN": ("cin.csv", "CIN census: data-to-insight/csc-validator-be-cin, rules for 2025-26", 109),
    "903": ("ssda903.csv", "SSDA903: data-to-insight/csc-validator-be-903, rules for 2026-27", 327),
}

STATUSES = {
    "mirrored": "mirrored",
    "partly": "mirrored as far as Annex A allows",
    "not_applicable": "not applicable",
    "no_annex_a_field": "concerns no Annex A field",
}
APPLICABLE = ("mirrored", "partly", "not_applicable")


@dataclass(frozen=True)
class DfeRule:
    validator: str
    rule: str
    checks: str
    annex_a: tuple[str, ...]
    status: str
    note: str

    @property
    def id(self) -> str:
        """As the catalogue names it: "CIN 8606", "903 392c"."""
        return f"{self.validator} {self.rule}"


def load() -> list[DfeRule]:
    out = []
    for prefix, (name, _, _) in VALIDATORS.items():
        with (DIR / name).open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                out.append(
                    DfeRule(
                        prefix,
                        row["rule"].strip(),
                        row["checks"].strip(),
                        tuple(row["annex_a"].split()),
                        row["status"].strip(),
                        (row.get("note") or "").strip(),
                    )
                )
    return out


def mirrored_by(catalogue) -> dict[str, list[str]]:
    """DfE rule id → the catalogue rules that name it."""
    out: dict[str, list[str]] = {}
    for r in catalogue:
        for d in r.dfe:
            out.setdefault(d, []).append(r.id)
    return out


def problems(catalogue, specs) -> list[str]:
    """Where the CSVs disagree with themselves, the catalogue or the Annex A specs."""
    rows = load()
    by = mirrored_by(catalogue)
    columns = {f"{s.table}.{c.name}" for s in specs for c in s.columns}
    out = []
    seen: set[str] = set()
    for d in rows:
        if d.id in seen:
            out.append(f"{d.id}: listed twice")
        seen.add(d.id)
        if d.status not in STATUSES:
            out.append(f"{d.id}: unknown status {d.status!r}")
        if not d.checks:
            out.append(f"{d.id}: says nothing of what it checks")
        if (d.status in ("mirrored", "partly")) != (d.id in by):
            out.append(f"{d.id}: status {d.status} but mirrored by {by.get(d.id, [])}")
        if d.status in ("partly", "not_applicable") and not d.note:
            out.append(f"{d.id}: {d.status} needs a note saying why")
        if (d.status == "no_annex_a_field") == bool(d.annex_a):
            out.append(f"{d.id}: status {d.status} but Annex A columns {list(d.annex_a)}")
        out += [f"{d.id}: no Annex A column {c}" for c in d.annex_a if c not in columns]
    out += [f"{d}: named by {by[d]} but not in the DfE rule lists" for d in by if d not in seen]
    for prefix, (name, _, expected) in VALIDATORS.items():
        n = sum(1 for d in rows if d.validator == prefix)
        if n != expected:
            out.append(f"{name}: {n} rules listed, the validator has {expected}")
    return out


def markdown(catalogue) -> list[str]:
    """The coverage section of docs/rules.md."""
    rows = load()
    by = mirrored_by(catalogue)
    lines = [
        "## Coverage of DfE's validators",
        "",
        "Every rule of DfE's own validators, from `flows/validation/dfe/`. A rule that concerns a field",
        "Annex A carries is mirrored, mirrored as far as Annex A allows (the note says what differs), or",
        "not applicable (the note says why).",
        "",
        "| Validator | Rules | Concern Annex A fields | Mirrored | As far as Annex A allows | Not applicable |",
        "|---|---|---|---|---|---|",
    ]
    for prefix, (_, title, _) in VALIDATORS.items():
        mine = [d for d in rows if d.validator == prefix]
        count = {s: sum(1 for d in mine if d.status == s) for s in STATUSES}
        applicable = sum(count[s] for s in APPLICABLE)
        lines.append(
            f"| {title} | {len(mine)} | {applicable} | {count['mirrored']} | {count['partly']} "
            f"| {count['not_applicable']} |"
        )
    for prefix, (_, title, _) in VALIDATORS.items():
        mine = sorted((d for d in rows if d.validator == prefix), key=lambda d: sort_key(d.id))
        lines += [
            "",
            f"### {title}: rules on Annex A fields",
            "",
            "| DfE rule | Checks | Status | Mirrored by | Note |",
            "|---|---|---|---|---|",
        ]
        for d in mine:
            if d.status in APPLICABLE:
                rules = ", ".join(f"`{r}`" for r in by.get(d.id, [])) or "-"
                lines.append(
                    f"| {d.rule} | {d.checks} | {STATUSES[d.status]} | {rules} | {d.note or '-'} |"
                )
        rest = [d for d in mine if d.status == "no_annex_a_field"]
        lines += [
            "",
            f"### {title}: rules on fields Annex A does not carry ({len(rest)})",
            "",
            "| DfE rule | Checks | Needs |",
            "|---|---|---|",
        ]
        lines += [f"| {d.rule} | {d.checks} | {d.note or '-'} |" for d in rest]
    return lines


def sort_key(name: str) -> tuple[str, int, str]:
    """ "903 392c" → ("903", 392, "392c"): numeric order within a validator."""
    source, _, number = name.partition(" ")
    digits = "".join(ch for ch in number if ch.isdigit())
    return source, int(digits or 0), number
