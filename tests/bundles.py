"""Hostile bundles, built for the tests: a real bundle exported by nora to jonas,
unpacked, altered, re-signed where the attack needs a valid signature (any stafett
user can sign), and encrypted to jonas again; or raw tar headers no stafett writes.
Shared by test_bundle_corpus.py and test_import_hostile.py."""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path
from typing import Any

from stafett import crypto, signing, yamlio
from tests.world import World

try:
    import resource
except ImportError:  # Windows: the refusals are checked, the limits cannot be
    resource = None  # type: ignore[assignment]

Files = dict[str, bytes]
MANIFEST = "stafett-bundle.yaml"
SIGNATURE = "stafett-bundle.sig"
MAX_FILE = 16 * 1024 * 1024
NOT_A_FILE = "Pakken har noe som ikke er en vanlig fil ({}): lenker og enheter godtas ikke."
BAD_PATH = "Pakken har en fil med ulovlig sti ({})."
BAD_SIGNATURE = "Signaturen på pakken stemmer ikke; den kan være endret."
CORRUPT = "Pakken er avkortet eller skadet."
EXTENSION = (
    "Pakken bruker tar-utvidelser (PAX- eller GNU-hoder) som stafett aldri skriver; "
    "pakken er avvist."
)
ALIAS = "{} bruker YAML-ankere eller -aliaser, som stafett aldri skriver; filen er avvist."
OLD_FORMAT = (
    "Pakken er laget med en eldre stafett; be avsenderen eksportere den på nytt "
    "med en oppdatert stafett."
)
DEEP = "{} er nøstet dypere enn noe stafett skriver; filen er avvist."

# --- building bundles (shared with test_import_hostile.py) ---------------------


def make_source(root: Path) -> tuple[World, Path]:
    """nora's log with a consent, a measure and a handover to jonas, exported."""
    world = World(root)
    world.person("nora", "Nora Bø", "kontaktlærer", "Bjørkly skole")
    world.person("jonas", "Jonas Dahl", "sosiallærer", "Sentrum ungdomsskole")
    world.init("nora")
    world.run("nora", "people", "add", str(world.card("jonas")), "--handle", "jonas")
    log_id = world.open_log("nora")
    world.consent("nora", log_id, "åse", "Sentrum ungdomsskole")
    measure = ["--title", "Lesegruppe", "--goal", "Åse skal lese mer.", "--responsible", "nora"]
    dates = ["--start", "2025-09-01", "--evaluate-by", "2025-10-01"]
    world.run("nora", "measure", "add", log_id[:6], *measure, *dates)
    to = ["--to", "jonas", "--to-service", "Sentrum ungdomsskole"]
    when = ["--transition", "barneskole til ungdomsskole", "--starts", "2026-08-17"]
    world.run("nora", "handover", log_id[:6], *to, *when, "--include", "tiltak")
    bundle = world.root / "ok.stafett"
    world.run("nora", "export", log_id[:6], "--to", "jonas", "-o", str(bundle))
    return world, bundle


def make_receiver(source: World, root: Path) -> World:
    """jonas's own store, holding jonas's key from the source world."""
    their = World(root)
    their.key_files["jonas"] = source.key_files["jonas"]
    their.init("jonas", "Sentrum kommune")
    return their


def unpack(world: World, bundle: Path) -> Files:
    archive = crypto.decrypt(bundle.read_bytes(), world.identity("jonas"))
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]


def relisted(files: Files) -> Files:
    """The manifest's list of documents and hashes made to match `files` again."""
    manifest = yamlio.load(files[MANIFEST])
    manifest["documents"] = [
        {"path": p.removeprefix("documents/"), "sha256": hashlib.sha256(b).hexdigest()}
        for p, b in sorted(files.items())
        if p.startswith("documents/")
    ]
    return {**files, MANIFEST: yamlio.dump(manifest).encode()}


def signature_file(world: World, manifest: bytes, signer: str = "nora", version: int = 2) -> bytes:
    """A detached signature as stafett writes it, over the manifest's exact bytes."""
    identity = world.identity(signer)
    armored = signing.sign(identity.secret, manifest)
    key = identity.signing_public_key()
    return f"stafett-bundle-signature {version}\n{key}\n{armored}\n".encode()


