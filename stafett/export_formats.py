"""Exports for receivers without stafett: one JSON document (a published contract,
schema/export.schema.json) or the HTML report, each age-encrypted to the receiver,
so any age implementation opens them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from stafett import crypto, history, ids
from stafett.disclosure import Exported, chosen_handover, new_record, receiver
from stafett.errors import UsageError
from stafett.handover import Package, package_of
from stafett.schema import validate
from stafett.yamlio import jsonable

if TYPE_CHECKING:
    from stafett.documents import Child, Handover
    from stafett.log import Log

FORMATS = ("json", "html")


def export_document(
    log: Log, to: str, handover_ref: str | None, fmt: str, html: Callable[[Package], str]
) -> Exported:
    """The JSON document or the HTML report (made by `html`), encrypted to `to`."""
    if fmt not in FORMATS:
        raise UsageError("bad_format", allowed="bundle, json, html")
    name, recipient = receiver(log, to)
    handover = chosen_handover(log, handover_ref)
    pack = package_of(log, handover)
    if fmt == "json":
        data = export_json(log, pack)
        validate("export", data, "export.json")
        plain = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    else:
        plain = html(pack).encode("utf-8")
    includes = tuple(sorted({*handover.includes, handover.id}))
    record = new_record(
        log,
        to=name,
        recipient=recipient,
        fmt=fmt,
        handover=handover,
        bundle_id=ids.new_id(),
        includes=includes,
    )
    return Exported(crypto.encrypt(plain, [recipient]), record)


def export_json(log: Log, pack: Package) -> dict[str, Any]:
    """The export as plain JSON data, in the shape export.schema.json publishes."""
    me = log.me()
    data: dict[str, Any] = {
        "format": "stafett-export",
        "version": 1,
        "exported": log.store.clock.now(),
        "source": {
            "municipality": log.store.settings.municipality,
            "log": log.id,
            "commit": history.head(log.path) or "0" * 40,
        },
        "exporter": _some({"name": me.name, "service": me.service}),
        "handover": _handover(pack.handover),
        "child": _child(pack.profile.child),
        "measures": _measures(pack),
        "voices": [
            _some(
                {"date": v.date, "words": v.words, "how": v.how, "child_reviewed": v.child_reviewed}
            )
            for v in pack.voices
        ],
        "meetings": _meetings(log, pack),
        "contacts": [
            _some({"name": c.name, "role": c.role, "title": c.title, "service": c.service})
            for c in pack.contacts
        ],
    }
    result: dict[str, Any] = jsonable(data)
    return result


def _handover(h: Handover) -> dict[str, Any]:
    return _some(
        {
            "from_service": h.from_service,
            "to": h.to,
            "to_service": h.to_service,
            "transition": h.transition,
            "starts": h.starts,
            "continue": h.continue_,
            "child_wants": h.child_wants,
            "child_reviewed": h.child_reviewed,
        }
    )


def _child(child: Child) -> dict[str, Any]:
    return _some(
        {
            "name": child.name,
            "born": child.born,
            "school": child.school,
            "grade": child.grade,
            "language": child.language,
        }
    )


def _measures(pack: Package) -> list[dict[str, Any]]:
    """Each measure with its evaluations inside it and the responsible person by name:
    the receiver has no member list to look ids up in."""
    return [
        _some(
            {
                "id": p.measure.id,
                "title": p.measure.title,
                "goal": p.measure.goal,
                "description": p.measure.description,
                "responsible": p.responsible.name,
                "start": p.measure.start,
                "evaluate_by": p.measure.evaluate_by,
                "status": p.measure.status,
                "evaluations": [
                    _some(
                        {
                            "date": e.date,
                            "result": e.result,
                            "text": e.text,
                            "child_said": e.child_said,
                            "next": e.next,
                            "evaluate_by": e.evaluate_by,
                        }
                    )
                    for e in p.evaluations
                ],
            }
        )
        for p in pack.measures
    ]


def _meetings(log: Log, pack: Package) -> list[dict[str, Any]]:
    """Participants by name, for the same reason as the measures' responsible; an id
    the member list does not know is kept as it is."""
    names = {m.id: m.name for m in log.members().members}
    return [
        _some(
            {
                "date": m.date,
                "participants": [names.get(i, i) for i in m.participants],
                "child_present": m.child_present,
                "agenda": list(m.agenda),
                "minutes": m.minutes,
                "decisions": list(m.decisions),
            }
        )
        for m in pack.meetings
    ]


def _some(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}
