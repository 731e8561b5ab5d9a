"""Running a Great Expectations suite on a frame: the polars executor (flows.validation.native) by
default, Great Expectations itself as the reference (PIA_VALIDATION_ENGINE=gx).

This is the only module that imports great_expectations, and only inside functions (the import
costs ~5 s, measured). GX runs on pandas frames converted from polars: it has no working DuckDB
source. Results are asked for in SUMMARY format with unexpected *values* excluded: a result carries
only the positions of the failing rows, never a child's values.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
from pathlib import Path
from typing import Any

import polars as pl

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


# --- running a suite -------------------------------------------------------------------------------
@functools.cache
def _batch_definition():
    """One ephemeral context per process with a pandas source and a whole-dataframe batch definition."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    asset = context.data_sources.add_pandas("frames").add_dataframe_asset("frame")
    return asset.add_batch_definition_whole_dataframe("whole")


def load_suite(suite: Path | dict) -> dict:
    if isinstance(suite, dict):
        return suite
    return json.loads(Path(suite).read_text(encoding="utf-8"))


def _gx_parameter(value: Any) -> Any:
    # pandas holds dates as Timestamps and will not compare them with datetime.date
    if isinstance(value, dt.date):
        import pandas as pd

        return pd.Timestamp(value)
    return value


def _plain(value: Any) -> Any:
    """Timestamps (from date parameters) back to ISO dates, so results stay JSON-friendly."""
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    return value


def build_suite(spec: dict):
    """A GX ExpectationSuite from its JSON; raises RuntimeError on an expectation GX does not accept.

    Each expectation's position rides in its meta, so results can be matched back (GX reorders them).
    """
    import great_expectations as gx

    expectations = [
        {**e, "meta": {**(e.get("meta") or {}), "_position": i}}
        for i, e in enumerate(spec.get("expectations", []))
    ]
    gx_suite = gx.ExpectationSuite(name=spec.get("name") or "suite", expectations=expectations)
    if len(gx_suite.expectations) != len(
        expectations
    ):  # GX drops invalid ones with only a log line
        raise RuntimeError(
            f"suite {spec.get('name')!r}: some expectations are not valid GX 1.x configurations"
        )
    return gx_suite


def run_suite(
    frame: pl.DataFrame, suite: Path | dict, parameters: dict[str, Any] | None = None
) -> list[dict]:
    """Run a GX 1.x suite (JSON file or dict) on a frame; one dict per expectation, in suite order.

    Each dict: expectation_type, column (or "a,b" for a column pair), kwargs, meta (the suite's, e.g.
    rule and severity), success, element_count, unexpected_count, rows (0-based positions of the
    failing rows in `frame`) and source_rows (their `source_row` values when the frame has that
    column, else None). `parameters` fill `{"$PARAMETER": name}` values in the suite (dates allowed).
    No child values are returned. An expectation that cannot run raises RuntimeError.

    PIA_VALIDATION_ENGINE picks the engine: `native` (default; flows.validation.native, vectorised
    polars, which hands any suite it cannot evaluate exactly to GX) or `gx` (Great Expectations, the
    reference; tests/validation/test_validation_engines.py asserts both give identical results).
    """
    spec = load_suite(suite)
    if validation_engine() == "native":
        from flows.validation import native as native_validation

        results = native_validation.run(frame, spec, parameters)
        if results is not None:
            return results
    return _run_suite_gx(frame, spec, parameters)


def validation_engine() -> str:
    """`native` or `gx` (PIA_VALIDATION_ENGINE; flows.config refuses anything else)."""
    from flows.config import settings

    return settings().validation_engine


def _run_suite_gx(frame: pl.DataFrame, spec: dict, parameters: dict[str, Any] | None) -> list[dict]:
    gx_suite = build_suite(spec)
    expectations = spec.get("expectations", [])
    if not expectations:
        return []
    pdf = frame.to_pandas()  # default RangeIndex: GX reports failing rows as positions
    batch = _batch_definition().get_batch(batch_parameters={"dataframe": pdf})
    result_format = {
        "result_format": "SUMMARY",
        "partial_unexpected_count": max(frame.height, 1),  # every failing row, not the first 20
        "exclude_unexpected_values": True,
    }
    params = {k: _gx_parameter(v) for k, v in (parameters or {}).items()}
    validation = batch.validate(
        gx_suite, result_format=result_format, expectation_parameters=params
    )
    source_row = frame["source_row"] if "source_row" in frame.columns else None
    out = []
    for r in sorted(validation.results, key=lambda r: r.expectation_config.meta["_position"]):
        info = r.exception_info or {}
        failures = [v for v in info.values() if isinstance(v, dict) and v.get("raised_exception")]
        if info.get("raised_exception") or failures:
            message = info.get("exception_message") or failures[0].get("exception_message")
            raise RuntimeError(
                f"suite {spec.get('name')!r}: {r.expectation_config.type} could not run: {message}"
            )
        kwargs = {k: _plain(v) for k, v in r.expectation_config.kwargs.items() if k != "batch_id"}
        res = r.result or {}
        rows = [int(i) for i in res.get("partial_unexpected_index_list") or []]
        out.append(
            {
                "expectation_type": r.expectation_config.type,
                "column": kwargs.get("column")
                or ",".join(str(kwargs[k]) for k in ("column_A", "column_B") if k in kwargs)
                or None,
                "kwargs": kwargs,
                "meta": {k: v for k, v in r.expectation_config.meta.items() if k != "_position"},
                "success": bool(r.success),
                "element_count": res.get("element_count"),
                "unexpected_count": res.get("unexpected_count", 0 if r.success else None),
                "rows": rows,
                "source_rows": source_row.gather(rows).to_list()
                if source_row is not None
                else None,
            }
        )
    return out
