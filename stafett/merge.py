"""Three-way merge of one document's fields: what sync does when two people
changed the same document on two laptops.

A pure function of the three versions (and who made each side), so that every
member who checks a merge can compute it again and compare. Nothing is lost: a
field both sides changed differently keeps one value in place and both values in
the document's `conflicts`, until someone resolves it. The two values are ordered
by their own text, not by which side was "ours", so two laptops merging the same
pair agree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

MISSING: Any = object()
# Keys a document never changes: a merge that disagrees on them is broken, not a conflict.
FIXED = ("kind", "id", "created", "created_by", "log")
CONFLICTS = "conflicts"


@dataclass(frozen=True)
class Side:
    """One side of a merge: its version of the document, and the member who last
    changed it on that side (named in a conflict)."""

    data: dict[str, Any]
    by: str


def merge_data(base: dict[str, Any] | None, ours: Side, theirs: Side) -> dict[str, Any]:
    """The merged document data; disagreements are recorded in it."""
    found: list[dict[str, Any]] = []
    merged: dict[str, Any] = _merge(
        base or {}, ours.data, theirs.data, (), (ours.by, theirs.by), found
    )
    base_conflicts = (base or {}).get(CONFLICTS, [])
    kept = _set_merge(base_conflicts, ours.data.get(CONFLICTS, []), theirs.data.get(CONFLICTS, []))
    fields = {c["field"] for c in found}
    settled = [c for c in kept if c.get("field") not in fields]
    merged.pop(CONFLICTS, None)
    if settled or found:
        merged[CONFLICTS] = sorted(settled + found, key=lambda c: str(c.get("field")))
    return merged


def _merge(
    base: Any,
    ours: Any,
    theirs: Any,
    path: tuple[str, ...],
    by: tuple[str, str],
    found: list[dict[str, Any]],
) -> Any:
    if _same(ours, theirs):
        return ours
    if _same(base, ours):
        return theirs
    if _same(base, theirs):
        return ours
    if isinstance(ours, dict) and isinstance(theirs, dict) and path != (CONFLICTS,):
        return _merge_dicts(base if isinstance(base, dict) else {}, ours, theirs, path, by, found)
    if isinstance(ours, list) and isinstance(theirs, list):
        old = base if isinstance(base, list) else []
        if _keyed(ours) and _keyed(theirs) and _keyed(old):
            return _merge_keyed(old, ours, theirs, path, by, found)
        return _set_merge(old, ours, theirs)
    if path and path[-1] == "until" and ours is not MISSING and theirs is not MISSING:
        return min(ours, theirs, key=_text)  # a member leaves at the earlier date
    return _disagree(ours, theirs, path, by, found)


def _merge_dicts(
    base: dict[str, Any],
    ours: dict[str, Any],
    theirs: dict[str, Any],
    path: tuple[str, ...],
    by: tuple[str, str],
    found: list[dict[str, Any]],
) -> dict[str, Any]:
    merged = {}
    for key in [*ours, *(k for k in theirs if k not in ours)]:
        if not path and key == CONFLICTS:
            continue
        value = _merge(
            base.get(key, MISSING),
            ours.get(key, MISSING),
            theirs.get(key, MISSING),
            (*path, str(key)),
            by,
            found,
        )
        if value is not MISSING:
            merged[key] = value
    return merged


def _merge_keyed(
    base: list[Any],
    ours: list[Any],
    theirs: list[Any],
    path: tuple[str, ...],
    by: tuple[str, str],
    found: list[dict[str, Any]],
) -> list[Any]:
    """Entries with an id (members): merged entry by entry, in our order, then theirs'
    new ones. An entry one side dropped and the other changed is kept."""
    old = {e["id"]: e for e in base}
    mine = {e["id"]: e for e in ours}
    other = {e["id"]: e for e in theirs}
    merged = []
    for entry_id in [*mine, *(i for i in other if i not in mine)]:
        value = _merge(
            old.get(entry_id, MISSING),
            mine.get(entry_id, MISSING),
            other.get(entry_id, MISSING),
            (*path, entry_id),
            by,
            found,
        )
        if value is not MISSING:
            merged.append(value)
    return merged


def _set_merge(base: list[Any], ours: list[Any], theirs: list[Any]) -> list[Any]:
    """Items either side added stay; items either side removed go."""
    kept = [x for x in ours if _has(theirs, x) or not _has(base, x)]
    return kept + [x for x in theirs if not _has(ours, x) and not _has(base, x)]


def _disagree(
    ours: Any, theirs: Any, path: tuple[str, ...], by: tuple[str, str], found: list[dict[str, Any]]
) -> Any:
    """Both values kept; the one whose text sorts first stands in the field."""
    if path and path[0] in FIXED:
        return ours  # the rights check refuses the result; no conflict hides it
    if ours is MISSING or theirs is MISSING:  # removed on one side, changed on the other
        return theirs if ours is MISSING else ours
    values = sorted(
        ({"value": ours, "by": by[0]}, {"value": theirs, "by": by[1]}),
        key=lambda item: _text(item["value"]),
    )
    found.append({"field": ".".join(path), "values": values})
    return values[0]["value"]


def _keyed(items: list[Any]) -> bool:
    return all(isinstance(e, dict) and isinstance(e.get("id"), str) for e in items)


def _has(items: list[Any], wanted: Any) -> bool:
    return any(_same(x, wanted) for x in items)


def _same(a: Any, b: Any) -> bool:
    if a is MISSING or b is MISSING:
        return a is b
    return _text(a) == _text(b)


def _text(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def resolve(data: dict[str, Any], field: str, value: Any) -> dict[str, Any]:
    """`data` with `field` (as a conflict names it) set to `value` and its conflict gone."""
    out: dict[str, Any] = _copy(data)
    *parents, last = field.split(".")
    target: Any = out
    for part in parents:
        target = _step(target, part)
    if isinstance(target, list):
        raise KeyError(field)
    if value is MISSING:
        target.pop(last, None)
    else:
        target[last] = value
    left = [c for c in out.get(CONFLICTS, []) if c.get("field") != field]
    if left:
        out[CONFLICTS] = left
    else:
        out.pop(CONFLICTS, None)
    return out


def _step(target: Any, part: str) -> Any:
    if isinstance(target, list):
        return next(e for e in target if isinstance(e, dict) and e.get("id") == part)
    return target[part]


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
