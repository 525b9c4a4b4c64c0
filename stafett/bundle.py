"""Handover bundles: one age-encrypted file for the receiver, and its import.

A bundle is a tar archive, encrypted to the receiver, holding a signed manifest
(`stafett-bundle.yaml`) and the handed-over documents, each re-encrypted to the
receiver alone. It carries no git history: revocation protects only future
writes, so the receiver starts a fresh history at import. Import trusts nothing:
every limit, path, hash, signature, schema and binding is checked before the
store is touched.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from typing import TYPE_CHECKING, Any

from stafett import crypto, history, ids, signing, yamlio
from stafett.create import create_imported
from stafett.disclosure import Exported, chosen_handover, new_record, receiver
from stafett.documents import Document, Exporter, Member, Provenance
from stafett.errors import Conflict, InvalidDocument, NoAccess, StafettError
from stafett.fsutil import STORE_LOCK, locked
from stafett.layout import parse_document
from stafett.log import Log
from stafett.schema import validate

if TYPE_CHECKING:
    from stafett.store import Store

MANIFEST = "stafett-bundle.yaml"
PREFIX = "documents/"
MAX_BUNDLE = 256 * 1024 * 1024
MAX_FILES = 20_000
MAX_FILE = 16 * 1024 * 1024


def export_bundle(log: Log, to: str, handover_ref: str | None = None) -> Exported:
    name, recipient = receiver(log, to)
    handover = chosen_handover(log, handover_ref)
    wanted = set(handover.includes) | {handover.id}
    picked = [log.read_plain(log.profile().path), *log.read_ids(wanted)]
    docs: list[Document] = [d for d, _ in picked]
    files = {f"{PREFIX}{d.path}": crypto.encrypt(plain, [recipient]) for d, plain in picked}
    manifest = _signed_manifest(log, handover.id, docs, files)
    archive = _tar({MANIFEST: yamlio.dump(manifest).encode("utf-8"), **files})
    record = new_record(
        log,
        to=name,
        recipient=recipient,
        fmt="bundle",
        handover=handover,
        bundle_id=manifest["bundle_id"],
        includes=tuple(sorted(d.id for d in docs)),
    )
    return Exported(crypto.encrypt(archive, [recipient]), record)


def _signed_manifest(
    log: Log, handover_id: str, docs: list[Document], files: dict[str, bytes]
) -> dict[str, Any]:
    """Signed by the exporter, so the receiver can tell the bundle was not altered on
    the way, and checked against the schema the import will hold it to."""
    me = log.me()
    members = _manifest_members(log, me.id, docs)
    manifest: dict[str, Any] = {
        "format": "stafett-bundle",
        "format_version": 1,
        "bundle_id": ids.new_id(),
        "source_log": log.id,
        "source_commit": history.head(log.path) or "0" * 40,
        "municipality": log.store.settings.municipality,
        "exporter": _drop_none(
            {"name": me.name, "service": me.service, "signing_key": me.signing_key}
        ),
        "exported": log.store.clock.now(),
        "handover": handover_id,
        "members": members,
        "documents": [
            {"path": p.removeprefix(PREFIX), "sha256": _sha(b)} for p, b in sorted(files.items())
        ],
    }
    manifest["signature"] = log.store.identity.sign(_signed_part(manifest))
    validate("bundle", yamlio.jsonable(manifest), MANIFEST)
    return manifest


def _manifest_members(log: Log, me_id: str, docs: list[Document]) -> list[dict[str, Any]]:
    """Only the members the receiver needs to read the documents: the exporter, the
    child and whoever the documents name. The rest of the team is not disclosed."""
    members = log.members().members
    referenced = {me_id, *(m.id for m in members if m.role == "child")}
    for d in docs:
        referenced |= _member_ids(d.to_data())
    return [
        _drop_none(
            {
                "id": m.id,
                "handle": m.handle,
                "name": m.name,
                "role": m.role,
                "title": m.title,
                "service": m.service,
            }
        )
        for m in members
        if m.id in referenced
    ]


def import_bundle(store: Store, data: bytes) -> Log:
    """Check everything, then build the new log; the importer becomes coordinator."""
    if len(data) > MAX_BUNDLE:
        raise InvalidDocument("bundle_too_large")
    if not crypto.is_age(data):
        raise InvalidDocument("not_a_bundle")
    try:
        archive = crypto.decrypt(data, store.identity, "bundle")
    except NoAccess:
        raise NoAccess("bundle_not_for_you") from None
    except InvalidDocument:
        raise InvalidDocument("bundle_corrupt") from None
    files = _untar(archive)
    manifest = _manifest(files)
    raw: dict[str, bytes] = {}
    docs = _documents(store, files, manifest, raw)
    known = any(p.signing_key == manifest["exporter"]["signing_key"] for p in store.people())
    provenance = Provenance(
        id=ids.new_id(),
        created=store.clock.now(),
        created_by="0" * 20,
        bundle_id=manifest["bundle_id"],
        source_log=manifest["source_log"],
        source_commit=manifest["source_commit"],
        municipality=manifest.get("municipality"),
        exporter=Exporter.from_data({**manifest["exporter"], "known": known}),
        exported=manifest["exported"],
        handover=manifest["handover"],
        files={d["path"]: d["sha256"] for d in manifest["documents"]},
    )
    former = tuple(
        Member.from_data({**m, "since": store.clock.today(), "until": store.clock.today()})
        for m in manifest["members"]
    )
    with locked(store.root / STORE_LOCK, "store_locked"):
        duplicate = _already_imported(store, manifest["bundle_id"])
        if duplicate:
            raise Conflict("bundle_already_imported", log=duplicate)
        return create_imported(store, docs, former, provenance, raw)


def _untar(archive: bytes) -> dict[str, bytes]:
    try:
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:") as tar:
            return _members(tar)
    except (tarfile.TarError, EOFError):
        raise InvalidDocument("bundle_corrupt") from None


def _members(tar: tarfile.TarFile) -> dict[str, bytes]:
    """Regular files only, with safe relative names, within the limits; read in memory,
    never extracted to disk."""
    members = tar.getmembers()
    if len(members) > MAX_FILES:
        raise InvalidDocument("bundle_too_many_files")
    files: dict[str, bytes] = {}
    for member in members:
        name = member.name
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or ".." in parts or ":" in name:
            raise InvalidDocument("bundle_bad_path", file=name[:80])
        if not member.isreg():
            raise InvalidDocument("bundle_not_a_file", file=name[:80])
        if member.size > MAX_FILE:
            raise InvalidDocument("bundle_too_large")
        if name in files:
            raise InvalidDocument("bundle_duplicate", file=name[:80])
        extracted = tar.extractfile(member)
        if extracted is None:
            raise InvalidDocument("bundle_not_a_file", file=name[:80])
        files[name] = extracted.read()
    return files


def _manifest(files: dict[str, bytes]) -> dict[str, Any]:
    if MANIFEST not in files:
        raise InvalidDocument("bundle_no_manifest")
    manifest = yamlio.load(files[MANIFEST], name=MANIFEST)
    validate("bundle", yamlio.jsonable(manifest), MANIFEST)
    if not signing.verify(
        manifest["exporter"]["signing_key"], manifest["signature"], _signed_part(manifest)
    ):
        raise InvalidDocument("bundle_bad_signature")
    listed = {PREFIX + d["path"]: d["sha256"] for d in manifest["documents"]}
    if len(listed) != len(manifest["documents"]):
        raise InvalidDocument("bundle_duplicate", file=MANIFEST)
    extra = set(files) - set(listed) - {MANIFEST}
    if extra:
        raise InvalidDocument("bundle_unexpected_file", file=sorted(extra)[0][:80])
    for path, digest in listed.items():
        if path not in files:
            raise InvalidDocument("file_missing", file=path)
        if _sha(files[path]) != digest:
            raise InvalidDocument("bundle_hash_mismatch", file=path)
    return manifest


def _documents(
    store: Store, files: dict[str, bytes], manifest: dict[str, Any], raw: dict[str, bytes]
) -> list[Document]:
    """Each listed document, decrypted, validated and bound to its path; the plaintext
    is kept in `raw` so the import need not write the YAML again."""
    docs: list[Document] = []
    seen: set[str] = set()
    for entry in manifest["documents"]:
        rel = entry["path"]
        plain = crypto.decrypt(files[PREFIX + rel], store.identity, rel)
        log_id = manifest["source_log"]
        doc = parse_document(plain, rel, log_id)
        if doc.id in seen:
            raise InvalidDocument("bundle_duplicate", file=rel)
        seen.add(doc.id)
        docs.append(doc)
        raw[doc.id] = plain
    kinds = [d.kind for d in docs]
    if (
        kinds.count("log") != 1
        or "members" in kinds
        or not any(d.id == manifest["handover"] for d in docs)
    ):
        raise InvalidDocument("bundle_incomplete")
    return docs


def _already_imported(store: Store, bundle_id: str) -> str | None:
    for log_id in store.log_ids():
        log = Log(store, log_id)
        try:
            for doc in log.documents("provenance"):
                if isinstance(doc, Provenance) and doc.bundle_id == bundle_id:
                    return log.short_id
        except StafettError:
            continue
    return None


def _member_ids(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set().union(*(_member_ids(v) for v in value.values())) if value else set()
    if isinstance(value, (list, tuple)):
        return set().union(*(_member_ids(v) for v in value)) if value else set()
    return {value} if isinstance(value, str) and ids.is_id(value) else set()


def _signed_part(manifest: dict[str, Any]) -> bytes:
    """Canonical JSON of the manifest without its signature: what the exporter signs."""
    unsigned = {k: v for k, v in manifest.items() if k != "signature"}
    return json.dumps(yamlio.jsonable(unsigned), sort_keys=True, ensure_ascii=False).encode()


def _tar(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:", format=tarfile.PAX_FORMAT) as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o600
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}
