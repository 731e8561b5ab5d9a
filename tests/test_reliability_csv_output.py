"""Formula neutralisation in the data-quality CSV/XLSX follows OWASP's CSV-injection guidance."""

from __future__ import annotations

import pytest
from hostile_corpus import record

from flows.validation.report import neutralise

EVADING = {
    "leading space": " =1+1",
    "leading tab": "\t=1+1",
    "leading carriage return": "\r=1+1",
    "leading non-breaking space": "\u00a0=1+1",
    "zero-width space": "\u200b=1+1",
    "byte-order mark": "\ufeff=1+1",
    "full-width equals": "\uff1d1+1",
    "full-width plus": "\uff0b1+1",
    "full-width minus": "\uff0d1+1",
    "full-width at": "\uff20SUM(1)",
    "separator before a formula": ";=1+1",
    "comma before a formula": ",=1+1",
    "pipe before a formula": "|=1+1",
    "quote before a formula": '"=1+1',
}


@pytest.mark.parametrize("what", list(EVADING))
def test_formulas_that_evade_a_first_character_check_are_neutralised(what):
    value = EVADING[what]
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["a=1", "O'Neil", "Smith-Jones", "12", "", "Zoë", 5, None])
def test_ordinary_values_are_left_alone(value):
    assert neutralise(value) == value


def test_record_csv_output_cases():
    record(
        "Injection",
        "formula cells that start with a space, tab, CR, zero-width or full-width character, or a "
        "separator (" + ", ".join(repr(v) for v in EVADING.values()) + ")",
        "each neutralised with a leading apostrophe in data_quality.csv and .xlsx (OWASP CSV "
        "injection); ordinary values untouched",
    )
