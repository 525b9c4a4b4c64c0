"""schema/ and templates/ live at the top of the repository and ship inside the
package: the wheel must carry them byte for byte, an installed wheel must read its
own copies, and a checkout must read the top-level folders."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from stafett import resources

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("pyproject.toml", "README.md", "stafett", "schema", "templates")
SCHEMAS = sorted((ROOT / "schema").glob("*.schema.json"))
KINDS = [p.name.removesuffix(".schema.json") for p in SCHEMAS]
TEMPLATES = sorted(p for p in (ROOT / "templates").iterdir() if p.is_file())

INSTALLED = """
import json, sys
sys.path.insert(0, sys.argv[1])
import stafett.resources, stafett.schema
from stafett.render.handover import _environment
wanted = json.loads(sys.argv[2])
for name in wanted["schemas"]:
    stafett.schema._validator(name)
env = _environment("nb")
print(json.dumps({
    "module": stafett.resources.__file__,
    "schema": str(stafett.resources.folder("schema")),
    "templates": str(stafett.resources.folder("templates")),
    "loaded": [env.get_template(name).name for name in wanted["templates"]],
}))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from a copy of the checkout, so the build leaves nothing in it.

    Built through setuptools' PEP 517 hook without isolation: the dev venv has
    setuptools, and an isolated build would fetch it from the network each time.
    """
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from setuptools import build_meta; build_meta.build_wheel(sys.argv[1])",
            str(out),
        ],
        cwd=source,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    (built,) = out.glob("*.whl")
    return built


def _contents(wheel: Path, folder: str) -> dict[str, bytes]:
    with zipfile.ZipFile(wheel) as archive:
        return {
            name.removeprefix(folder): archive.read(name)
            for name in archive.namelist()
            if name.startswith(folder)
        }


def test_the_wheel_carries_every_schema_byte_for_byte(wheel: Path) -> None:
    assert SCHEMAS
    expected = {p.name: p.read_bytes() for p in SCHEMAS}
    assert _contents(wheel, "stafett/schema/") == expected


def test_the_wheel_carries_every_template_byte_for_byte(wheel: Path) -> None:
    assert TEMPLATES
    expected = {p.name: p.read_bytes() for p in TEMPLATES}
    assert _contents(wheel, "stafett/templates/") == expected


def test_the_wheel_carries_every_module(wheel: Path) -> None:
    """The package list in pyproject.toml is explicit; a new subpackage left out of
    it would be missing from the wheel and nowhere else."""
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "stafett").rglob("*.py")}
    shipped = {name for name in _contents(wheel, "") if name.endswith(".py")}
    assert shipped == modules


def test_an_installed_wheel_reads_its_own_copies(wheel: Path, tmp_path: Path) -> None:
    """Unpacked as pip installs it, first on the path, away from the checkout: the
    schemas compile (with their $refs into common) and the templates load."""
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    wanted = {
        "schemas": [kind for kind in KINDS if kind != "common"],
        "templates": [p.name for p in TEMPLATES],
    }
    proc = subprocess.run(
        [sys.executable, "-c", INSTALLED, str(site), json.dumps(wanted)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    assert found["module"] == str(site / "stafett" / "resources.py")
    assert found["schema"] == str(site / "stafett" / "schema")
    assert found["templates"] == str(site / "stafett" / "templates")
    assert found["loaded"] == wanted["templates"]


def test_a_checkout_reads_the_top_level_folders() -> None:
    assert resources.folder("schema") == ROOT / "schema"
    assert resources.folder("templates") == ROOT / "templates"
    for kind, file in zip(KINDS, SCHEMAS, strict=True):
        assert resources.schema_text(kind) == file.read_text("utf-8")
    for file in TEMPLATES:
        assert resources.template_text(file.name) == file.read_text("utf-8")
