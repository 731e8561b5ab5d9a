"""The committed expectation suites are exactly what the list specs generate, and GX accepts them."""

from __future__ import annotations

import json

from flows.annex_a.specs import SPECS
from flows.config import EXPECTATIONS_DIR
from flows.validation import engines, suites


def test_committed_suites_match_the_specs():
    generated = suites.generated_suites()
    committed = {p.name for p in EXPECTATIONS_DIR.glob("annex_a_*.json")} | {
        p.name for p in EXPECTATIONS_DIR.glob("cross_list*.json")
    }
    assert committed == set(generated), (
        "run `python -m flows.validation.suites --write-suites` and commit"
    )
    for name, suite in generated.items():
        text = (EXPECTATIONS_DIR / name).read_text(encoding="utf-8")
        assert text == suites.suite_text(suite), f"{name} differs from the specs: regenerate it"


def test_one_suite_per_list_and_rules_from_the_vocabulary():
    from flows.findings import RULES
    from flows.validation import rules as catalogue

    generated = suites.generated_suites()
    assert {f"annex_a_{s.table}.json" for s in SPECS} <= set(generated)
    for suite in generated.values():
        for e in suite["expectations"]:
            # the catalogue's SQL rules: each row of quality.check_rules names its own rule
            placeholder = (
                suite["name"] == "cross_list_rules" and e["meta"]["rule"] == "catalogue_rule"
            )
            assert placeholder or e["meta"]["rule"] in RULES or e["meta"]["rule"] in catalogue.BY_ID
            assert e["meta"]["severity"] in ("error", "warning", "info")


def test_a_spec_change_shows_in_the_suite():
    spec = next(s for s in SPECS if s.table == "list_03_referrals")
    suite = suites.suite_for(spec)
    required = {
        e["kwargs"]["column"]
        for e in suite["expectations"]
        if e["type"] == "expect_column_values_to_not_be_null"
    }
    assert required == {c.name for c in spec.columns if c.required}
    in_set = {
        e["kwargs"]["column"]: e["kwargs"]["value_set"]
        for e in suite["expectations"]
        if e["type"] == "expect_column_values_to_be_in_set"
    }
    assert in_set["gender"] == spec.column("gender").codes.values


def test_committed_suites_are_valid_gx_suites():
    for path in sorted(EXPECTATIONS_DIR.glob("*.json")):
        suite = json.loads(path.read_text(encoding="utf-8"))
        assert len(engines.build_suite(suite).expectations) == len(suite["expectations"]), path.name
