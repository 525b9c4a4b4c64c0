"""stafett's files open with the age tool, and the age tool's keys work in stafett.

The peer is the Debian `age` tool (installed by .ci/run). The pure-Python `age`
package from PyPI (pyage 0.5.1) was tried as a second peer and dropped: it fails
the header MAC on about one file in five that rage writes, when the random grease
stanza's type holds characters it does not expect (seen: ')n(4-grease').
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from ruamel.yaml import YAML

from stafett import yamlio
from tests.world import World

SCHEMAS = Path(__file__).parent.parent / "schema"
needs_age = pytest.mark.skipif(shutil.which("age") is None, reason="the age tool is not installed")
CONCERN = "Åse på 9 år gruer seg til gymtimene og gråter i garderoben før øktene."


def _validator(kind: str) -> Draft202012Validator:
    """An independent reading of our schema files, straight from disk."""
    pairs = []
    for file in SCHEMAS.glob("*.schema.json"):
        contents = json.loads(file.read_text("utf-8"))
        pairs.append((contents["$id"], Resource.from_contents(contents)))
    schema = json.loads((SCHEMAS / f"{kind}.schema.json").read_text("utf-8"))
    return Draft202012Validator(
        schema, registry=Registry().with_resources(pairs), format_checker=FormatChecker()
    )


def _open_log(world: World, coordinator: str) -> str:
    world.init(coordinator)
    return world.open_log(coordinator, born="12.04.2016", concern=CONCERN)


@needs_age
def test_age_tool_decrypts_a_stafett_document_that_validates(world: World) -> None:
    world.person("nora", "Nora Bø", "kontaktlærer", "Bjørkly skole")
    log_id = _open_log(world, "nora")
    (concern,) = (world.log_dir(log_id) / "concern").iterdir()
    plain = subprocess.run(
        ["age", "-d", "-i", str(world.key_files["nora"]), str(concern)],
        capture_output=True,
        check=True,
    ).stdout
    data = YAML(typ="safe").load(plain.decode("utf-8"))
    assert data["text"] == CONCERN
    errors = list(_validator("concern").iter_errors(yamlio.jsonable(data)))
    assert errors == []


@needs_age
def test_a_key_from_age_keygen_is_a_complete_identity(world: World) -> None:
    key = world.keys / "script.key"
    world.keys.mkdir(parents=True, exist_ok=True)
    subprocess.run(["age-keygen", "-o", str(key)], capture_output=True, check=True)
    recipient = subprocess.run(
        ["age-keygen", "-y", str(key)], capture_output=True, text=True, check=True
    ).stdout.strip()
    world.key_files["script"] = key
    world.init("script")
    world.run(
        "script",
        "people",
        "add",
        "--handle",
        "rapport",
        "--name",
        "Rapportskript",
        "--role",
        "skript",
        "--recipient",
        recipient,
    )
    log_id = world.open_log("script")
    assert "Åse Ødegård" in world.run("script", "show", log_id[:6]).out


@needs_age
@pytest.mark.skipif(sys.platform == "win32", reason="pexpect needs a POSIX terminal")
def test_passphrase_key_opens_with_age_and_unlocks_in_stafett(world: World) -> None:
    import pexpect

    key = world.person("nora", "Nora Bø", "kontaktlærer", passphrase="riktig hest batteri")
    assert key.read_bytes().startswith(b"age-encryption.org/v1\n")
    assert b"AGE-SECRET-KEY" not in key.read_bytes()
    out = world.root / "opened.key"
    child = pexpect.spawn("age", ["-d", "-o", str(out), str(key)], timeout=30)
    child.expect("passphrase")
    child.sendline("riktig hest batteri")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    recipient = subprocess.run(
        ["age-keygen", "-y", str(out)], capture_output=True, text=True, check=True
    ).stdout.strip()
    card = YAML(typ="safe").load((world.keys / "nora.card.yaml").read_text("utf-8"))
    assert card["recipient"] == recipient

    world.init("nora")
    log_id = world.open_log("nora", STAFETT_PASSPHRASE="riktig hest batteri")
    head = _head(world.log_dir(log_id))
    wrong = world.run(
        "nora", "note", "add", log_id[:6], "Et notat.", code=4, STAFETT_PASSPHRASE="feil frase"
    )
    assert wrong.err.strip() == "Feil passordfrase. Ingenting er endret."
    assert _head(world.log_dir(log_id)) == head


def _head(repo: Path) -> str:
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()
