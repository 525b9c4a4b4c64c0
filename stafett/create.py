"""Opening a new log: built in a hidden folder, moved into place once committed."""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from stafett import history, ids, transaction
from stafett.documents import (
    Child,
    Concern,
    Document,
    LogProfile,
    Member,
    MemberList,
    Provenance,
)
from stafett.errors import Conflict, UsageError
from stafett.fsutil import STORE_LOCK, locked, write_text_atomic
from stafett.layout import ATTRIBUTES, MARKER_FILE, STAGING_PREFIX, install_settings, marker_text
from stafett.log import Log
from stafett.people import with_signing_key
from stafett.schoolyear import school_year
from stafett.values import (
    NAME_LIMIT,
    check_handle,
    check_text,
    handle_from_name,
    optional_text,
    parse_date,
)

OLDEST = 25  # BTI follows children and young people up to 24

if TYPE_CHECKING:
    from stafett.people import Card
    from stafett.store import Store


def create_log(
    store: Store,
    *,
    child_name: str,
    born: date | str,
    school: str,
    grade: int,
    concern: str | None,
    level: int,
    national_id: str | None,
    language: str | None,
    child_handle: str | None,
) -> Log:
    """Build the new log in a hidden folder and move it into place once committed.
    The coordinator's entry carries the signing key of the identity in use."""
    card, today = transaction.own_card(store) or store.me(), store.clock.today()
    child = new_child(
        today, name=child_name, born=born, school=school, grade=grade,
        national_id=national_id, language=language,
    )  # fmt: skip
    store.settings.check_level(level)
    log_id = ids.new_id()
    me = coordinator_member(card, today)
    kid = child_member(child, child_handle, today, taken=me.handle)
    created = store.clock.now()
    members = MemberList(id=log_id, created=created, created_by=me.id, members=(me, kid))
    profile = LogProfile(
        id=log_id, created=created, created_by=me.id, child=child, level=level,
        coordinator=me.id, opened=today,
    )  # fmt: skip
    docs: list[Document] = [profile, members]
    if concern is not None:
        text = check_text(concern, "concern")
        docs.append(Concern(**profile_header(profile), text=text, level_at_time=level))
    with locked(store.root / STORE_LOCK, "store_locked"):
        drop_abandoned(store)
        return build(store, log_id, members, docs, "open log")


def profile_header(profile: LogProfile) -> dict[str, Any]:
    """A fresh id, written at the same moment by the same person as the profile."""
    return {
        "id": ids.new_id(),
        "created": profile.created,
        "created_by": profile.created_by,
        "log": profile.id,
    }


def child_member(child: Child, handle: str | None, today: date, *, taken: str) -> Member:
    """The child is a member of her own log from the start."""
    kid = Member(
        id=ids.new_id(),
        role="child",
        name=child.name,
        since=today,
        handle=check_handle(handle or handle_from_name(child.name)),
    )
    if kid.handle == taken:
        raise Conflict("handle_taken", handle=kid.handle)
    return kid


def new_child(
    today: date,
    *,
    name: str,
    born: date | str,
    school: str,
    grade: int,
    national_id: str | None,
    language: str | None,
) -> Child:
    """The child as typed, with the school year the grade is for (this one)."""
    child = Child(
        name=check_text(name, "child_name", NAME_LIMIT),
        born=parse_date(born, "born"),
        national_id=optional_text(national_id),
        school=check_text(school, "school", NAME_LIMIT),
        grade=grade,
        grade_year=school_year(today),
        language=optional_text(language),
    )
    if child.born > today:
        raise UsageError("born_in_future")
    if child.born < today.replace(year=today.year - OLDEST, day=1):
        raise UsageError("born_too_early", years=OLDEST)
    if not -1 <= grade <= 13:
        raise UsageError("bad_grade")
    return child


