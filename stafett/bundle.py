"""Handover bundles: one age-encrypted file for the receiver, and its import.

A bundle is a plain tar archive, encrypted to the receiver, holding a detached
signature (`stafett-bundle.sig`), the manifest it signs (`stafett-bundle.yaml`)
and the handed-over documents, each re-encrypted to the receiver alone. It carries
no git history: revocation protects only future writes, so the receiver starts a
fresh history at import. Import trusts nothing, and parses nothing it has not
bounded first: the archive's headers, counts and sizes, then the signature over
the manifest's exact bytes, and only then any YAML; every path, hash, schema and
binding is checked before the store is touched.
"""

from __future__ import annotations

import hashlib
import io
import tarfile
from typing import TYPE_CHECKING, Any, Self

from stafett import crypto, history, ids, signing, transaction, yamlio
from stafett.create import create_imported, drop_abandoned
from stafett.disclosure import Exported, chosen_handover, new_record, receiver
from stafett.documents import Document, Exporter, Member, Provenance
from stafett.errors import Conflict, InvalidDocument, NoAccess, NotFound, StafettError
from stafett.fsutil import STORE_LOCK, locked
from stafett.layout import parse_document
from stafett.log import Log
from stafett.people import same_name, signer_of
from stafett.schema import validate

if TYPE_CHECKING:
    from pathlib import Path

    from stafett.store import Store

MANIFEST = "stafett-bundle.yaml"
SIGNATURE = "stafett-bundle.sig"
SIGNATURE_FORMAT = "stafett-bundle-signature"
PREFIX = "documents/"
FORMAT_VERSION = 2  # 2: the signature left the manifest for stafett-bundle.sig
MAX_BUNDLE = 256 * 1024 * 1024
MAX_FILES = 20_000
MAX_FILE = 16 * 1024 * 1024
MAX_SIGNATURE = 4096  # an SSHSIG of an Ed25519 key is under 400 bytes
# The header types of plain ustar: files, links, devices, folders, fifos. Anything
# else (PAX, GNU long names, sparse files, vendor types) stafett never writes.
USTAR_TYPES = frozenset(
    (
        tarfile.REGTYPE,
        tarfile.AREGTYPE,
        tarfile.LNKTYPE,
        tarfile.SYMTYPE,
        tarfile.CHRTYPE,
        tarfile.BLKTYPE,
        tarfile.DIRTYPE,
        tarfile.FIFOTYPE,
        tarfile.CONTTYPE,
    )
)


def export_bundle(log: Log, to: str, handover_ref: str | None = None) -> Exported:
    name, recipient = receiver(log, to)
    handover = chosen_handover(log, handover_ref)
    wanted = set(handover.includes) | {handover.id}
    picked = [log.read_plain(log.profile().path), *log.read_ids(wanted)]
    docs: list[Document] = [d for d, _ in picked]
    files = {f"{PREFIX}{d.path}": crypto.encrypt(plain, [recipient]) for d, plain in picked}
    manifest = _manifest_for(log, handover.id, docs, files)
    text = yamlio.dump(manifest).encode("utf-8")
    signature = _signature_text(manifest["exporter"]["signing_key"], log.store.identity.sign(text))
    archive = _tar({SIGNATURE: signature, MANIFEST: text, **files})
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


def _manifest_for(
    log: Log, handover_id: str, docs: list[Document], files: dict[str, bytes]
) -> dict[str, Any]:
    """Checked against the schema the import will hold it to, so a bundle that
    cannot be imported is never written."""
    me = log.me()
    members = _manifest_members(log, me.id, docs)
    manifest: dict[str, Any] = {
        "format": "stafett-bundle",
        "format_version": FORMAT_VERSION,
        "bundle_id": ids.new_id(),
        "source_log": log.id,
        "source_commit": history.head(log.path) or "0" * 40,
        "municipality": log.store.settings.municipality,
        # The key that signs the bundle, derived from the identity in use: never
        # missing, whatever the member list held when the log was opened.
        "exporter": _drop_none(
            {
                "name": me.name,
                "service": me.service,
                "signing_key": log.store.identity.signing_public_key(),
            }
        ),
        "exported": log.store.clock.now(),
        "handover": handover_id,
        "members": members,
        "documents": [
            {"path": p.removeprefix(PREFIX), "sha256": _sha(b)} for p, b in sorted(files.items())
        ],
    }
    validate("bundle", yamlio.jsonable(manifest), MANIFEST)
    return manifest


