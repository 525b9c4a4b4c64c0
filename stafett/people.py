"""Public cards of professionals: people.yaml, and the card a key owner hands out.

people.yaml holds professionals only. Guardians and the child are added to a log
directly, so their names exist only inside that log's encrypted files.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from stafett import yamlio
from stafett.crypto import check_recipient
from stafett.documents import FORMAT_VERSION, Record
from stafett.errors import Conflict, NotFound
from stafett.fsutil import STORE_LOCK, locked, write_text_atomic
from stafett.schema import validate
from stafett.values import check_handle, check_text, handle_from_name, utf8_text

PEOPLE_FILE = "people.yaml"


@dataclass(frozen=True, kw_only=True)
class Card(Record):
    """Who a professional is and their public keys; never anything secret."""

    handle: str | None = None
    name: str
    title: str
    service: str | None = None
    recipient: str
    signing_key: str | None = None


def make_card(
    *, name: str, title: str, recipient: str, service: str | None = None, handle: str | None = None
) -> Card:
    return Card(
        handle=check_handle(handle) if handle else None,
        name=check_text(name, "name"),
        title=check_text(title, "role"),
        service=service.strip() if service and service.strip() else None,
        recipient=check_recipient(recipient),
    )


def read_card(path: Path) -> Card:
    try:
        raw = path.read_bytes()
    except OSError:
        raise NotFound("file_missing", file=path.name) from None
    data = yamlio.load(utf8_text(raw, path.name), name=path.name)
    data.setdefault("handle", handle_from_name(str(data.get("name", ""))))
    validate("people", {"format_version": 1, "people": [yamlio.jsonable(data)]}, path.name)
    return Card.from_data(data)


def card_text(card: Card) -> str:
    return yamlio.dump(card.to_data())


def load_people(root: Path) -> list[Card]:
    path = root / PEOPLE_FILE
    if not path.exists():
        return []
    data = yamlio.load(path.read_bytes(), name=PEOPLE_FILE)
    validate("people", yamlio.jsonable(data), PEOPLE_FILE)
    return [Card.from_data(p) for p in data["people"]]


def save_people(root: Path, people: list[Card]) -> None:
    data: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "people": [p.to_data() for p in sorted(people, key=lambda p: p.handle or "")],
    }
    validate("people", yamlio.jsonable(data), PEOPLE_FILE)
    write_text_atomic(root / PEOPLE_FILE, yamlio.dump(data))


def add_person(root: Path, card: Card, handle: str | None = None) -> Card:
    """Read, check and write people.yaml under the store's lock: two people added
    at once both stay."""
    card = replace(card, handle=check_handle(handle or card.handle or handle_from_name(card.name)))
    with locked(root / STORE_LOCK, "store_locked"):
        people = load_people(root)
        if any(p.handle == card.handle for p in people):
            raise Conflict("handle_taken", handle=card.handle)
        if any(p.recipient == card.recipient for p in people):
            raise Conflict("recipient_taken", handle=card.handle)
        save_people(root, [*people, card])
    return card


def find_person(people: list[Card], handle: str) -> Card:
    wanted = handle.strip().lower()
    for person in people:
        if person.handle == wanted:
            return person
    raise NotFound("unknown_person", handle=wanted)


def person_by_recipient(people: list[Card], recipient: str) -> Card | None:
    return next((p for p in people if p.recipient == recipient), None)
