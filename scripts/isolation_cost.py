"""What reading every file in a child process costs (flows.annex_a.isolated), on one submission.

    .venv/bin/python -m scripts.isolation_cost DIR [REPS]

Times identify_lists (read + identify, the part isolation changes) in this process and in reader
children, alternating, and prints the median of each. The first isolated round includes starting
the children (they are then reused, as in a long-lived worker); `cold` starts them every time.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

from flows.annex_a import isolated, load


def _once(files: list[Path], root: Path, mode: str) -> float:
    os.environ["PIA_READ_ISOLATED"] = "off" if mode == "in-process" else "on"
    if mode == "cold":
        isolated._POOL.close()
    start = time.perf_counter()
    load.identify_lists(files, relative_to=root)
    return time.perf_counter() - start


def main(folder: str, reps: int = 5) -> None:
    root = Path(folder)
    files = sorted(p for p in root.rglob("*") if p.is_file())
    times: dict[str, list[float]] = {"in-process": [], "isolated": [], "cold": []}
    _once(files, root, "isolated")  # warm the page cache and the children
    for _ in range(reps):
        for mode in times:
            times[mode].append(_once(files, root, mode))
    for mode, t in times.items():
        print(
            f"{mode:<11} median {statistics.median(t):.2f} s  (min {min(t):.2f}, max {max(t):.2f})"
        )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5)
