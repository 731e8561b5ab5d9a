"""Annex A code sets: the template's codes, their wording, and the variants LAs really send.

A value is matched on a *key*: case-folded, the template's letter prefix ("a) ", "q) ") removed,
everything but letters and digits dropped. So "a) Male", "Male", "MALE " and "1 - Male" style
spellings collapse onto a few keys per code; explicit variants cover the rest ("M", "1", "NEG").

When no key matches, **the code is authoritative**: the value's leading token, after an optional
prefix ("a)", "(CS)", "1."), is looked up among the set's codes, whatever label, separator (":",
" - ", "–", ".", space) or case follows: "f) U6: Foster placement - not FFA", "b) PR1 - Own
provision", "c2: fco". A label that names a *different* code of the set ("N1 - Family in acute
stress") still maps by the code and is reported (`code_label_mismatch`, info). Codes the current
DfE specifications (CIN census 2025-26, SSDA903 2025-26) have retired stay mapped and are flagged
(`retired_code`, warning).

The canonical value stored in `annex_a.*` is `Code.code`; the raw value is kept beside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

_LETTER_PREFIX = re.compile(r"^\s*[a-z]\)\s*", re.IGNORECASE)
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
# what may stand before the code: "a) ", "(b) ", "p1) " (the SSD extract's 5D), "(CS) ", "12) ", "3. " (a number then a full stop
# and a space: "4. Housing" is tried both ways, see _candidates)
_PREFIX = re.compile(
    r"^\s*(?:\(?[a-z]{1,2}[0-9]?\)|\([^()]{1,12}\)|\(?[0-9]{1,2}\)|[0-9]{1,2}\.(?=\s))\s*", re.IGNORECASE
)
# a leading token, then a separator and the rest ("K2: Children's Homes", "RC6 - Transferred …")
_TOKEN = re.compile(r"^\s*([0-9A-Za-z]+)(?:(\s*[:\-\u2013\u2014.,;/|=>]+\s*|\s+)(.*))?$", re.DOTALL)
_CODE_LIKE = re.compile(r"[0-9]")
_TRAILING_CODE = re.compile(r"^(.*?)\s*[(\[]\s*([0-9A-Za-z]+)\s*[)\]]\s*$", re.DOTALL)
CACHE_MAX = 4096  # distinct raw values remembered per code set


def value_key(value: str) -> str:
    """The matching key of a raw cell value (see module docstring)."""
    return _NON_ALNUM.sub("", _LETTER_PREFIX.sub("", value).casefold())


def strip_prefix(value: str) -> str:
    """The value without what may stand before a code ("a) ", "(CS) ", "1. ")."""
    return _PREFIX.sub("", value, count=1)


@dataclass(frozen=True)
class Code:
    code: str
    label: str
    variants: tuple[str, ...] = ()
    retired: bool = False  # no longer in the current DfE specification; still mapped, flagged

    def keys(self) -> set[str]:
        # "1 - Male", "N1 - Abuse or neglect", "PR4: Private provision": a code or variant and the label
        prefixes = (self.code, *self.variants)
        spellings = {self.label, *prefixes, *(f"{p} {self.label}" for p in prefixes)}
        return {value_key(s) for s in spellings} - {""}

    def tokens(self) -> set[str]:
        """Keys of the one-word spellings (the code, "M", "NEG") a leading token may be."""
        return {value_key(s) for s in (self.code, *self.variants) if re.fullmatch(r"[0-9A-Za-z]+", s)}


@dataclass(frozen=True)
class Resolved:
    code: str | None
    label_mismatch: bool = False  # mapped by its code; the label after it names another code


@dataclass(frozen=True)
class CodeSet:
    name: str
    codes: tuple[Code, ...]
    description: str = ""
    lookup: dict[str, str] = field(init=False, repr=False, compare=False, hash=False)
    token_lookup: dict[str, str] = field(init=False, repr=False, compare=False, hash=False)
    _cache: dict[str, Resolved] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        lookup: dict[str, str] = {}
        tokens: dict[str, str] = {}
        for c in self.codes:
            for k in c.keys():
                if k in lookup and lookup[k] != c.code:
                    raise ValueError(f"code set {self.name}: key {k!r} is ambiguous")
                lookup[k] = c.code
            for k in c.tokens():
                if k in tokens and tokens[k] != c.code:
                    raise ValueError(f"code set {self.name}: token {k!r} is ambiguous")
                tokens[k] = c.code
        object.__setattr__(self, "lookup", lookup)
        object.__setattr__(self, "token_lookup", tokens)
        object.__setattr__(self, "_cache", {})

    def normalise(self, raw: str | None) -> str | None:
        """Canonical code for a raw value, or None when it cannot be mapped."""
        return None if raw is None else self.resolve(raw).code

    def resolve(self, raw: str) -> Resolved:
        """The code a raw value means (see module docstring), and whether its label disagrees."""
        hit = self._cache.get(raw)
        if hit is None:
            hit = self._resolve(raw)
            if len(self._cache) < CACHE_MAX:
                self._cache[raw] = hit
        return hit

    def _resolve(self, raw: str) -> Resolved:
        code = self.lookup.get(value_key(raw))
        if code is not None:
            return Resolved(code)
        stripped = strip_prefix(raw)
        if stripped != raw and (code := self.lookup.get(value_key(stripped))) is not None:
            return Resolved(code)
        for text in dict.fromkeys((stripped, raw)):
            m = _TOKEN.match(text)
            if m is None:
                continue
            token, sep, rest = m.group(1), m.group(2), m.group(3)
            code = self.token_lookup.get(value_key(token))
            if code is None:
                continue
            # a word followed by a space only ("No longer requires", "Male child") is wording, not a
            # code: a bare space separates only a code-like token (a digit, or upper case)
            if sep is not None and not sep.strip() and not (_CODE_LIKE.search(token) or token.isupper()):
                continue
            other = self.lookup.get(value_key(rest or ""))
            return Resolved(code, other is not None and other != code)
        # the code last, in brackets: "White British (WBRI)", "Parental illness or disability [N3]"
        m = _TRAILING_CODE.search(raw)
        if m is not None and (code := self.token_lookup.get(value_key(m.group(2)))) is not None:
            other = self.lookup.get(value_key(m.group(1)))
            return Resolved(code, other is not None and other != code)
        return Resolved(None)

    @cached_property
    def labels(self) -> dict[str, str]:
        return {c.code: c.label for c in self.codes}

    @property
    def values(self) -> list[str]:
        return [c.code for c in self.codes]

    @cached_property
    def current(self) -> list[str]:
        """The codes of the current specification (retired ones left out): what a generator writes."""
        return [c.code for c in self.codes if not c.retired]

    @cached_property
    def retired(self) -> frozenset[str]:
        return frozenset(c.code for c in self.codes if c.retired)


def _cs(name: str, *codes: Code | tuple, description: str = "") -> CodeSet:
    return CodeSet(name, tuple(c if isinstance(c, Code) else Code(*c) for c in codes), description)


GENDER = _cs(
    "gender",
    Code("Male", "Male", ("M", "1", "Boy", "1 - Male")),
    Code("Female", "Female", ("F", "2", "Girl", "2 - Female")),
    Code(
        "Not stated/recorded",
        "Not stated/recorded",
        ("Not stated", "Not recorded", "Unknown", "U", "0", "9", "Not known", "Unborn", "Not specified",
         "Unspecified", "Withheld", "Not stated/recorded (or unborn)", "0 - Not known", "0 - Not stated"),
    ),
    Code("Neither", "Neither", ("Indeterminate", "Other", "N", "I", "Non-binary", "Indeterminate gender")),
)

ETHNICITY = _cs(
    # the older two-character codes (A1 White British …) as case-management systems still hold
    # them; the SSD extract maps them the same way
    "ethnicity",
    ("WBRI", "White British", ("A1",)),
    ("WIRI", "White Irish", ("A2",)),
    ("WIRT", "Traveller of Irish heritage", ("A4",)),
    ("WOTH", "Any other White background", ("A3",)),
    ("WROM", "Gypsy/Roma", ("A5",)),
    ("MWBC", "White and Black Caribbean", ("B1",)),
    ("MWBA", "White and Black African", ("B2",)),
    ("MWAS", "White and Asian", ("B3",)),
    ("MOTH", "Any other mixed background", ("B4",)),
    ("AIND", "Indian", ("C1",)),
    ("APKN", "Pakistani", ("C2",)),
    ("ABAN", "Bangladeshi", ("C3",)),
    ("AOTH", "Any other Asian background", ("C4",)),
    ("BCRB", "Caribbean", ("D1",)),
    ("BAFR", "African", ("D2",)),
    ("BOTH", "Any other Black background", ("D3",)),
    ("CHNE", "Chinese", ("E1",)),
    ("OOTH", "Any other ethnic group", ("E2",)),
    ("REFU", "Refused", ("E3",)),
    ("NOBT", "Information not yet obtained", ("Not obtained", "E4")),
)

YES_NO = _cs(
    "yes_no",
    Code("Yes", "Yes", ("Y", "True", "1")),
    Code("No", "No", ("N", "False", "0")),
)

YES_NO_UNKNOWN = _cs(
    "yes_no_unknown",
    Code("Yes", "Yes", ("Y", "True", "1")),
    Code("No", "No", ("N", "False", "0")),
    Code("Unknown", "Unknown", ("U", "Not known", "Not recorded")),
)

SOURCE = _cs(
    "source",
    ("1A", "Individual: family member, relative or carer"),
    ("1B", "Individual: acquaintance (including neighbours and child minders)"),
    ("1C", "Individual: self"),
    ("1D", "Individual: other"),
    ("2A", "Schools"),
    ("2B", "Education services"),
    ("3A", "Health services: GP"),
    ("3B", "Health services: health visitor"),
    ("3C", "Health services: school nurse"),
    ("3D", "Health services: other primary health services"),
    ("3E", "Health services: A&E"),
    ("3F", "Health services: other"),
    ("4", "Housing"),
    ("5A", "LA services: social care"),
    ("5B", "LA services: other internal"),
    ("5C", "LA services: external"),
    ("5D", "LA services: early help"),
    ("6", "Police"),
    ("7", "Other legal agency"),
    ("8", "Other"),
    ("9", "Anonymous"),
    ("10", "Unknown"),
    description="CIN census source of referral",
)

NEED = _cs(
    "need",
    ("N1", "Abuse or neglect"),
    ("N2", "Child's disability"),
    ("N3", "Parental disability or illness"),
    ("N4", "Family in acute stress"),
    ("N5", "Family dysfunction"),
    ("N6", "Socially unacceptable behaviour"),
    ("N7", "Low income"),
    ("N8", "Absent parenting"),
    ("N9", "Cases other than children in need"),
    ("N0", "Not stated"),
    description="CIN census 2025-26 primary need code",
)

CIN_CLOSURE = _cs(
    "cin_closure",
    ("RC1", "Adopted"),
    ("RC2", "Died"),
    ("RC3", "Child arrangements order"),
    ("RC4", "Special guardianship order"),
    ("RC5", "Transferred to services of another LA"),
    ("RC6", "Transferred to adult social care"),
    ("RC7", "Services ceased for any other reason, including child no longer in need"),
    ("RC8", "Case closed after assessment, no further action"),
    ("RC9", "Case closed after assessment, referred to early help"),
)

CASE_STATUS = _cs(
    "case_status",
    Code("Looked after child", "Looked after child", ("LAC", "CLA", "Looked after", "CLA plan", "Child looked after")),
    Code("Child Protection plan", "Child Protection plan", ("CP", "CPP", "Child protection", "CP plan")),
    Code("Child in need plan", "Child in need plan", ("CIN", "Child in need", "CIN plan")),
    Code("Open assessment", "Open assessment", ("Assessment",)),
    Code("Closed episode", "Closed episode", ("Closed",)),
)

ABUSE_CATEGORY = _cs(
    "abuse_category",
    Code("Neglect", "Neglect", ("NEG", "1d Neglect")),
    Code("Physical abuse", "Physical abuse", ("PHY", "Physical", "1a Physical abuse")),
    Code("Sexual abuse", "Sexual abuse", ("SAB", "Sexual", "1c Sexual abuse")),
    Code("Emotional abuse", "Emotional abuse", ("EMO", "Emotional", "1b Emotional abuse")),
    Code("Multiple/not recommended", "Multiple/not recommended", ("MUL", "Multiple", "Multiple abuse")),
)

LEGAL_STATUS = _cs(
    "legal_status",
    ("C1", "Interim care order"),
    ("C2", "Full care order"),
    ("D1", "Freeing order granted"),
    ("E1", "Placement order granted"),
    ("V2", "Single period of accommodation under section 20"),
    ("V3", "Accommodated under an agreed series of short-term breaks, when individual episodes of care are recorded"),
    ("V4", "Accommodated under an agreed series of short-term breaks, when agreements are recorded"),
    ("L1", "Under police protection and in local authority accommodation"),
    ("L2", "Emergency protection order"),
    ("L3", "Under child assessment order and in local authority accommodation"),
    ("J1", "Remanded to local authority accommodation or to youth detention accommodation"),
    ("J2", "Placed in local authority accommodation under the Police and Criminal Evidence Act 1984"),
    ("J3", "Sentenced to a youth rehabilitation order with residence or intensive fostering requirement"),
)

# SSDA903 2025-26: a looked-after child's category of need is N1-N8 (N9 and N0 are CIN-only)
CATEGORY_OF_NEED = _cs(
    "category_of_need",
    *(c for c in NEED.codes if c.code not in ("N9", "N0")),
    description="SSDA903 2025-26 category of need",
)

PERMANENCE_PLAN = _cs(
    "permanence_plan",
    ("Return to family", "Return to family"),
    ("Adoption", "Adoption"),
    Code("SGO/CAO", "SGO/CAO", ("SGO", "CAO", "Special guardianship order")),
    ("Supported living in the community", "Supported living in the community"),
    ("Long-term residential placement", "Long-term residential placement"),
    ("Long-term fostering", "Long-term fostering"),
    Code("Other", "Other"),
)

REASON_CEASED = _cs(
    "reason_ceased",
    ("E11", "Adopted: application for an adoption order unopposed"),
    ("E12", "Adopted: consent dispensed with by the court"),
    ("E2", "Died"),
    ("E3", "Care taken over by another LA in the UK"),
    ("E4A", "Returned home to live with parents or relatives as part of the care planning process"),
    ("E4B", "Returned home to live with parents or relatives not as part of the care planning process"),
    ("E13", "Left care to live with parents, relatives or other person with no parental responsibility"),
    ("E41", "Residence order or child arrangements order granted"),
    Code("E43", "Special guardianship order made to former foster carers", retired=True),
    Code("E44", "Special guardianship order made to carers other than former foster carers", retired=True),
    ("E45", "Special guardianship order made to former foster carers who were relatives or friends"),
    ("E46", "Special guardianship order made to former foster carers other than relatives or friends"),
    ("E47", "Special guardianship order made to carers other than former foster carers, who are relatives or friends"),
    ("E48", "Special guardianship order made to carers other than former foster carers, other than relatives or friends"),
    ("E5", "Moved into independent living arrangement with formalised support"),
    ("E6", "Moved into independent living arrangement without formalised support"),
    ("E7", "Transferred to residential care funded by adult social care"),
    ("E9", "Sentenced to custody"),
    ("E14", "Accommodation on remand ended"),
    ("E15", "Age assessment determined child is aged 18 or over"),
    ("E16", "Child moved abroad"),
    ("E17", "Aged 18 (or over) and remained with current carers (staying put)"),
    ("E8", "Period of care ceased for any other reason"),
    description="SSDA903 2025-26 reason episode ceased",
)

PLACEMENT_TYPE = _cs(
    "placement_type",
    ("U1", "Foster placement with relative or friend, long term, fostering for adoption"),
    ("U2", "Foster placement with relative or friend who is also an approved adopter, FFA"),
    ("U3", "Foster placement with relative or friend, not long term or FFA"),
    ("U4", "Foster placement with other foster carer, long term"),
    ("U5", "Foster placement with other foster carer who is also an approved adopter, FFA"),
    ("U6", "Foster placement with other foster carer, not long term or FFA"),
    ("A3", "Placed for adoption with parental consent with current foster carer"),
    ("A4", "Placed for adoption with parental consent not with current foster carer"),
    ("A5", "Placed for adoption with placement order with current foster carer"),
    ("A6", "Placed for adoption with placement order not with current foster carer"),
    ("P1", "Placed with own parent or other person with parental responsibility"),
    Code("P2", "Independent living, e.g. flat, lodgings, bedsit", retired=True),
    ("P3", "Residential employment"),
    Code("H5", "Semi-independent living accommodation not subject to children's homes regulations", retired=True),
    ("K1", "Secure children's home"),
    ("K2", "Children's home"),
    ("K3", "Supported accommodation (SSDA903 code K3)"),
    ("R1", "Residential care home"),
    ("R2", "NHS/health trust or other establishment providing medical or nursing care"),
    ("R3", "Family centre or mother and baby unit"),
    ("R5", "Young offender institution or prison"),
    ("S1", "Residential school"),
    Code("Z1", "Other placements", retired=True),
    ("Z11", "Other placement (SSDA903 code Z11)"),
    ("Z12", "Other placement (SSDA903 code Z12)"),
    ("Z13", "Other placement (SSDA903 code Z13)"),
    ("Z14", "Other placement (SSDA903 code Z14)"),
    ("T0", "Temporary placement: all types"),
    ("T1", "Temporary periods in hospital"),
    ("T2", "Temporary absences of the child on holiday"),
    ("T3", "Temporary accommodation whilst normal foster carer is on holiday"),
    ("T4", "Temporary accommodation of seven days or less"),
    description="SSDA903 2025-26 placement type",
)

PLACEMENT_PROVIDER = _cs(
    "placement_provider",
    ("PR0", "Parent(s) or other person(s) with parental responsibility"),
    ("PR1", "Own provision (by the LA)"),
    ("PR2", "Other LA provision"),
    ("PR3", "Other public provision (e.g. by a PCT etc)"),
    ("PR4", "Private provision"),
    ("PR5", "Voluntary/third sector provision"),
)

PLACEMENT_LOCATION = _cs(
    "placement_location",
    Code("In", "In", ("Inside", "In LA", "In area", "Inside LA boundary", "In borough", "In county", "Within LA")),
    Code("Out", "Out", ("Outside", "Out of LA", "Out of area", "Outside LA boundary", "Out of borough",
                        "Out of county", "Outside LA")),
)

CARE_LEAVER_ELIGIBILITY = _cs(
    "care_leaver_eligibility",
    ("Relevant child", "Relevant child"),
    ("Former relevant child", "Former relevant child"),
    ("Qualifying care leaver", "Qualifying care leaver"),
    ("Eligible child", "Eligible child"),
)

IN_TOUCH = _cs(
    "in_touch",
    Code("Yes", "Yes", ("Y",)),
    Code("No", "No", ("N",)),
    Code("Died", "Died", ("DIED",)),
    Code("Refu", "Refused", ("REFU",)),
    Code("NREQ", "No longer requires services", ("NREQ",)),
    Code("Rhom", "Returned home", ("RHOM",)),
)

ACCOMMODATION_SUITABILITY = _cs(
    "accommodation_suitability",
    Code("Suitable", "Suitable", ("1",)),
    Code("Unsuitable", "Unsuitable", ("2", "Not suitable")),
)

ACCOMMODATION = _cs(
    "accommodation",
    ("B", "With parents or relatives"),
    ("C", "Community home"),
    ("D", "Semi-independent, transitional accommodation"),
    ("E", "Supported lodgings"),
    ("G", "Gone abroad"),
    ("H", "Deported"),
    ("K", "Ordinary lodgings"),
    ("R", "Residence not known"),
    ("S", "No fixed abode/homeless"),
    ("T", "Foyers"),
    ("U", "Independent living"),
    ("V", "Emergency accommodation"),
    ("W", "Bed and breakfast"),
    ("X", "In custody"),
    ("Y", "Other accommodation"),
    ("Z", "With former foster carers"),
)

ACTIVITY = _cs(
    "activity",
    ("F1", "Full time in higher education"),
    ("P1", "Part time in higher education"),
    ("F2", "Full time in education other than higher education"),
    ("P2", "Part time in education other than higher education"),
    Code("F3", "Full time in training or employment (older code)", retired=True),
    Code("P3", "Part time in training or employment (older code)", retired=True),
    ("F4", "Full time apprenticeship"),
    ("P4", "Part time apprenticeship"),
    ("F5", "Full time in other training or employment"),
    ("P5", "Part time in other training or employment"),
    ("G4", "NEET: illness or disability"),
    ("G5", "NEET: other reasons"),
    ("G6", "NEET: pregnancy or parenting"),
    description="SSDA903 2025-26 care leaver activity",
)

ADOPTION_REVERSED = _cs(
    "adoption_reversed",
    ("RD1", "The child's needs changed subsequent to the decision"),
    ("RD2", "The court did not make a placement order"),
    ("RD3", "Prospective adopters could not be found"),
    ("RD4", "Any other reason"),
)

ADOPTER_LEAVING = _cs(
    "adopter_leaving",
    ("1", "Withdrew"),
    ("2", "Put on hold"),
    ("3", "Application refused"),
)

CURRENT_STATUS = _cs(
    "current_status",
    Code("Care leaver", "Care leaver", ("CL",)),
    Code("Looked after child", "Looked after child", ("LAC", "CLA", "Looked after")),
    Code("Child protection", "Child protection", ("CP", "CPP", "Child protection plan")),
    Code("Child in need", "Child in need", ("CIN", "Child in need plan")),
    Code("No statutory service", "No statutory service", ("None", "Not receiving a statutory service", "NSS")),
    description="2.02 current status of each child",
)

UNREGISTERED_TYPE = _cs(
    "unregistered_type",
    Code("Unregistered children's home", "Unregistered children's home", ("Childrens home", "Children's home")),
    Code(
        "Unregistered supported accommodation",
        "Unregistered supported accommodation",
        ("Supported accommodation", "Semi-independent", "Supported living"),
    ),
    Code("Other unregistered provision", "Other unregistered provision", ("Other",)),
    description="3.17 type of unregistered provision",
)

DOLS_ACCOMMODATION = _cs(
    "dols_accommodation",
    Code("Unregistered children's home", "Unregistered children's home"),
    Code("Registered children's home", "Registered children's home", ("Children's home", "K2")),
    Code("Secure children's home", "Secure children's home", ("K1",)),
    Code("Unregistered supported accommodation", "Unregistered supported accommodation"),
    Code("Registered supported accommodation", "Registered supported accommodation", ("Supported accommodation", "H5", "K3")),
    Code("Foster placement", "Foster placement", ("Foster care", "Fostering")),
    Code("Hospital or health setting", "Hospital or health setting", ("Hospital", "R2")),
    Code("Other", "Other"),
    description="3.18 type of accommodation most recently placed in",
)
