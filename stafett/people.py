"""Public cards of professionals: people.yaml, and the card a key owner hands out.

people.yaml holds professionals only. Guardians and the child are added to a log
directly, so their names exist only inside that log's encrypted files.
"""

from __future__ import annotations

import base64
import binascii
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from stafett import yamlio
from stafett.crypto import Identity, check_recipient
from stafett.documents import FORMAT_VERSION, Record
from stafett.errors import Conflict, NotFound, UsageError
from stafett.fsutil import STORE_LOCK, locked, write_text_atomic
from stafett.schema import validate
from stafett.values import check_handle, check_text, handle_from_name, utf8_text

PEOPLE_FILE = "people.yaml"
ED25519 = b"ssh-ed25519"


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


def person_by_recipient(people: Sequence[Card], recipient: str) -> Card | None:
    return next((p for p in people if p.recipient == recipient), None)


def update_person(
    root: Path, handle: str, *, card: Card | None = None, signing_key: str | None = None
) -> Card:
    """Attach a signing key (and, from a card, name, title and service) to an entry
    of people.yaml, under the store's lock. The card must be for the same key: a
    card never moves an entry to another person. An entry that already says what
    is given (its owner's first write records their key) is left as it is."""
    if card is None and signing_key is None:
        raise UsageError("update_needs_card")
    key = check_signing_key(signing_key) if signing_key is not None else None
    with locked(root / STORE_LOCK, "store_locked"):
        people = load_people(root)
        person = find_person(people, handle)
        updated = _updated(person, card, key)
        if updated != person:
            save_people(root, [updated if p.handle == person.handle else p for p in people])
    return updated


def _updated(person: Card, card: Card | None, key: str | None) -> Card:
    if card is not None:
        if card.recipient != person.recipient:
            raise Conflict("card_not_theirs", handle=person.handle)
        key = key or (check_signing_key(card.signing_key) if card.signing_key else None)
        person = replace(person, name=card.name, title=card.title, service=card.service)
    return replace(person, signing_key=key) if key else person


def check_signing_key(text: str) -> str:
    """An OpenSSH Ed25519 public key, `ssh-ed25519 AAAA...` (a trailing comment is
    dropped): the type, and a blob that holds that type and 32 bytes of key."""
    parts = text.split()
    if len(parts) < 2 or parts[0] != ED25519.decode():
        raise UsageError("bad_signing_key")
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        raise UsageError("bad_signing_key") from None
    size = len(ED25519)
    expected = size.to_bytes(4, "big") + ED25519 + (32).to_bytes(4, "big")
    if len(blob) != len(expected) + 32 or not blob.startswith(expected):
        raise UsageError("bad_signing_key")
    return f"{parts[0]} {parts[1]}"


def with_signing_key(card: Card, identity: Identity) -> Card:
    """The card with the signing key derived from `identity`, when the card is that
    identity's own (same recipient) and has none; any other card as it is."""
    if card.signing_key or card.recipient != identity.recipient:
        return card
    return replace(card, signing_key=identity.signing_public_key())


def signer_of(people: Sequence[Card], signing_key: str) -> Card | None:
    """The person in people.yaml whose signing key this is."""
    return next((p for p in people if p.signing_key == signing_key), None)


def same_name(a: str, b: str) -> bool:
    """Names compared as people read them: case, spacing and Unicode form aside."""

    def norm(name: str) -> str:
        return " ".join(unicodedata.normalize("NFC", name).split()).casefold()

    return norm(a) == norm(b)
