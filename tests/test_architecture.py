"""The architecture contracts in pyproject.toml ([tool.importlinter]) hold, and would catch a break.

`make lint` runs `lint-imports` on the tree; here the same contracts are checked on a copy of the
package with one forbidden import added, so a contract that could never fail would be noticed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).parent / "lint-imports"


def _lint(tree: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    shutil.copytree(
        ROOT / "flows",
        tmp_path / "flows",
        ignore=shutil.ignore_patterns("__pycache__", "published"),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_contracts_hold_on_the_tree(tree):
    result = _lint(tree)
    assert result.returncode == 0, result.stdout[-2000:]


@pytest.mark.parametrize(
    ("module", "added", "contract"),
    [
        # a cycle: the Annex A reader reaching up into the command line, which imports it
        ("annex_a/codes.py", "from flows import cli", "Layers"),
        # siblings importing each other
        ("validation/native.py", "from flows.validation import stage", "No cycles"),
        ("pack/charts.py", "from flows import synth", "synthetic generator"),
        ("validation/stage.py", "import great_expectations", "Great Expectations"),
        ("annex_a/readers.py", "import prefect", "orchestration or presentation"),
    ],
)
def test_a_forbidden_import_breaks_a_contract(tree, module, added, contract):
    path = tree / "flows" / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{added}  # noqa\n", encoding="utf-8")
    result = _lint(tree)
    assert result.returncode != 0
    broken = [line for line in result.stdout.splitlines() if line.endswith("BROKEN")]
    assert any(contract in line for line in broken), result.stdout[-2000:]
