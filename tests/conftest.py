"""Shared test set-up: runtime data and Prefect state in temporary folders, telemetry off."""

from __future__ import annotations

import os
import tempfile

# Before anything imports prefect or great_expectations.
_TMP = tempfile.mkdtemp(prefix="pia-tests-")
os.environ.setdefault("PREFECT_HOME", os.path.join(_TMP, "prefect"))
os.environ["PIA_DATA_DIR"] = os.path.join(_TMP, "data")
os.environ["GX_ANALYTICS_ENABLED"] = "false"
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["DO_NOT_TRACK"] = "1"
