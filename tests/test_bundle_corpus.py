"""A corpus of hostile bundles, each imported by a real `stafett import` process:
every one is refused with its plain message, within a CPU limit and in bounded
memory, and leaves the receiver's store byte for byte as it was.

Each case builds its bundle with the helpers in tests/bundles.py, or is raw bytes
where the attack is the file itself. The two seconds are a resource limit
(RLIMIT_CPU), not a timed assertion: a case that runs away is killed and fails.
Peak memory is measured by a small launcher that waits for the import with wait4,
since a process forked from this large pytest process would report pytest's own
memory as its peak.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from stafett import crypto, ids, signing, yamlio
from stafett.errors import ExitCode
from tests.world import World

try:
    import resource
except ImportError:  # Windows: the refusals are checked, the limits cannot be
    resource = None  # type: ignore[assignment]

from tests.bundles import (
    ALIAS,
    BAD_PATH,
    BAD_SIGNATURE,
    CORRUPT,
    DEEP,
    EXTENSION,
    MANIFEST,
    MAX_FILE,
    NOT_A_FILE,
    OLD_FORMAT,
    SIGNATURE,
    Files,
    bomb,
    deep,
    encrypted_doc,
    entry,
    extension_entry,
    lying_header,
    make_receiver,
    make_source,
    measure_path,
    negative_header,
    pack,
    pax_record,
    relisted,
    seal,
    signature_file,
    sparse_entry,
    store_state,
    unpack,
)

CPU_SECONDS = 2
MAX_RSS_MB = 200

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
