"""Issue 22, phase 1 (first slice): move synth_* into flows/synth/ and the tooling into scripts/.

Re-runnable on any tree that still has the old layout (git mv keeps rename detection), so the
move can be replayed after other branches land. Only import lines and module paths change.
"""

import re
import subprocess
from pathlib import Path

MOVES = {  # old module -> new module
    "flows.synth": "flows.synth",  # flows/synth.py -> flows/synth/__init__.py (entry point)
    "flows.synth_calibrate": "flows.synth.calibrate",
    "flows.synth_people": "flows.synth.people",
    "flows.synth_journeys": "flows.synth.journeys",
    "flows.synth_frontdoor": "flows.synth.frontdoor",
    "flows.synth_mi": "flows.synth.mi",
    "flows.synth_messy": "flows.synth.messy",
    "flows.synth_write": "flows.synth.write",
    "flows.bench": "scripts.bench",
    "flows.reliability_report": "scripts.reliability_report",
}
FILES = {
    "flows/synth.py": "flows/synth/__init__.py",
    **{
        f"{o.replace('.', '/')}.py": f"{n.replace('.', '/')}.py"
        for o, n in MOVES.items()
        if o != "flows.synth"
    },
}


def git(*args: str) -> None:
    subprocess.run(["git", *args], check=True)


def main() -> None:
    Path("flows/synth").mkdir(exist_ok=True)
    for old, new in FILES.items():
        git("mv", old, new)
    Path("scripts/__init__.py").touch()
    git("add", "scripts/__init__.py")
    targets = [
        p
        for p in subprocess.run(
            ["git", "ls-files"], capture_output=True, text=True, check=True
        ).stdout.split()
        if p.endswith((".py", ".md", ".toml", ".yaml", ".sh")) or p in ("Makefile", ".ci/run")
    ]
    for path in targets:
        p = Path(path)
        if not p.is_file() or path == "scripts/restructure_move.py":
            continue
        text = original = p.read_text()
        for old, new in sorted(MOVES.items(), key=lambda kv: -len(kv[0])):
            if old == new:
                continue
            o_mod, o_name = old.rsplit(".", 1)
            n_mod, n_name = new.rsplit(".", 1)
            text = re.sub(rf"\b{re.escape(old)}\b", new, text)
            # `from flows import bench` -> `from scripts import bench`, alone on its line
            text = re.sub(
                rf"^(\s*)from {o_mod} import {o_name}$",
                rf"\1from {n_mod} import {n_name}",
                text,
                flags=re.M,
            )
            text = re.sub(rf"\bflows/{o_name}\.py\b", f"{new.replace('.', '/')}.py", text)
        text = text.replace("flows/synth.py", "flows/synth/__init__.py")
        if text != original:
            p.write_text(text)


if __name__ == "__main__":
    main()
