"""Every Python example in docs/api.md runs, in order, against the demo store, and
prints what the page says it prints."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from stafett.demo import build_demo

DOC = Path(__file__).resolve().parent.parent / "docs" / "api.md"
BLOCK = re.compile(r"```python\n(.*?)```(?:\s*```output\n(.*?)```)?", re.DOTALL)


def examples() -> list[tuple[str, str | None]]:
    return [(code, output) for code, output in BLOCK.findall(DOC.read_text("utf-8"))]


def test_the_page_has_examples_with_output() -> None:
    found = examples()
    assert len(found) >= 5
    assert sum(1 for _, output in found if output) == len(found)
    assert 'log.measures(status="active")' in found[0][0]
    assert "m.responsible.name" in found[0][0]


def test_examples_run_in_order_and_print_what_the_page_says(tmp_path: Path) -> None:
    home = tmp_path / "home"
    build_demo(home / "stafett")
    key = home / ".config" / "stafett" / "identity.age"
    key.parent.mkdir(parents=True)
    shutil.copy(home / "stafett" / "keys" / "ingrid.key", key)
    env = {**os.environ, "HOME": str(home), "USERPROFILE": str(home)}
    for index, (code, output) in enumerate(examples(), start=1):
        proc = subprocess.run(
            [sys.executable, "-c", code],
            cwd=tmp_path,  # not home: `python -c` would import the store folder ~/stafett
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
        )
        assert proc.returncode == 0, f"example {index} failed:\n{proc.stderr}"
        assert proc.stdout == output, f"example {index} printed:\n{proc.stdout}"