def _signature_text(signing_key: str, armored: str) -> bytes:
    """The detached signature, in a fixed line format that needs no parser: the
    format and its version, the signing key, then the SSHSIG over the manifest's
    exact bytes (`tail -n +3` of it is what `ssh-keygen -Y check-novalidate -n git`
    reads)."""
    return f"{SIGNATURE_FORMAT} {FORMAT_VERSION}\n{signing_key}\n{armored}\n".encode("ascii")


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


def import_file(store: Store, path: Path) -> Log:
    """Import the bundle in `path`, read no further than the largest bundle allowed:
    a file of gigabytes (or a device) is refused without being read into memory."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_BUNDLE + 1)
    except OSError:
        raise NotFound("file_missing", file=path.name) from None
    return import_bundle(store, data)


def import_bundle(store: Store, data: bytes) -> Log:
    """Check everything, then build the new log; the importer becomes coordinator."""
    files = _untar(_decrypted(store, data))
    manifest = _manifest(files)
    raw: dict[str, bytes] = {}
    docs = _documents(store, files, manifest, raw)
    claimed = manifest["exporter"]
    known = exporter_standing(store, claimed["name"], claimed["signing_key"])[0] == "known"
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
    transaction.own_card(store)  # the importer's card, before the store is locked
    with locked(store.root / STORE_LOCK, "store_locked"):
        drop_abandoned(store)
        duplicate = _already_imported(store, manifest["bundle_id"])
        if duplicate:
            raise Conflict("bundle_already_imported", log=duplicate)
        return create_imported(store, docs, former, provenance, raw)


def exporter_standing(store: Store, name: str, signing_key: str) -> tuple[str, str | None]:
    """Whether the signer of a bundle is who it says: ("known", None) when the key
    that signed is in people.yaml under the name the bundle gives; ("unknown_key",
    None) when no one there has that key; ("other_name", handle) when the key is
    that person's but the bundle names someone else. Only "known" is verified."""
    signer = signer_of(store.people(), signing_key)
    if signer is None:
        return "unknown_key", None
    if not same_name(signer.name, name):
        return "other_name", signer.handle
    return "known", None


def imported_from(log: Log) -> tuple[str, str | None]:
    """`exporter_standing` of the exporter an imported log's provenance names."""
    for doc in log.documents("provenance"):
        if isinstance(doc, Provenance):
            return exporter_standing(log.store, doc.exporter.name, doc.exporter.signing_key)
    raise NotFound("no_provenance")


def _decrypted(store: Store, data: bytes) -> bytes:
    if len(data) > MAX_BUNDLE:
        raise InvalidDocument("bundle_too_large")
    if not crypto.is_age(data):
        raise InvalidDocument("not_a_bundle")
    try:
        return crypto.decrypt(data, store.identity, "bundle")
    except NoAccess:
        raise NoAccess("bundle_not_for_you") from None
    except InvalidDocument:
        raise InvalidDocument("bundle_corrupt") from None


class _Header(tarfile.TarInfo):
    """A tar header refused as soon as it is read if it is not plain ustar. tarfile
    acts on extension headers before it hands back a member: it searches PAX
    records with a quadratic regular expression (a 40 KB header cost 3.5 s before
    Python 3.11.10), builds sparse maps from the data, and expands a sparse file to
    its claimed size in memory. stafett writes none of them."""

    @classmethod
    def frombuf(cls, buf: bytes | bytearray, encoding: str, errors: str) -> Self:
        header = super().frombuf(buf, encoding, errors)
        if header.type == tarfile.GNUTYPE_SPARSE:
            raise InvalidDocument("bundle_sparse", file=header.name[:80])
        if header.type not in USTAR_TYPES:
            raise InvalidDocument("bundle_tar_extension")
        if header.size < 0:  # base-256 sizes can be negative: data read twice over
            raise InvalidDocument("bundle_sizes_lie")
        return header


def _untar(archive: bytes) -> dict[str, bytes]:
    try:
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:", tarinfo=_Header) as tar:
            return _members(tar, len(archive))
    except (tarfile.TarError, EOFError):
        raise InvalidDocument("bundle_corrupt") from None


def _members(tar: tarfile.TarFile, length: int) -> dict[str, bytes]:
    """Regular files only, with safe relative names, within the limits; read in memory,
    never extracted to disk. Headers are read one at a time and each is checked
    before the next is read, so the count limit holds before the headers are built,
    and no file is read before every size is known to fit: a plain tar holds its
    files whole and in order, so together they cannot claim more than the archive's
    own length, and no file's data starts before the last one's ended."""
    members: dict[str, tarfile.TarInfo] = {}
    claimed = end = 0
    while (member := tar.next()) is not None:
        if len(members) == MAX_FILES:
            raise InvalidDocument("bundle_too_many_files")
        _check_member(member, members)
        claimed += member.size
        if claimed > length or member.offset_data < end:
            raise InvalidDocument("bundle_sizes_lie")
        end = member.offset_data + member.size
        members[member.name] = member
    return {name: _read(tar, member) for name, member in members.items()}


