"""The schemas themselves: valid Draft 2020-12, closed, described in Norwegian, and
validated the same way whether $refs are resolved or inlined."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

from stafett import schema
from stafett.errors import InvalidDocument

SCHEMAS = Path(__file__).parent.parent / "schema"
MEASURE: dict[str, Any] = {
    "kind": "measure",
    "version": 1,
    "id": "abcdefghjk0123456789",
    "created": "2025-09-22T10:15:00+02:00",
    "created_by": "0123456789abcdefghjk",
    "title": "Fast makker i friminuttet",
    "goal": "Åse skal ha noen å være sammen med.",
    "responsible": "0123456789abcdefghjk",
    "start": "2025-09-22",
    "evaluate_by": "2025-11-03",
    "status": "active",
}


def _by_registry(kind: str) -> Draft202012Validator:
    pairs = []
    for file in SCHEMAS.glob("*.schema.json"):
        contents = json.loads(file.read_text("utf-8"))
        pairs.append((contents["$id"], Resource.from_contents(contents)))
    return Draft202012Validator(
        json.loads((SCHEMAS / f"{kind}.schema.json").read_text("utf-8")),
        registry=Registry().with_resources(pairs),
        format_checker=FormatChecker(),
    )


@pytest.mark.parametrize("file", sorted(SCHEMAS.glob("*.schema.json")), ids=lambda p: p.stem)
def test_schema_is_valid_and_described_in_norwegian(file: Path) -> None:
    contents = json.loads(file.read_text("utf-8"))
    Draft202012Validator.check_schema(contents)
    assert contents["title"] and contents["description"]
    if file.name != "common.schema.json":
        assert contents["additionalProperties"] is False
        for name, prop in contents["properties"].items():
            assert prop.get("title") or prop.get("$ref"), name


def test_every_document_kind_has_a_schema() -> None:
    assert {p.name.split(".")[0] for p in SCHEMAS.glob("*.schema.json")} >= set(schema.KINDS)


def _variants() -> list[tuple[str, dict[str, Any]]]:
    missing = {k: v for k, v in MEASURE.items() if k != "goal"}
    return [
        ("valid", MEASURE),
        ("missing goal", missing),
        ("bad status", {**MEASURE, "status": "kanskje"}),
        ("extra field", {**MEASURE, "diagnose": "x"}),
        ("bad date", {**MEASURE, "start": "2025-02-31"}),
        ("bad id", {**MEASURE, "id": "ABC"}),
        ("bad audience", {**MEASURE, "audience": []}),
        ("empty title", {**MEASURE, "title": ""}),
        ("with audience", {**MEASURE, "audience": ["0123456789abcdefghjk"]}),
    ]


@pytest.mark.parametrize(("name", "data"), _variants(), ids=[n for n, _ in _variants()])
def test_inlined_schema_agrees_with_resolved_refs(name: str, data: dict[str, Any]) -> None:
    expected = _by_registry("measure").is_valid(data)
    try:
        schema.validate("measure", data, "measure/x.yaml.age")
        ours = True
    except InvalidDocument as exc:
        ours = False
        assert (
            "kanskje" not in exc.message() and "diagnose" not in exc.message()
        ) or name == "extra field"
    assert ours == expected
    assert expected == (name in ("valid", "with audience"))