def create_imported(
    store: Store,
    docs: list[Document],
    former: tuple[Member, ...],
    provenance: Provenance,
    raw: dict[str, bytes] | None = None,
) -> Log:
    """A new log from a checked bundle: a fresh history whose first commit holds the
    documents, their opphav (provenance), and the importer as coordinator, whose
    entry carries the signing key of the identity in use."""
    card = with_signing_key(store.me(), store.identity)
    source = next(d for d in docs if isinstance(d, LogProfile))
    log_id, today, created = ids.new_id(), store.clock.today(), store.clock.now()
    me = coordinator_member(card, today)
    people = tuple(replace(m, until=None) if m.role == "child" else m for m in former)
    members = MemberList(id=log_id, created=created, created_by=me.id, members=(me, *people))
    profile = LogProfile(
        id=log_id,
        created=created,
        created_by=me.id,
        child=source.child,
        level=source.level,
        coordinator=me.id,
        opened=today,
    )
    kept = [replace(d, audience=None, log=log_id) for d in docs if not isinstance(d, LogProfile)]
    stamp = replace(provenance, created=created, created_by=me.id, log=log_id)
    message = f"import provenance {ids.short(stamp.id)}"
    texts = {
        d.id: text
        for d in docs
        if d.audience is None
        and (text := rebound(d, (raw or {}).get(d.id), provenance.source_log, log_id))
    }
    return build(store, log_id, members, [profile, members, *kept, stamp], message, texts)


def rebound(doc: Document, plain: bytes | None, source: str, target: str) -> bytes | None:
    """The text of an imported document bound to the new log, changed in that one
    value only: writing the YAML of 500 documents again cost more than all else of
    an import. The line is found only where it can be nothing but the `log` key (no
    text of the document holds the source id at all); else None, and it is written
    anew."""
    line = f"\nlog: {source}\n".encode()
    if plain is None or doc.log != source or plain.count(line) != 1:
        return None
    if _mentions(doc.to_data(), source):
        return None
    return plain.replace(line, f"\nlog: {target}\n".encode())


def _mentions(value: Any, text: str) -> bool:
    if isinstance(value, dict):
        return any(_mentions(k, text) or _mentions(v, text) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_mentions(v, text) for v in value)
    return isinstance(value, str) and text in value and value != text


def drop_abandoned(store: Store) -> None:
    """Staging folders of new logs whose builder was killed. Call only under the
    store's lock: every build runs under it, so any staging folder then is
    abandoned. Only stafett makes these folders (a hidden name and a log id)."""
    for staging in (store.root / "logs").glob(f"{STAGING_PREFIX}*"):
        if ids.is_id(staging.name.removeprefix(STAGING_PREFIX)):
            with contextlib.suppress(OSError):
                if staging.is_dir() and not staging.is_symlink():
                    shutil.rmtree(staging)


def coordinator_member(card: Card, today: date) -> Member:
    return Member(
        id=ids.new_id(),
        handle=card.handle or "me",
        name=card.name,
        role="coordinator",
        title=card.title,
        service=card.service,
        recipient=card.recipient,
        signing_key=card.signing_key,
        since=today,
    )


def build(
    store: Store,
    log_id: str,
    members: MemberList,
    docs: list[Document],
    message: str,
    texts: dict[str, bytes] | None = None,
) -> Log:
    """Build the new log in a hidden folder and move it into place once committed;
    the caller holds the store's lock. `texts`: see transaction.first_commit."""
    final = store.root / "logs" / log_id
    staging = store.root / "logs" / f"{STAGING_PREFIX}{log_id}"
    try:
        history.init(staging)
        install_settings(staging)
        write_text_atomic(staging / ".gitattributes", ATTRIBUTES)
        write_text_atomic(staging / MARKER_FILE, marker_text(log_id))
        transaction.first_commit(
            Log(store, log_id, staging),
            members,
            docs,
            message,
            extra=[".gitattributes", MARKER_FILE],
            texts=texts,
        )
        os.replace(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Log(store, log_id)