def _check_member(member: tarfile.TarInfo, seen: dict[str, tarfile.TarInfo]) -> None:
    name = member.name
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or ".." in parts or ":" in name:
        raise InvalidDocument("bundle_bad_path", file=name[:80])
    if not member.isreg():
        raise InvalidDocument("bundle_not_a_file", file=name[:80])
    if member.issparse():  # refused at its header already; kept should that change
        raise InvalidDocument("bundle_sparse", file=name[:80])
    if member.size > MAX_FILE:
        raise InvalidDocument("bundle_too_large")
    if name in seen:
        raise InvalidDocument("bundle_duplicate", file=name[:80])


def _read(tar: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    extracted = tar.extractfile(member)
    if extracted is None:
        raise InvalidDocument("bundle_not_a_file", file=member.name[:80])
    return extracted.read()


def _manifest(files: dict[str, bytes]) -> dict[str, Any]:
    """The manifest, parsed only once the signature over its exact bytes holds: a
    forged or damaged bundle is refused without its YAML ever being read, and the
    key that signed must be the exporter's key the manifest names."""
    key = _verified_signer(files)
    manifest = yamlio.load(files[MANIFEST], name=MANIFEST)
    version = manifest.get("format_version")
    if isinstance(version, int):
        _check_version(version, MANIFEST)
    validate("bundle", yamlio.jsonable(manifest), MANIFEST)
    if manifest["exporter"]["signing_key"] != key:
        raise InvalidDocument("bundle_bad_signature")
    _check_listing(files, manifest)
    return manifest


def _verified_signer(files: dict[str, bytes]) -> str:
    """The signing key of a signature that verifies over the manifest's bytes. A
    manifest without a signature file is a bundle of format 1, which signed inside
    the manifest and so had to be parsed before it could be checked."""
    if MANIFEST not in files:
        raise InvalidDocument("bundle_no_manifest")
    if SIGNATURE not in files:
        raise InvalidDocument("bundle_old_format")
    key, armored = _parse_signature(files[SIGNATURE])
    if not signing.verify(key, armored, files[MANIFEST]):
        raise InvalidDocument("bundle_bad_signature")
    return key


def _parse_signature(data: bytes) -> tuple[str, str]:
    """(signing key, armored SSHSIG) from the fixed line format `_signature_text`
    writes; anything else is a bad signature."""
    if len(data) > MAX_SIGNATURE:
        raise InvalidDocument("bundle_bad_signature")
    try:
        head, key, armored = data.decode("ascii").split("\n", 2)
    except (UnicodeDecodeError, ValueError):
        raise InvalidDocument("bundle_bad_signature") from None
    name, _, version = head.partition(" ")
    if name != SIGNATURE_FORMAT or not version.isdigit():
        raise InvalidDocument("bundle_bad_signature")
    _check_version(int(version), SIGNATURE)
    return key, armored


def _check_version(version: int, file: str) -> None:
    if version > FORMAT_VERSION:
        raise InvalidDocument("newer_version", file=file, version=version, known=FORMAT_VERSION)
    if version < FORMAT_VERSION:
        raise InvalidDocument("bundle_old_format")


def _check_listing(files: dict[str, bytes], manifest: dict[str, Any]) -> None:
    """Exactly the files the manifest lists, each with its hash: the signature
    covers the documents through these hashes."""
    listed = {PREFIX + d["path"]: d["sha256"] for d in manifest["documents"]}
    if len(listed) != len(manifest["documents"]):
        raise InvalidDocument("bundle_duplicate", file=MANIFEST)
    extra = set(files) - set(listed) - {MANIFEST, SIGNATURE}
    if extra:
        raise InvalidDocument("bundle_unexpected_file", file=sorted(extra)[0][:80])
    for path, digest in listed.items():
        if path not in files:
            raise InvalidDocument("file_missing", file=path)
        if _sha(files[path]) != digest:
            raise InvalidDocument("bundle_hash_mismatch", file=path)


def _documents(
    store: Store, files: dict[str, bytes], manifest: dict[str, Any], raw: dict[str, bytes]
) -> list[Document]:
    """Each listed document, decrypted, validated and bound to its path and to the
    log it was exported from; its plaintext is kept in `raw` for the import."""
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
