"""The published format (schema/) and the report templates (templates/), read the
same way by an installed stafett and by a checkout.

Both folders sit at the top of the repository, where a receiving school looks for
schema/export.schema.json. Installed, they must live inside the package (a loose
schema/ in site-packages would be anyone's), so pyproject.toml maps them into the
wheel as stafett/schema and stafett/templates. An installed stafett therefore finds
them as package resources; a checkout, editable install or not, has them one folder
above the package. The packaged place is tried first: a stray top-level folder in
site-packages must never win over the wheel's own files.

Nothing here knows about jinja2 or jsonschema; their callers do.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable  # loaded by importlib.resources anyway
from pathlib import Path


@cache
def folder(name: str) -> Traversable:
    """The folder `name` ("schema" or "templates") of this stafett, installed or
    checked out."""
    packaged = resources.files("stafett") / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / name


def schema_text(name: str) -> str:
    """The JSON Schema `name` (`export` for schema/export.schema.json) as text."""
    return (folder("schema") / f"{name}.schema.json").read_text("utf-8")


def template_text(name: str) -> str:
    """The template source of templates/`name`; a plain function so any template
    engine can load through it."""
    return (folder("templates") / name).read_text("utf-8")
