"""The environment `make env` builds: what a fresh process imports is already compiled.

Where PYTHONDONTWRITEBYTECODE is set (as on these machines) no process writes bytecode, so without
the compile in `make env` every fresh process compiles every module it imports from source (what
that costs a cold `pia run`: docs/benchmarks.md, cold run).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

# the run path (Prefect, the stages' libraries, the project), the statistics refresh (GX), and the
# holidays package, whose import compiles ~280 country modules
PACKAGES = ["prefect", "polars", "duckdb", "jinja2", "holidays", "great_expectations", "flows"]


def _uncompiled(package: str) -> tuple[int, list[str]]:
    spec = importlib.util.find_spec(package)
    assert spec is not None and spec.origin is not None, f"{package} is not installed"
    sources = [p for p in Path(spec.origin).parent.rglob("*.py") if "tests" not in p.parts]
    missing = [
        str(p) for p in sources if not Path(importlib.util.cache_from_source(str(p))).exists()
    ]
    return len(sources), missing


@pytest.mark.parametrize("package", PACKAGES)
def test_what_a_run_imports_is_compiled(package):
    total, missing = _uncompiled(package)
    assert len(missing) <= total // 100, (
        f"{len(missing)} of {total} modules of {package} have no bytecode (e.g. {missing[:3]}): "
        "run `make env`, which compiles it (uv sync --compile-bytecode)"
    )
