"""Who receives what: the receiver of an export, the handover it carries, and the
record the source log keeps of every disclosure (to whom, which documents, when)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from stafett import crypto, ids
from stafett.consent import covered_services
from stafett.documents import Disclosure, Handover
from stafett.errors import Conflict, NotFound

if TYPE_CHECKING:
    from stafett.log import Log


@dataclass(frozen=True)
class Exported:
    """An export's bytes (encrypted to the receiver) and the record to keep of it."""

    data: bytes
    record: Disclosure


def receiver(log: Log, to: str) -> tuple[str, str]:
    """(name, recipient) of a handle in people.yaml or a bare age1 recipient."""
    wanted = to.strip()
    for card in log.store.people():
        if card.handle == wanted.lower():
            return card.name, card.recipient
    if wanted.startswith("age1"):
        return wanted, crypto.check_recipient(wanted)
    raise NotFound("unknown_person", handle=wanted)


def chosen_handover(log: Log, ref: str | None) -> Handover:
    """The named handover, or the latest; its receiving service must still be covered."""
    if ref:
        doc = log.document("handover", ref)
    else:
        found = list(log.documents("handover"))
        if not found:
            raise NotFound("no_handover")
        doc = found[-1]
    assert isinstance(doc, Handover)
    if doc.to_service.casefold() not in covered_services(log.consents(), log.store.clock.today()):
        raise Conflict("handover_needs_consent", service=doc.to_service)
    return doc


def handover_for(log: Log, to: str, ref: str | None, *, other_receiver: bool) -> Handover:
    """The handover to export to `to` (see `chosen_handover`). It is written for one
    receiver: exporting it to anyone else must be chosen (`other_receiver`). Compared
    by person: the people.yaml name of the handle, or of the card a bare recipient is on."""
    name, recipient = receiver(log, to)
    handover = chosen_handover(log, ref)
    names = {name, *(c.name for c in log.store.people() if c.recipient == recipient)}
    if not other_receiver and handover.to.strip().casefold() not in {
        n.strip().casefold() for n in names
    }:
        raise Conflict(
            "export_other_receiver", handover=ids.short(handover.id), receiver=handover.to, to=to
        )
    return handover


def new_record(
    log: Log,
    *,
    to: str,
    recipient: str,
    fmt: str,
    handover: Handover,
    bundle_id: str,
    includes: tuple[str, ...],
) -> Disclosure:
    """What the source log will keep of this export; its header is set when the
    export is committed."""
    return Disclosure(
        id=ids.new_id(),
        created=log.store.clock.now(),
        created_by=log.me().id,
        to=to,
        recipient=recipient,
        format=fmt,
        handover=handover.id,
        bundle_id=bundle_id,
        includes=includes,
    )