def signed(world: World, files: Files, signer: str = "nora") -> Files:
    return {**files, SIGNATURE: signature_file(world, files[MANIFEST], signer)}


def entry(name: str, data: bytes = b"", kind: bytes = tarfile.REGTYPE, link: str = "") -> bytes:
    """One ustar member: its header, its data, padded to the block."""
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    info.size = len(data)
    return info.tobuf(format=tarfile.USTAR_FORMAT) + data + b"\0" * (-len(data) % 512)


def seal(world: World, archive: bytes) -> bytes:
    return crypto.encrypt(archive, [world.identity("jonas").recipient])


def pack(
    world: World,
    files: Files,
    extra: list[bytes] | None = None,
    relist: bool = True,
    sign: bool = True,
) -> bytes:
    """Rebuild a bundle: the files (hashes fixed and signed as nora unless told
    not to), then any raw members, then the end of the archive; encrypted to jonas."""
    if relist:
        files = relisted(files)
    if sign:
        files = signed(world, files)
    members = [entry(name, data) for name, data in files.items()]
    return seal(world, b"".join([*members, *(extra or [])]) + b"\0" * 1024)


def store_state(world: World) -> dict[str, str]:
    """Every path under the store (logs and their .git folders included): a
    file's hash, or what a folder or link is, so an empty leftover shows too."""
    state = {}
    for path in sorted(world.store_path.rglob("*")):
        rel = path.relative_to(world.store_path).as_posix()
        if path.is_symlink():
            state[rel] = f"link {path.readlink()}"
        elif path.is_dir():
            state[rel] = "folder"
        else:
            state[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return state


def encrypted_doc(world: World, data: dict[str, Any]) -> bytes:
    return crypto.encrypt(yamlio.dump(data).encode(), [world.identity("jonas").recipient])


def measure_path(files: Files) -> str:
    return next(p for p in files if p.startswith("documents/measure/"))


def bomb(levels: int = 9) -> bytes:
    """A few hundred bytes of YAML that a loader expands to 9**levels strings."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return ("\n".join(lines) + "\n").encode()


def deep(prefix: str = "", levels: int = 100_000) -> bytes:
    return (prefix + "nested: " + "[" * levels + "]" * levels + "\n").encode()


# --- raw tar headers no stafett writes ---------------------------------------


def _with_checksum(header: bytearray) -> bytes:
    header[148:156] = b" " * 8
    header[148:156] = b"%06o\0 " % sum(header)
    return bytes(header)


def sparse_entry(name: str, claimed: int) -> bytes:
    """A GNU sparse member: no data in the archive, `claimed` bytes of holes once
    read, which tarfile fills with zeros in memory."""
    header = bytearray(entry(name)[:512])
    header[156:157] = tarfile.GNUTYPE_SPARSE
    header[483:495] = b"%011o\0" % claimed
    return _with_checksum(header)


def extension_entry(kind: bytes, payload: bytes) -> bytes:
    """A PAX or GNU extension header carrying `payload`, as the next member's."""
    info = tarfile.TarInfo("././@PaxHeader" if kind != tarfile.GNUTYPE_LONGNAME else "././@L")
    info.type = kind
    info.size = len(payload)
    return info.tobuf(format=tarfile.USTAR_FORMAT) + payload + b"\0" * (-len(payload) % 512)


def pax_record(key: str, value: str) -> bytes:
    """One PAX record: its own length in decimal, then ` key=value\\n`."""
    body = f" {key}={value}\n".encode()
    size = len(body)
    while size != len(str(size)) + len(body):
        size = len(str(size)) + len(body)
    return str(size).encode() + body


def lying_header(name: str, claimed: int) -> bytes:
    """A plain ustar header that claims `claimed` bytes the archive does not hold."""
    header = bytearray(entry(name)[:512])
    header[124:136] = b"%011o\0" % claimed
    return _with_checksum(header)


def negative_header(name: str, size: int) -> bytes:
    """A ustar header whose size is negative in base-256: tarfile would then read
    the next header, and the next file's data, from bytes it has read already."""
    header = bytearray(entry(name)[:512])
    header[124:136] = b"\xff" + (256**11 + size).to_bytes(11, "big")
    return _with_checksum(header)
