"""A corpus of hostile bundles, each imported by a real `stafett import` process:
every one is refused with its plain message, within a CPU limit and in bounded
memory, and leaves the receiver's store byte for byte as it was.

Each bundle is built here: a real bundle exported by nora to jonas, unpacked,
altered, re-signed where the attack needs a valid signature (any stafett user can
sign), and encrypted to jonas again; or raw bytes where the attack is the file
itself. The two seconds are a resource limit (RLIMIT_CPU), not a timed assertion:
a case that runs away is killed and fails. Peak memory is measured by a small
launcher that waits for the import with wait4, since a process forked from this
large pytest process would report pytest's own memory as its peak.

The helpers that build bundles are shared with test_import_hostile.py, which
imports them from here (never the other way round).
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from stafett import crypto, ids, signing, yamlio
from stafett.errors import ExitCode
from tests.world import World

try:
    import resource
except ImportError:  # Windows: the refusals are checked, the limits cannot be
    resource = None  # type: ignore[assignment]

Files = dict[str, bytes]
MANIFEST = "stafett-bundle.yaml"
SIGNATURE = "stafett-bundle.sig"
CPU_SECONDS = 2
MAX_RSS_MB = 200
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

# Runs the import as its own child, so the peak memory wait4 reports is the
# import's, and the CPU limit is set on that child alone.
LAUNCHER = """
import json, os, resource, subprocess, sys
report, seconds, command = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
def limit():
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
child = subprocess.Popen(command, preexec_fn=limit, stdin=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
child.returncode = os.waitstatus_to_exitcode(status)
cpu = usage.ru_utime + usage.ru_stime
with open(report, "w") as out:
    json.dump({"code": child.returncode, "maxrss": usage.ru_maxrss, "cpu": cpu}, out)
"""


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


# --- the corpus --------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    world: World
    bundle: Path

    def files(self) -> Files:
        return unpack(self.world, self.bundle)

    def pack(self, files: Files, extra: list[bytes] | None = None, **how: bool) -> bytes:
        return pack(self.world, files, extra, **how)


@dataclass(frozen=True)
class Hostile:
    data: bytes
    message: str
    code: ExitCode = ExitCode.INVALID


Build = Callable[[Source], Hostile]
CASES: list[Build] = []


def case(build: Build) -> Build:
    CASES.append(build)
    return build


@case
def alias_bomb_manifest(s: Source) -> Hostile:
    """Signed, so it is the YAML check that must refuse it."""
    files = {**s.files(), MANIFEST: bomb()}
    return Hostile(s.pack(files, relist=False), ALIAS.format(MANIFEST))


@case
def alias_bomb_manifest_unsigned(s: Source) -> Hostile:
    """Not signed by anyone: refused at the signature, its YAML never read."""
    files = {**s.files(), MANIFEST: bomb()}
    return Hostile(s.pack(files, relist=False, sign=False), BAD_SIGNATURE)


@case
def alias_bomb_document(s: Source) -> Hostile:
    files = s.files()
    rel = measure_path(files)
    files[rel] = seal(s.world, bomb())
    return Hostile(s.pack(files), ALIAS.format(rel.removeprefix("documents/")))


@case
def deep_manifest(s: Source) -> Hostile:
    files = {**s.files(), MANIFEST: deep()}
    return Hostile(s.pack(files, relist=False), DEEP.format(MANIFEST))


@case
def deep_manifest_unsigned(s: Source) -> Hostile:
    files = {**s.files(), MANIFEST: deep()}
    return Hostile(s.pack(files, relist=False, sign=False), BAD_SIGNATURE)


@case
def deep_document(s: Source) -> Hostile:
    files = s.files()
    rel = measure_path(files)
    files[rel] = seal(s.world, deep("kind: measure\n"))
    return Hostile(s.pack(files), DEEP.format(rel.removeprefix("documents/")))


@case
def sparse_members(s: Source) -> Hostile:
    """20 GNU sparse members of 16 MiB each in a few KB: 360 MB once read."""
    extra = [sparse_entry(f"documents/note/s{i}", MAX_FILE) for i in range(20)]
    message = (
        "Pakken har en glissen fil («sparse») (documents/note/s0), som stafett aldri "
        "skriver; pakken er avvist."
    )
    return Hostile(s.pack(s.files(), extra), message)


@case
def pax_sparse_members(s: Source) -> Hostile:
    """The same expansion through PAX sparse records (GNU format 0.1)."""
    records = [("GNU.sparse.map", "0,0"), ("GNU.sparse.size", str(MAX_FILE))]
    pax = b"".join(pax_record(k, v) for k, v in records)
    extra = [
        b
        for i in range(20)
        for b in (extension_entry(tarfile.XHDTYPE, pax), entry(f"documents/note/s{i}"))
    ]
    return Hostile(s.pack(s.files(), extra), EXTENSION)


@case
def many_headers(s: Source) -> Hostile:
    """120,000 empty members: more headers than stafett reads before refusing."""
    extra = [entry(f"documents/note/{i}") for i in range(120_000)]
    return Hostile(s.pack(s.files(), extra), "Pakken har flere filer enn stafett godtar.")


@case
def size_over_archive(s: Source) -> Hostile:
    """A header within the per-file limit that claims more than the whole archive."""
    extra = [lying_header("documents/note/big", MAX_FILE)]
    message = (
        "Filene i pakken oppgir å være større enn hele pakken; "
        "den er skadet eller laget for å lure."
    )
    return Hostile(s.pack(s.files(), extra), message)


@case
def negative_size(s: Source) -> Hostile:
    """Sizes that add up to nothing, while the same data is read again and again."""
    extra = [entry("documents/note/a", b"x" * 4096), negative_header("documents/note/b", -5120)]
    message = (
        "Filene i pakken oppgir å være større enn hele pakken; "
        "den er skadet eller laget for å lure."
    )
    return Hostile(s.pack(s.files(), extra), message)


@case
def pax_size_lie(s: Source) -> Hostile:
    pax = pax_record("size", str(10**12))
    extra = [extension_entry(tarfile.XHDTYPE, pax), entry("documents/note/big")]
    return Hostile(s.pack(s.files(), extra), EXTENSION)


@case
def pax_quadratic(s: Source) -> Hostile:
    """60 KB of digits: Python's tarfile before 3.11.10 searched them in quadratic
    time (CVE-2024-6232), about 8 s."""
    extra = [extension_entry(tarfile.XHDTYPE, b"1" * 60_000), entry("documents/note/x")]
    return Hostile(s.pack(s.files(), extra), EXTENSION)


@case
def gnu_long_name(s: Source) -> Hostile:
    name = b"documents/note/" + b"a" * 200 + b"\0"
    extra = [extension_entry(tarfile.GNUTYPE_LONGNAME, name), entry("documents/note/x")]
    return Hostile(s.pack(s.files(), extra), EXTENSION)


def _odd_member(kind: bytes, name: str) -> Build:
    def build(s: Source) -> Hostile:
        extra = [entry("documents/note/link", kind=kind, link="/etc/passwd")]
        return Hostile(s.pack(s.files(), extra), NOT_A_FILE.format("documents/note/link"))

    build.__name__ = name
    return case(build)


_odd_member(tarfile.SYMTYPE, "symlink")
_odd_member(tarfile.LNKTYPE, "hardlink")
_odd_member(tarfile.CHRTYPE, "device")
_odd_member(tarfile.DIRTYPE, "folder")
_odd_member(tarfile.FIFOTYPE, "fifo")


def _bad_path(path: str, name: str) -> Build:
    def build(s: Source) -> Hostile:
        extra = [entry(path, b"age-encryption.org/v1\n")]
        return Hostile(s.pack(s.files(), extra, sign=False), BAD_PATH.format(path))

    build.__name__ = name
    return case(build)


_bad_path("../../evil.yaml.age", "path_traversal")
_bad_path("documents/../../../evil", "path_traversal_inside")
_bad_path("/etc/evil.yaml.age", "absolute_path")
_bad_path("C:evil.yaml.age", "drive_path")


@case
def duplicate_names(s: Source) -> Hostile:
    files = s.files()
    rel = measure_path(files)
    message = f"Pakken har samme fil eller id to ganger ({rel})."
    return Hostile(s.pack(files, [entry(rel, files[rel])]), message)


@case
def oversize_file(s: Source) -> Hostile:
    extra = [entry("documents/note/big", b"\0" * (MAX_FILE + 1))]
    return Hostile(s.pack(s.files(), extra), "Pakken er større enn stafett godtar.")


@case
def unsigned(s: Source) -> Hostile:
    """No signature file: a bundle of format 1, or a forgery; either way not read."""
    files = relisted(s.files())
    files.pop(SIGNATURE, None)
    return Hostile(s.pack(files, relist=False, sign=False), OLD_FORMAT)


@case
def altered_after_signing(s: Source) -> Hostile:
    files = s.files()
    text = files[MANIFEST].decode().replace("Testvik kommune", "Falsk kommune")
    files[MANIFEST] = text.encode()
    return Hostile(s.pack(files, relist=False, sign=False), BAD_SIGNATURE)


@case
def signature_garbage(s: Source) -> Hostile:
    files = {**s.files(), SIGNATURE: b"\xff\xfe[{" * 64}
    return Hostile(s.pack(files, relist=False, sign=False), BAD_SIGNATURE)


@case
def signed_by_another_key(s: Source) -> Hostile:
    """A valid signature by mallory over a manifest that names nora as exporter."""
    files = s.files()
    mallory = crypto.generate()
    armored = signing.sign(mallory.secret, files[MANIFEST])
    files[SIGNATURE] = (
        f"stafett-bundle-signature 2\n{mallory.signing_public_key()}\n{armored}\n".encode()
    )
    return Hostile(s.pack(files, relist=False, sign=False), BAD_SIGNATURE)


@case
def old_format(s: Source) -> Hostile:
    """Format 1 as stafett wrote it: signed inside the manifest, over canonical JSON."""
    files = relisted(s.files())
    files.pop(SIGNATURE, None)
    manifest = {**yamlio.load(files[MANIFEST]), "format_version": 1}
    manifest.pop("signature", None)
    payload = json.dumps(yamlio.jsonable(manifest), sort_keys=True, ensure_ascii=False)
    manifest["signature"] = signing.sign(s.world.identity("nora").secret, payload.encode())
    files[MANIFEST] = yamlio.dump(manifest).encode()
    return Hostile(s.pack(files, relist=False, sign=False), OLD_FORMAT)


@case
def newer_format(s: Source) -> Hostile:
    files = relisted(s.files())
    files[SIGNATURE] = signature_file(s.world, files[MANIFEST], version=3)
    message = (
        "stafett-bundle.sig er laget med en nyere stafett (formatversjon 3); denne stafett "
        "kjenner formatversjon 2. Oppdater stafett for å lese den."
    )
    return Hostile(s.pack(files, relist=False, sign=False), message)


@case
def plaintext_document(s: Source) -> Hostile:
    files = s.files()
    rel = measure_path(files)
    files[rel] = crypto.decrypt(files[rel], s.world.identity("jonas"))
    message = (
        f"Filen {rel.removeprefix('documents/')} er ikke kryptert med age, men skulle vært det."
    )
    return Hostile(s.pack(files), message)


@case
def unknown_kind_document(s: Source) -> Hostile:
    doc_id = ids.new_id()
    rel = f"diagnose/{doc_id}.yaml.age"
    doc = encrypted_doc(s.world, {"kind": "diagnose", "version": 1, "id": doc_id})
    files = {**s.files(), f"documents/{rel}": doc}
    return Hostile(s.pack(files), f"Filen {rel} har en ukjent dokumenttype.")


@case
def wrong_kind_document(s: Source) -> Hostile:
    """A valid note where the measure with its id should be."""
    files = s.files()
    rel = measure_path(files)
    measure = yamlio.load(crypto.decrypt(files[rel], s.world.identity("jonas")))
    keep = ("id", "created", "created_by")
    note = {"kind": "note", "version": 1, **{k: measure[k] for k in keep}, "text": "Byttet."}
    files[rel] = encrypted_doc(s.world, note)
    short = rel.removeprefix("documents/")
    message = (
        f"Filen {short} ligger ikke der id-en og typen sier; den kan være flyttet eller byttet."
    )
    return Hostile(s.pack(files), message)


@case
def no_manifest(s: Source) -> Hostile:
    files = {k: v for k, v in s.files().items() if k not in (MANIFEST, SIGNATURE)}
    return Hostile(s.pack(files, relist=False, sign=False), "Pakken mangler innholdslisten.")


@case
def corrupted(s: Source) -> Hostile:
    """One bit flipped in the middle: age's authentication refuses it."""
    data = bytearray(s.bundle.read_bytes())
    data[len(data) // 2] ^= 0x01
    return Hostile(bytes(data), CORRUPT)


@case
def truncated(s: Source) -> Hostile:
    data = s.bundle.read_bytes()
    return Hostile(data[: len(data) // 2], CORRUPT)


@case
def truncated_archive(s: Source) -> Hostile:
    """Whole age file, but the tar inside it ends in the middle of a member."""
    archive = crypto.decrypt(s.bundle.read_bytes(), s.world.identity("jonas"))
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        last = tar.getmembers()[-1]
    return Hostile(seal(s.world, archive[: last.offset_data + last.size // 2]), CORRUPT)


@case
def empty_archive(s: Source) -> Hostile:
    return Hostile(seal(s.world, b""), CORRUPT)


@case
def not_age(s: Source) -> Hostile:
    return Hostile(b"PK\x03\x04 this is a zip file", "Filen er ikke en kryptert stafett-pakke.")


@case
def not_for_this_key(s: Source) -> Hostile:
    data = crypto.encrypt(b"x" * 100, [crypto.generate().recipient])
    return Hostile(data, "Pakken er ikke kryptert til din nøkkel.", ExitCode.NO_ACCESS)


# --- running an import as its own process ------------------------------------


@dataclass(frozen=True)
class Outcome:
    code: int
    err: str
    rss_mb: float | None = None
    cpu_s: float | None = None

    def describe(self) -> str:
        killed = f" (killed by signal {-self.code}: over {CPU_SECONDS} s CPU?)"
        killed = killed if self.code < 0 else ""
        return f"exit {self.code}{killed}, {self.rss_mb} MB, {self.cpu_s} s CPU\nstderr: {self.err}"


def run_import(receiver: World, data: bytes) -> Outcome:
    """`stafett import` in a process of its own, limited to CPU_SECONDS of CPU where
    the platform has `resource`, with its peak memory and CPU time measured."""
    bundle = receiver.root / "hostile.stafett"
    bundle.write_bytes(data)
    env = receiver.env("jonas", STAFETT_AGENT="0", TMPDIR=str(receiver.root / "tmp"))
    command = [sys.executable, "-m", "stafett", "import", str(bundle)]
    if resource is None:
        proc = _run(command, env)
        return Outcome(proc.returncode, proc.stderr)
    report = receiver.root / "usage.json"
    proc = _run([sys.executable, "-c", LAUNCHER, str(report), str(CPU_SECONDS), *command], env)
    usage = json.loads(report.read_text("utf-8"))
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes there, KiB here
    return Outcome(usage["code"], proc.stderr, usage["maxrss"] / scale, usage["cpu"])


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Source:
    return Source(*make_source(tmp_path_factory.mktemp("corpus")))


@pytest.fixture(scope="module")
def receiver(source: Source, tmp_path_factory: pytest.TempPathFactory) -> World:
    """jonas's store with a log of its own, so there is a .git to keep intact."""
    their = make_receiver(source.world, tmp_path_factory.mktemp("corpus-mottaker"))
    their.open_log("jonas", child="Per Pål", born="2013-02-01", grade=7)
    (their.root / "tmp").mkdir()
    return their


@pytest.mark.parametrize("build", CASES, ids=lambda build: build.__name__)
def test_a_hostile_bundle_is_refused_in_bounded_time_and_memory(
    build: Build, source: Source, receiver: World
) -> None:
    hostile = build(source)
    before = store_state(receiver)
    outcome = run_import(receiver, hostile.data)
    assert outcome.code == int(hostile.code), outcome.describe()
    rss, cpu = outcome.rss_mb, outcome.cpu_s
    if rss is not None and cpu is not None:
        print(f"\n{build.__name__}: {rss:.0f} MB, {cpu:.2f} s CPU")
        assert rss < MAX_RSS_MB, outcome.describe()
    assert outcome.err.strip() == hostile.message
    assert "Traceback" not in outcome.err
    assert store_state(receiver) == before
    assert not list((receiver.store_path / "logs").glob(".new-*"))
    assert not list((receiver.root / "tmp").iterdir())
    if rss is None or cpu is None:
        pytest.skip("no `resource` module here: refused and nothing written, limits unmeasured")


def test_the_clean_bundle_imports_under_the_same_limits(source: Source, tmp_path: Path) -> None:
    """The launcher and its limits refuse nothing by themselves."""
    their = make_receiver(source.world, tmp_path / "mottaker")
    (their.root / "tmp").mkdir()
    outcome = run_import(their, source.bundle.read_bytes())
    assert outcome.code == 0, outcome.describe()
    assert [p for p in (their.store_path / "logs").iterdir()]
