"""Import refuses anything malformed or hostile, says why, and leaves the store as it was."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from stafett import crypto, ids, signing, yamlio
from stafett.errors import ExitCode
from tests.world import World

Files = dict[str, bytes]


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> tuple[World, Path]:
    world = World(tmp_path_factory.mktemp("hostile"))
    world.person("nora", "Nora Bø", "kontaktlærer", "Bjørkly skole")
    world.person("jonas", "Jonas Dahl", "sosiallærer", "Sentrum ungdomsskole")
    world.init("nora")
    world.run("nora", "people", "add", str(world.card("jonas")), "--handle", "jonas")
    log_id = world.open_log("nora")
    world.consent("nora", log_id, "åse", "Sentrum ungdomsskole")
    world.run(
        "nora",
        "measure",
        "add",
        log_id[:6],
        "--title",
        "Lesegruppe",
        "--goal",
        "Åse skal lese mer.",
        "--responsible",
        "nora",
        "--start",
        "2025-09-01",
        "--evaluate-by",
        "2025-10-01",
    )
    world.run(
        "nora",
        "handover",
        log_id[:6],
        "--to",
        "jonas",
        "--to-service",
        "Sentrum ungdomsskole",
        "--transition",
        "barneskole til ungdomsskole",
        "--starts",
        "2026-08-17",
        "--include",
        "tiltak",
    )
    bundle = world.root / "ok.stafett"
    world.run("nora", "export", log_id[:6], "--to", "jonas", "-o", str(bundle))
    return world, bundle


@pytest.fixture
def receiver(source: tuple[World, Path], tmp_path: Path) -> World:
    world, _ = source
    their = World(tmp_path / "mottaker")
    their.key_files["jonas"] = world.key_files["jonas"]
    their.init("jonas", "Sentrum kommune")
    return their


def _unpack(world: World, bundle: Path) -> Files:
    archive = crypto.decrypt(bundle.read_bytes(), world.identity("jonas"))
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]


def _pack(
    world: World,
    files: Files,
    extra: Callable[[tarfile.TarFile], None] | None = None,
    resign: bool = True,
) -> bytes:
    """Rebuild a bundle: fix the hashes, sign as the exporter, encrypt to jonas."""
    if resign:
        manifest = yamlio.load(files["stafett-bundle.yaml"])
        manifest["documents"] = [
            {"path": p.removeprefix("documents/"), "sha256": hashlib.sha256(b).hexdigest()}
            for p, b in sorted(files.items())
            if p.startswith("documents/")
        ]
        unsigned = {k: v for k, v in manifest.items() if k != "signature"}
        payload = json.dumps(yamlio.jsonable(unsigned), sort_keys=True, ensure_ascii=False)
        manifest["signature"] = signing.sign(world.identity("nora").secret, payload.encode())
        files = {**files, "stafett-bundle.yaml": yamlio.dump(manifest).encode()}
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        if extra:
            extra(tar)
    return crypto.encrypt(out.getvalue(), [world.identity("jonas").recipient])


def _store_state(world: World) -> dict[str, str]:
    return {
        p.relative_to(world.store_path).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(world.store_path.rglob("*"))
        if p.is_file()
    }


def _refused(receiver: World, data: bytes, code: ExitCode, message: str) -> None:
    bundle = receiver.root / "hostile.stafett"
    bundle.write_bytes(data)
    before = _store_state(receiver)
    result = receiver.run("jonas", "import", str(bundle), code=int(code))
    assert result.err.strip() == message
    assert "Traceback" not in result.err
    assert _store_state(receiver) == before
    assert not list((receiver.store_path / "logs").iterdir())


def _encrypted_doc(world: World, data: dict[str, Any]) -> bytes:
    return crypto.encrypt(yamlio.dump(data).encode(), [world.identity("jonas").recipient])


def _measure_path(files: Files) -> str:
    return next(p for p in files if p.startswith("documents/measure/"))


def test_the_clean_bundle_imports(source: tuple[World, Path], receiver: World) -> None:
    receiver.run("jonas", "import", str(source[1]))


def test_not_age(receiver: World) -> None:
    _refused(
        receiver,
        b"PK\x03\x04 this is a zip file",
        ExitCode.INVALID,
        "Filen er ikke en kryptert stafett-pakke.",
    )


def test_not_for_this_key(source: tuple[World, Path], receiver: World) -> None:
    world, bundle = source
    files = _unpack(world, bundle)
    other = crypto.generate()
    data = crypto.encrypt(b"x" * 100, [other.recipient])
    assert files
    _refused(receiver, data, ExitCode.NO_ACCESS, "Pakken er ikke kryptert til din nøkkel.")


def test_truncated(source: tuple[World, Path], receiver: World) -> None:
    data = source[1].read_bytes()
    _refused(receiver, data[: len(data) // 2], ExitCode.INVALID, "Pakken er avkortet eller skadet.")


def test_corrupted(source: tuple[World, Path], receiver: World) -> None:
    data = bytearray(source[1].read_bytes())
    data[len(data) // 2] ^= 0x01
    _refused(receiver, bytes(data), ExitCode.INVALID, "Pakken er avkortet eller skadet.")


@pytest.mark.parametrize(
    "name", ["../../evil.yaml.age", "/etc/evil.yaml.age", "documents/../../../evil"]
)
def test_path_traversal(source: tuple[World, Path], receiver: World, name: str) -> None:
    world, bundle = source
    files = {**_unpack(world, bundle), name: b"age-encryption.org/v1\n"}
    _refused(
        receiver,
        _pack(world, files, resign=False),
        ExitCode.INVALID,
        f"Pakken har en fil med ulovlig sti ({name}).",
    )


@pytest.mark.parametrize(
    "kind", [tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.CHRTYPE, tarfile.DIRTYPE]
)
def test_links_devices_and_folders(
    source: tuple[World, Path], receiver: World, kind: bytes
) -> None:
    world, bundle = source

    def add(tar: tarfile.TarFile) -> None:
        info = tarfile.TarInfo("documents/note/link")
        info.type = kind
        info.linkname = "/etc/passwd"
        tar.addfile(info)

    _refused(
        receiver,
        _pack(world, _unpack(world, bundle), add),
        ExitCode.INVALID,
        "Pakken har noe som ikke er en vanlig fil (documents/note/link): "
        "lenker og enheter godtas ikke.",
    )


def test_oversize_file(source: tuple[World, Path], receiver: World) -> None:
    world, bundle = source
    files = {**_unpack(world, bundle), "documents/note/big": b"\0" * (16 * 1024 * 1024 + 1)}
    _refused(
        receiver,
        _pack(world, files, resign=False),
        ExitCode.INVALID,
        "Pakken er større enn stafett godtar.",
    )


def test_too_many_entries(source: tuple[World, Path], receiver: World) -> None:
    world, bundle = source

    def add(tar: tarfile.TarFile) -> None:
        for i in range(20_001):
            tar.addfile(tarfile.TarInfo(f"documents/note/{i}"), io.BytesIO(b""))

    _refused(
        receiver,
        _pack(world, _unpack(world, bundle), add, resign=False),
        ExitCode.INVALID,
        "Pakken har flere filer enn stafett godtar.",
    )


def test_plaintext_where_ciphertext_belongs(source: tuple[World, Path], receiver: World) -> None:
    world, bundle = source
    files = _unpack(world, bundle)
    rel = _measure_path(files)
    files[rel] = crypto.decrypt(files[rel], world.identity("jonas"))
    _refused(
        receiver,
        _pack(world, files),
        ExitCode.INVALID,
        f"Filen {rel.removeprefix('documents/')} er ikke kryptert med age, men skulle vært det.",
    )


def test_unknown_document_kind(source: tuple[World, Path], receiver: World) -> None:
    world, bundle = source
    files = _unpack(world, bundle)
    doc_id = ids.new_id()
    rel = f"documents/diagnose/{doc_id}.yaml.age"
    files[rel] = _encrypted_doc(world, {"kind": "diagnose", "version": 1, "id": doc_id})
    _refused(
        receiver,
        _pack(world, files),
        ExitCode.INVALID,
        f"Filen diagnose/{doc_id}.yaml.age har en ukjent dokumenttype.",
    )


def test_schema_violation(source: tuple[World, Path], receiver: World) -> None:
    world, bundle = source
    files = _unpack(world, bundle)
    rel = _measure_path(files)
    data = yamlio.load(crypto.decrypt(files[rel], world.identity("jonas")))
    data["status"] = "hemmelig"
    files[rel] = _encrypted_doc(world, data)
    _refused(
        receiver,
        _pack(world, files),
        ExitCode.INVALID,
        f"Feltet «status» i {rel.removeprefix('documents/')} har en ugyldig verdi.",
    )


def test_duplicate_ids(source: tuple[World, Path], receiver: World) -> None:
    world, bundle = source
    files = _unpack(world, bundle)
    rel = _measure_path(files)
    data = yamlio.load(crypto.decrypt(files[rel], world.identity("jonas")))
    note = {
        "kind": "note",
        "version": 1,
        "id": data["id"],
        "created": data["created"],
        "created_by": data["created_by"],
        "text": "Samme id som tiltaket.",
    }
    files[f"documents/note/{data['id']}.yaml.age"] = _encrypted_doc(world, note)
    _refused(
        receiver,
        _pack(world, files),
        ExitCode.INVALID,
        f"Pakken har samme fil eller id to ganger (note/{data['id']}.yaml.age).",
    )


def test_altered_after_signing(source: tuple[World, Path], receiver: World) -> None:
    world, bundle = source
    files = _unpack(world, bundle)
    rel = _measure_path(files)
    files[rel] = _encrypted_doc(
        world, yamlio.load(crypto.decrypt(files[rel], world.identity("jonas")))
    )
    _refused(
        receiver,
        _pack(world, files, resign=False),
        ExitCode.INVALID,
        f"Filen {rel} i pakken stemmer ikke med kontrollsummen.",
    )
    manifest = yamlio.load(files["stafett-bundle.yaml"])
    manifest["municipality"] = "Falsk kommune"
    files = {**_unpack(world, bundle), "stafett-bundle.yaml": yamlio.dump(manifest).encode()}
    _refused(
        receiver,
        _pack(world, files, resign=False),
        ExitCode.INVALID,
        "Signaturen på pakken stemmer ikke; den kan være endret.",
    )


def _bomb(levels: int = 9) -> bytes:
    """A few hundred bytes of YAML that a loader expands to 9**levels strings."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return ("\n".join(lines) + "\n").encode()


def test_an_alias_bomb_manifest_is_refused_before_it_is_built(
    source: tuple[World, Path], receiver: World
) -> None:
    world, bundle = source
    files = _unpack(world, bundle)
    files["stafett-bundle.yaml"] = _bomb()
    _refused(
        receiver,
        _pack(world, files, resign=False),
        ExitCode.INVALID,
        "stafett-bundle.yaml bruker YAML-ankere eller -aliaser, som stafett aldri skriver; "
        "filen er avvist.",
    )


def test_a_document_nested_deep_is_refused_not_a_crash(
    source: tuple[World, Path], receiver: World
) -> None:
    world, bundle = source
    files = _unpack(world, bundle)
    rel = _measure_path(files)
    deep = ("kind: measure\nnested: " + "[" * 100_000 + "]" * 100_000 + "\n").encode()
    files[rel] = crypto.encrypt(deep, [world.identity("jonas").recipient])
    _refused(
        receiver,
        _pack(world, files),
        ExitCode.INVALID,
        f"{rel.removeprefix('documents/')} er nøstet dypere enn noe stafett skriver; "
        "filen er avvist.",
    )
