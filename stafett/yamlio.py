"""YAML in and out: the only module that imports ruamel.yaml.

Writing uses the round-trip emitter for a stable, readable form (block style, keys
in the order given, multi-line text as literal blocks, æøå as is). Reading uses the
C safe loader, about 12x faster than round-trip, since documents are never edited
in place.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from stafett.errors import InvalidDocument

# Line breaks to a YAML reader, but not to Python: written escaped, or they come back
# as spaces (found by the round-trip property test).
UNICODE_BREAKS = ("\x85", "\u2028", "\u2029")


@lru_cache(maxsize=1)
def _dumper() -> YAML:
    yaml = YAML(typ="rt")
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.width = 1_000_000_000  # never fold: folding quoted text with escapes loses spaces
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.representer.ignore_aliases = lambda _: True  # a repeated date is written again
    return yaml


def dump(data: dict[str, Any]) -> str:
    out = io.StringIO()
    _dumper().dump(_literal_blocks(data), out)
    return out.getvalue()


def dump_checked(data: dict[str, Any], name: str = "") -> str:
    """Dump, and prove the text reads back the same before anything is written."""
    text = dump(data)
    if jsonable(load(text, name)) != jsonable(data):
        raise InvalidDocument("yaml_not_round_trip", file=name)
    return text


MAX_DEPTH = 32  # stafett's own files nest 5 deep at most


def load(text: str | bytes, name: str = "") -> dict[str, Any]:
    """Plain data from YAML that stafett or anyone else wrote: its shape is checked
    on the parser's events before anything is built, so an alias bomb or a
    100,000-deep nesting is refused in microseconds instead of eating memory or
    overflowing the stack."""
    try:
        _check_shape(text, name)
        data = _safe_load(text)
    except YAMLError:
        raise InvalidDocument("yaml_broken", file=name) from None
    if not isinstance(data, dict):
        raise InvalidDocument("yaml_not_mapping", file=name)
    return data


def _check_shape(text: str | bytes, name: str) -> None:
    """No anchored collections (what an alias bomb multiplies), no deep nesting.
    An anchored scalar is harmless and earlier stafett versions wrote them for a
    date repeated in a member list; stafett writes none now."""
    depth = 0
    for event in _events(text):
        if isinstance(event, CollectionStartEvent):
            if event.anchor:
                raise InvalidDocument("yaml_alias", file=name)
            depth += 1
            if depth > MAX_DEPTH:
                raise InvalidDocument("yaml_too_deep", file=name)
        elif isinstance(event, CollectionEndEvent):
            depth -= 1


def _events(text: str | bytes) -> Iterator[Any]:
    """The parser's events, one at a time, from the C parser where there is one."""
    try:
        from ruamel.yaml.cyaml import CParser  # type: ignore[attr-defined]
    except ImportError:
        yield from YAML(typ="safe", pure=True).parse(text)
        return
    parser = CParser(text)
    try:
        while parser.check_event():
            yield parser.get_event()
    finally:
        parser.dispose()


def _safe_load(text: str | bytes) -> Any:
    """The C loader, built directly: YAML().load makes a new loader class per call,
    which doubled the cost of reading 500 documents."""
    try:
        from ruamel.yaml.cyaml import CSafeLoader
    except ImportError:
        return YAML(typ="safe", pure=True).load(text)
    loader = CSafeLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def jsonable(value: Any) -> Any:
    """Dates to ISO strings, so a loaded document can be checked by JSON Schema."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _literal_blocks(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _literal_blocks(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_literal_blocks(v) for v in value]
    if isinstance(value, str) and any(c in value for c in UNICODE_BREAKS):
        return DoubleQuotedScalarString(value)
    if isinstance(value, str) and "\n" in value.rstrip("\n") and _literal_safe(value):
        return LiteralScalarString(value)
    return value


def _literal_safe(value: str) -> bool:
    """A literal block cannot escape anything; text with control characters is quoted."""
    return all(c == "\n" or c.isprintable() for c in value) and not value[:1].isspace()
