"""Property-based tests (hypothesis) for the date and code normalisers: thousands of generated cases.

Each example is a batch of values put through the product's own vectorised expressions once, so the
case counts are large and the run is short. The counts go to docs/reliability.md.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import polars as pl
import pytest
from hostile_corpus import record
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.annex_a import codes
from flows.annex_a.normalise import clean, parse_date, parse_dates

CASES: Counter[str] = Counter()
SETTINGS = settings(
    max_examples=400, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
CODE_SETS = [v for v in vars(codes).values() if isinstance(v, codes.CodeSet)]
ALL_CODES = [(cs, c) for cs in CODE_SETS for c in cs.codes]
EXCEL_EPOCH = dt.date(1899, 12, 30)


def _parse(values: list[str]) -> list[dt.date | None]:
    frame = pl.DataFrame({"s": pl.Series(values, dtype=pl.String)})
    return frame.select(parse_date(clean(pl.col("s")))).to_series().to_list()


def _forms(d: dt.date) -> list[str]:
    """Every form a date arrives in (Excel serial, dd/mm/yyyy text, ISO text, datetimes)."""
    forms = [
        str((d - EXCEL_EPOCH).days),
        f"{(d - EXCEL_EPOCH).days}.5",  # a serial with a time of day
        d.isoformat(),
        f"{d.isoformat()} 00:00:00",
        f"{d.isoformat()}T13:45:00",
        d.strftime("%d/%m/%Y"),
        f"{d.day}/{d.month}/{d.year}",
        d.strftime("%d.%m.%Y"),
        d.strftime("%d-%m-%Y"),
        f"{d.strftime('%d/%m/%Y')} 00:00",
        d.strftime("%Y%m%d"),
        d.strftime("%d %B %Y"),
        d.strftime("%d-%b-%Y"),
        f"{d.day} {d.strftime('%b').upper()} {d.year}",
        f"  {d.strftime('%d/%m/%Y')}\t",
    ]
    if 1970 <= d.year <= 2068:  # two-digit years: 70-99 → 19xx, 00-68 → 20xx
        forms.append(d.strftime("%d/%m/%y"))
    return forms


@SETTINGS
@given(
    st.lists(
        st.dates(min_value=dt.date(1928, 1, 1), max_value=dt.date(2099, 12, 31)),
        min_size=1,
        max_size=40,
    )
)
def test_any_date_in_every_accepted_form_parses_back_to_itself(dates):
    values, expected = [], []
    for d in dates:
        forms = _forms(d)
        values += forms
        expected += [d] * len(forms)
    got = _parse(values)
    wrong = [(v, e, g) for v, e, g in zip(values, expected, got, strict=True) if g != e]
    assert wrong == []
    CASES["date forms"] += len(values)


GARBAGE = st.one_of(
    st.text(max_size=30),
    st.text(alphabet="0123456789/-. :T", max_size=20),
    st.from_regex(r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{2,4}", fullmatch=True),
    st.sampled_from(
        [
            "#N/A",
            "N/A",
            "NULL",
            "-",
            "31/02/2025",
            "00/00/0000",
            "2025-13-01",
            "9999999999",
            "1e5",
            "=TODAY()",
            "<script>",
            "32/01/2025",
            "29/02/2023",
            "TBC",
            "unknown",
        ]
    ),
)


@SETTINGS
@given(st.lists(GARBAGE, min_size=1, max_size=100))
def test_garbage_never_crashes_and_never_becomes_a_wrong_date(values):
    got = _parse(values)
    assert len(got) == len(values)
    for v, g in zip(values, got, strict=True):
        if g is None:
            continue
        assert isinstance(g, dt.date)
        assert any(ch.isdigit() for ch in v)  # no date out of text without digits
        s = v.strip()
        # a parsed value is one of the accepted forms of that very date
        dmy = re.match(r"^([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{2}|[0-9]{4})\b", s)
        assert (
            (
                s.split(".")[0].isdigit() and int(s.split(".")[0]) == (g - EXCEL_EPOCH).days
            )  # a serial
            or re.match(rf"^{g.year:04d}-0?{g.month}-0?{g.day}\b", s)  # ISO
            or s == g.strftime("%Y%m%d")
            or (
                dmy
                and (int(dmy[1]), int(dmy[2])) == (g.day, g.month)
                and int(dmy[3]) in (g.year, g.year % 100)
            )
            or g.strftime("%b").lower() in s.lower()
        ), (v, g)
    CASES["garbage dates"] += len(values)


@SETTINGS
@given(
    st.lists(
        st.one_of(
            GARBAGE,
            st.dates(min_value=dt.date(1928, 1, 1), max_value=dt.date(2099, 12, 31)).flatmap(
                lambda d: st.sampled_from(_forms(d))
            ),
            st.from_regex(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([ T][0-9:.]{0,8})?", fullmatch=True),
        ),
        min_size=1,
        max_size=60,
        unique=True,
    )
)
def test_distinct_dates_parse_as_the_whole_cascade_parses_them(values):
    """The typing parses a list's distinct values with the cascade only for those not in ISO form
    (parse_dates): the same dates as parse_date gives every value, in the same order."""
    series = pl.Series(values, dtype=pl.String)
    whole = series.to_frame("s").select(parse_date(pl.col("s"))).to_series().to_list()
    assert parse_dates(series).to_list() == whole
    CASES["distinct dates"] += len(values)


# --- codes -------------------------------------------------------------------------------------------
def _spellings(code: codes.Code) -> list[str]:
    return [code.code, code.label, *code.variants, f"{code.code} - {code.label}"]


def _respell(draw, text: str) -> str:
    case = draw(st.sampled_from(["as is", "upper", "lower", "title", "random"]))
    if case == "upper":
        text = text.upper()
    elif case == "lower":
        text = text.lower()
    elif case == "title":
        text = text.title()
    elif case == "random":
        flips = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
        text = "".join(ch.upper() if f else ch.lower() for ch, f in zip(text, flips, strict=True))
    prefix = draw(st.sampled_from(["", "a) ", "q)", "Z)  ", " c) "]))
    pad = draw(st.sampled_from(["", " ", "  ", "\t", "\u00a0"]))
    return f"{pad}{prefix}{text}{pad}"


@st.composite
def spelt_code(draw):
    cs, code = draw(st.sampled_from(ALL_CODES))
    return cs, code, _respell(draw, draw(st.sampled_from(_spellings(code))))


@settings(SETTINGS, max_examples=700)
@given(st.lists(spelt_code(), min_size=1, max_size=40))
def test_any_code_with_any_prefix_case_or_spacing_normalises_to_itself(items):
    for cs, code, raw in items:
        assert cs.normalise(raw) == code.code, (cs.name, raw)
    CASES["code spellings"] += len(items)


@settings(SETTINGS, max_examples=700)
@given(st.sampled_from(CODE_SETS), st.lists(GARBAGE, min_size=1, max_size=40))
def test_garbage_never_crashes_and_maps_only_to_the_code_it_spells(cs, values):
    for v in values:
        got = cs.normalise(v)
        if got is None:
            continue
        # a mapped value spells (after prefix, case and punctuation are dropped) one of that code's
        # spellings, or leads (after a prefix) with the code itself: the code is authoritative
        code = next(c for c in cs.codes if c.code == got)
        stripped = codes.strip_prefix(v)
        leading = [re.match(r"\s*([0-9A-Za-z]*)", t).group(1) for t in (v, stripped)]
        trailing = re.search(r"[(\[]\s*([0-9A-Za-z]+)\s*[)\]]\s*$", v)  # "White British (WBRI)"
        leading += [trailing.group(1)] if trailing else []
        assert (
            codes.value_key(v) in code.keys()
            or codes.value_key(stripped) in code.keys()
            or any(codes.value_key(t) in code.tokens() for t in leading)
        ), (cs.name, v, got)
    CASES["garbage codes"] += len(values)


def test_no_key_of_one_code_is_a_key_of_another_in_the_same_set():
    for cs in CODE_SETS:
        seen: dict[str, str] = {}
        for c in cs.codes:
            for k in c.keys():
                assert seen.setdefault(k, c.code) == c.code, (cs.name, k)


@pytest.fixture(scope="module", autouse=True)
def _report_counts():
    yield
    for name, n in sorted(CASES.items()):
        record("Property test (hypothesis)", name, f"{n:,} cases, all passed")
