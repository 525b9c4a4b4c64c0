"""JSON Schemas (Draft 2020-12) from schema/, compiled once per process.

Error messages name the file and the field but never echo the value: a value is
case data.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from stafett.errors import InvalidDocument

BASE = "https://stafett.invalid/schema/"
KINDS = (
    "log",
    "members",
    "consent",
    "concern",
    "measure",
    "evaluation",
    "meeting",
    "voice",
    "level",
    "handover",
    "note",
)


def schema_text(name: str) -> str:
    return resources.files("stafett").joinpath(f"schema/{name}.schema.json").read_text("utf-8")


@lru_cache(maxsize=1)
def _registry() -> Any:
    from referencing import Registry, Resource

    names = [p.name for p in resources.files("stafett").joinpath("schema").iterdir()]
    pairs = []
    for filename in sorted(n for n in names if n.endswith(".schema.json")):
        contents = json.loads(schema_text(filename.removesuffix(".schema.json")))
        pairs.append((contents["$id"], Resource.from_contents(contents)))
    return Registry().with_resources(pairs)


@lru_cache(maxsize=32)
def _validator(name: str) -> Any:
    from jsonschema import Draft202012Validator, FormatChecker

    schema = json.loads(schema_text(name))
    return Draft202012Validator(schema, registry=_registry(), format_checker=FormatChecker())


def validate(name: str, data: dict[str, Any], file: str = "") -> None:
    """Raise InvalidDocument naming the first bad field; `data` must be JSON-shaped."""
    error = next(iter(sorted(_validator(name).iter_errors(data), key=_depth)), None)
    if error is None:
        return
    path = ".".join(str(p) for p in error.absolute_path) or "(dokument)"
    if error.validator == "required":
        missing = next((f for f in error.validator_value if f not in error.instance), "?")
        path = f"{path}.{missing}" if error.absolute_path else missing
        raise InvalidDocument("schema_missing", file=file, field=path)
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        raise InvalidDocument("schema_unknown_field", file=file, field=", ".join(extra))
    if error.validator == "minLength" and error.validator_value == 1:
        raise InvalidDocument("schema_empty", file=file, field=path)
    if error.validator == "maxLength":
        raise InvalidDocument("schema_too_long", file=file, field=path)
    raise InvalidDocument("schema_bad_value", file=file, field=path)


def _depth(error: Any) -> int:
    return len(error.absolute_path)
