"""Import refuses anything malformed or hostile, says why, and leaves the store as it was.

These run in this process, for what the signed contents of a bundle can get wrong;
the hostile archives themselves (bombs, sparse files, links, forged signatures,
old formats) are in test_bundle_corpus.py, each in a real process with limits.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from stafett import crypto, signing, yamlio
from stafett.errors import ExitCode
from tests.bundles import (
    MANIFEST,
    SIGNATURE,
    encrypted_doc,
    make_receiver,
    make_source,
    measure_path,
    pack,
    store_state,
    unpack,
)
from tests.world import World


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> tuple[World, Path]:
    return make_source(tmp_path_factory.mktemp("hostile"))


@pytest.fixture
def receiver(source: tuple[World, Path], tmp_path: Path) -> World:
    return make_receiver(source[0], tmp_path / "mottaker")


def _refused(receiver: World, data: bytes, code: ExitCode, message: str) -> None:
    bundle = receiver.root / "hostile.stafett"
    bundle.write_bytes(data)
    before = store_state(receiver)
    result = receiver.run("jonas", "import", str(bundle), code=int(code))
    assert result.err.strip() == message
    assert "Traceback" not in result.err
    assert store_state(receiver) == before
    assert not list((receiver.store_path / "logs").iterdir())


def test_the_clean_bundle_imports(source: tuple[World, Path], receiver: World) -> None:
    receiver.run("jonas", "import", str(source[1]))


def test_the_signature_comes_first_and_covers_the_manifest_bytes(
    source: tuple[World, Path],
) -> None:
    """The import reads the signature before any YAML, so the exporter writes it
    first, in its fixed line format, over the manifest exactly as stored."""
    world, bundle = source
    archive = crypto.decrypt(bundle.read_bytes(), world.identity("jonas"))
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        assert tar.getnames()[:2] == [SIGNATURE, MANIFEST]
    files = unpack(world, bundle)
    head, key, armored = files[SIGNATURE].decode("ascii").split("\n", 2)
    assert head == "stafett-bundle-signature 2"
    assert key == world.identity("nora").signing_public_key()
    assert signing.verify(key, armored, files[MANIFEST])
    assert yamlio.load(files[MANIFEST])["exporter"]["signing_key"] == key
    assert "signature" not in yamlio.load(files[MANIFEST])


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen is not installed")
def test_the_signature_checks_with_ssh_keygen(source: tuple[World, Path], tmp_path: Path) -> None:
    """What the format promises: the SSHSIG lines check with OpenSSH, no stafett needed."""
    files = unpack(*source)
    armored = files[SIGNATURE].decode("ascii").split("\n", 2)[2]
    (tmp_path / "sig").write_text(armored, "ascii")
    subprocess.run(
        ["ssh-keygen", "-Y", "check-novalidate", "-n", "git", "-s", str(tmp_path / "sig")],
        input=files[MANIFEST],
        check=True,
        capture_output=True,
    )


def test_schema_violation(source: tuple[World, Path], receiver: World) -> None:
    world, bundle = source
    files = unpack(world, bundle)
    rel = measure_path(files)
    data = yamlio.load(crypto.decrypt(files[rel], world.identity("jonas")))
    data["status"] = "hemmelig"
    files[rel] = encrypted_doc(world, data)
    _refused(
        receiver,
        pack(world, files),
        ExitCode.INVALID,
        f"Feltet «status» i {rel.removeprefix('documents/')} har en ugyldig verdi.",
    )


def test_a_signed_manifest_that_breaks_the_schema(
    source: tuple[World, Path], receiver: World
) -> None:
    """Signed by a real key, so it is the schema that must refuse it."""
    world, bundle = source
    files = unpack(world, bundle)
    manifest = yamlio.load(files[MANIFEST])
    manifest["exporter"]["secret"] = "x"
    files[MANIFEST] = yamlio.dump(manifest).encode()
    _refused(
        receiver,
        pack(world, files),
        ExitCode.INVALID,
        "Ukjent felt «secret» i stafett-bundle.yaml.",
    )


def test_duplicate_ids(source: tuple[World, Path], receiver: World) -> None:
    world, bundle = source
    files = unpack(world, bundle)
    rel = measure_path(files)
    data = yamlio.load(crypto.decrypt(files[rel], world.identity("jonas")))
    note = {
        "kind": "note",
        "version": 1,
        "id": data["id"],
        "created": data["created"],
        "created_by": data["created_by"],
        "text": "Samme id som tiltaket.",
    }
    files[f"documents/note/{data['id']}.yaml.age"] = encrypted_doc(world, note)
    _refused(
        receiver,
        pack(world, files),
        ExitCode.INVALID,
        f"Pakken har samme fil eller id to ganger (note/{data['id']}.yaml.age).",
    )


def test_a_document_altered_after_signing(source: tuple[World, Path], receiver: World) -> None:
    world, bundle = source
    files = unpack(world, bundle)
    rel = measure_path(files)
    files[rel] = encrypted_doc(
        world, yamlio.load(crypto.decrypt(files[rel], world.identity("jonas")))
    )
    _refused(
        receiver,
        pack(world, files, relist=False, sign=False),
        ExitCode.INVALID,
        f"Filen {rel} i pakken stemmer ikke med kontrollsummen.",
    )


def test_a_file_the_manifest_does_not_list(source: tuple[World, Path], receiver: World) -> None:
    world, bundle = source
    files = {**unpack(world, bundle), "documents/note/extra": b"age-encryption.org/v1\n"}
    _refused(
        receiver,
        pack(world, files, relist=False, sign=False),
        ExitCode.INVALID,
        "Pakken har en fil som ikke står i innholdslisten (documents/note/extra).",
    )
