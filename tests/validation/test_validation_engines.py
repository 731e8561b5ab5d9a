"""The native validation engine (flows/validation/native.py) gives exactly Great Expectations' results.

Every call validation makes to run_suite — each list's suite on the derived annex_a frame, each
cross-list suite on its check table, each statistics suite on a published file — is recorded while a
real pipeline runs with the native engine, on clean and messy synthetic submissions, on the quality
fixtures (good, and with a defect planted per rule) and on the bundled published statistics. Each
recorded call is then replayed through GX, the reference, and the two results must be identical
(success, counts, failing positions, source rows, kwargs, meta). Every committed suite must have been
exercised, and the native engine must have evaluated each one itself (no hand-over to GX).
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import polars as pl
import pytest
import quality_fixtures as Q

from flows import stages, synth
from flows.annex_a import load
from flows.config import EXPECTATIONS_DIR, ROOT
from flows.statistics import refresh as statistics
from flows.validation import engines
from flows.validation import native as native_validation
from flows.validation import stage as validation

LA, ND = "E06000050", dt.date(2026, 11, 16)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """(suite name, frame, suite, parameters, native results) for every run_suite call."""
    calls: list[tuple] = []
    real = engines.run_suite
    mp = pytest.MonkeyPatch()

    def spy(frame, suite, parameters=None):
        spec = engines.load_suite(suite)
        native = native_validation.run(frame, spec, parameters)
        calls.append((spec.get("name"), frame, spec, parameters, native))
        return real(frame, suite, parameters)

    mp.setattr(engines, "run_suite", spy)
    mp.setenv("PIA_VALIDATION_ENGINE", "native")
    try:
        root = tmp_path_factory.mktemp("engines")
        for kind in ("clean", "messy"):
            folder = root / kind
            synth.generate(LA, ND, folder, messy=kind == "messy")
            ctx = Q.context(root / f"run-{kind}")
            stages.stage_init(ctx)
            files = [p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")]
            load.load_submission(files, ctx.warehouse, relative_to=folder)
            validation.validate(ctx)
        import test_quality_rules as R

        for name, tables in (("good", Q.good_submission()), ("planted", R.messy_submission())):
            ctx = Q.context(root / f"fixtures-{name}")
            Q.make_warehouse(ctx, tables)
            validation.validate(ctx)
        statistics.refresh(None, root / "stats" / "statistics.duckdb")
    finally:
        mp.undo()
    return calls


def test_every_committed_suite_is_exercised(recorded):
    committed = {p.stem for p in EXPECTATIONS_DIR.glob("*.json")}
    ran = {name for name, *_ in recorded}
    assert committed - ran == set()


def test_native_engine_runs_every_suite_itself(recorded):
    handed_over = sorted({name for name, *_, native in recorded if native is None})
    assert handed_over == []


def test_native_results_identical_to_great_expectations(recorded):
    failed_types = set()
    for name, frame, spec, parameters, native in recorded:
        reference = engines._run_suite_gx(frame, spec, parameters)
        assert _comparable(native) == _comparable(reference), name
        failed_types |= {r["expectation_type"] for r in reference if r["unexpected_count"]}
    # the inputs make every kind of Annex A expectation fail somewhere, so the comparison bites
    annex_a_types = {
        e["type"]
        for p in EXPECTATIONS_DIR.glob("annex_a_*.json")
        for e in engines.load_suite(p)["expectations"]
    }
    assert annex_a_types - failed_types == set()


def _comparable(results):
    return json.loads(json.dumps(results, default=str))


# --- edge cases, on small hand-made frames -----------------------------------------------------------
EDGE = pl.DataFrame(
    {
        "f": [1.5, float("nan"), None, -2.0, 3.0],
        "i": [1, None, 3, 3, -1],
        "b": [True, None, False, True, True],
        "s": ["123", "123\n", None, "12a", "123"],
        "d1": [dt.date(2026, 1, 1), None, dt.date(2026, 3, 1), None, dt.date(2026, 5, 1)],
        "d2": [dt.date(2026, 2, 1), dt.date(2026, 1, 1), None, None, dt.date(2026, 5, 1)],
        "source_row": [2, 3, 4, 5, 6],
    }
)
EDGE_EXPECTATIONS = [
    {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "f"}},
    {"type": "expect_column_values_to_be_between", "kwargs": {"column": "f", "min_value": 0}},
    {
        "type": "expect_column_values_to_be_between",
        "kwargs": {"column": "i", "min_value": 1, "max_value": 3, "strict_max": True},
    },
    {
        "type": "expect_column_values_to_be_between",
        "kwargs": {"column": "i", "min_value": -1, "strict_min": True},
    },
    {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "b", "value_set": [True]}},
    {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "i", "value_set": [1, 3]}},
    {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "i"}},
    {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "s"}},
    {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "s", "regex": r"^\d{3}$"}},
    {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "s", "regex": "2"}},
    {"type": "expect_column_to_exist", "kwargs": {"column": "s"}},
    {"type": "expect_column_to_exist", "kwargs": {"column": "nope"}},
    *(
        {
            "type": "expect_column_pair_values_a_to_be_greater_than_b",
            "kwargs": {"column_A": "d2", "column_B": "d1", "or_equal": eq, "ignore_row_if": ignore},
        }
        for eq in (True, False)
        for ignore in ("both_values_are_missing", "either_value_is_missing", "neither")
    ),
    {
        "type": "expect_column_values_to_be_between",
        "kwargs": {"column": "d1", "max_value": {"$PARAMETER": "nd"}},
    },
    {
        "type": "expect_column_values_to_be_between",
        "kwargs": {"column": "i", "min_value": 0, "max_value": None, "strict_min": False},
    },
    {
        "type": "expect_column_pair_values_a_to_be_greater_than_b",
        "kwargs": {"column_A": "i", "column_B": "i", "or_equal": None},
    },
]


@pytest.mark.parametrize(
    "exp", EDGE_EXPECTATIONS, ids=lambda e: e["type"][14:] + str(e["kwargs"])[:40]
)
def test_edge_cases_identical(exp):
    suite = {"name": "edge", "expectations": [exp]}
    params = {"nd": dt.date(2026, 2, 1)}
    native = native_validation.run(EDGE, suite, params)
    assert native is not None
    assert _comparable(native) == _comparable(engines._run_suite_gx(EDGE, suite, params))


def test_nan_is_missing_like_pandas():
    native = native_validation.run(EDGE, {"expectations": [EDGE_EXPECTATIONS[0]]})
    assert native[0]["rows"] == [1, 2]


@pytest.mark.parametrize(
    "exp",
    [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "f", "mostly": 0.5}},
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "s", "min_value": 0}},
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "nope", "value_set": [1]},
        },
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "d1", "min_value": {"$PARAMETER": "x"}},
        },
        {"type": "expect_column_mean_to_be_between", "kwargs": {"column": "f", "min_value": 0}},
    ],
)
def test_what_the_native_engine_does_not_know_goes_to_gx(exp):
    assert native_validation.run(EDGE, {"expectations": [exp]}) is None


def test_unknown_engine_is_refused(monkeypatch):
    monkeypatch.setenv("PIA_VALIDATION_ENGINE", "fast")
    with pytest.raises(ValueError, match="PIA_VALIDATION_ENGINE"):
        engines.run_suite(EDGE, {"expectations": []})


def test_native_validation_never_imports_great_expectations(tmp_path):
    """The ~5 s import is paid only where GX runs (statistics refresh, the gx engine)."""
    code = (
        "import sys, datetime as dt; from pathlib import Path; sys.path.insert(0, 'tests/support');"
        "import quality_fixtures as Q; from flows.validation import stage;"
        f"ctx = Q.context(Path({str(tmp_path)!r})); Q.make_warehouse(ctx, Q.good_submission());"
        "stage.validate(ctx); print('great_expectations' in sys.modules)"
    )
    env = {"PIA_VALIDATION_ENGINE": "native", "PIA_DATA_DIR": str(tmp_path / "data"), "PATH": ""}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "False"
