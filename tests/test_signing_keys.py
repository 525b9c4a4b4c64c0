"""People registered with a plain age-keygen key (`people add --recipient`) get the
signing key derived from their age secret wherever stafett records it: at init, at
open, at their first write, on `key show`, `people update`, `member update`, in a
bundle's manifest; and a bundle whose signer is not who it says is flagged.

Everything runs through the real CLI, on real git repositories, with keys made by
the real age-keygen."""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from stafett import crypto, history, yamlio
from stafett.clock import at
from stafett.keys import load_identity
from tests.world import STORY_DATE, World

AGE_KEYGEN = shutil.which("age-keygen") or "/usr/bin/age-keygen"
pytestmark = pytest.mark.skipif(not Path(AGE_KEYGEN).exists(), reason="age-keygen is not installed")
SCHOOL = "Bjørkly skole"
HEALTH = "Bjørkly helsestasjon"
NEXT_SCHOOL = "Solvik ungdomsskole"
PEOPLE = {
    "ingrid": ("Ingrid Sæther", "kontaktlærer", SCHOOL),
    "maja": ("Maja Ødegård", "helsesykepleier", HEALTH),
}


# Helpers: plain keys, a store registered with --recipient only, and the files.


def plain_key(world: World, handle: str) -> Path:
    """A key file written by age-keygen itself, with no card beside it."""
    world.keys.mkdir(parents=True, exist_ok=True)
    path = world.keys / f"{handle}.key"
    subprocess.run([AGE_KEYGEN, "-o", str(path)], check=True, capture_output=True)
    world.key_files[handle] = path
    return path


def recipient_of(path: Path) -> str:
    """The public key age-keygen wrote in the file's comment."""
    line = next(x for x in path.read_text("utf-8").splitlines() if x.startswith("# public key:"))
    return line.split(":", 1)[1].strip()


def derived(world: World, handle: str) -> str:
    return load_identity(world.key_files[handle]).signing_public_key()


def register(world: World, actor: str, handle: str) -> str:
    """`people add --recipient`: the path the README shows for scripts."""
    name, title, service = PEOPLE[handle]
    result = world.run(
        actor,
        "people",
        "add",
        "--handle",
        handle,
        "--name",
        name,
        "--role",
        title,
        "--service",
        service,
        "--recipient",
        recipient_of(world.key_files[handle]),
    )
    return result.err


def plain_store(world: World) -> None:
    """Ingrid (coordinator) and Maja (nurse), both plain keys, both registered with
    --recipient only; the store made by Ingrid, whose key has no card."""
    plain_key(world, "ingrid")
    plain_key(world, "maja")
    world.init("ingrid")
    register(world, "ingrid", "ingrid")
    register(world, "ingrid", "maja")


def people_yaml(world: World) -> dict[str, dict[str, str]]:
    data = yamlio.load((world.store_path / "people.yaml").read_bytes())
    return {p["handle"]: p for p in data["people"]}


def members(world: World, actor: str, log_id: str) -> dict[str, dict[str, str]]:
    shown = world.run(actor, "--json", "show", log_id[:8]).json()
    return {m["handle"]: m for m in shown["members"]}


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, f"git {' '.join(args)}:\n{proc.stdout}{proc.stderr}"
    return proc.stdout


def verify_every_commit(world: World, actor: str, log_id: str) -> int:
    """`git verify-commit` on each commit, with the signers stafett writes."""
    signers = world.root / f"signers-{log_id[:6]}"
    world.run(actor, "allowed-signers", log_id[:8], "-o", str(signers))
    repo = world.log_dir(log_id)
    commits = git(repo, "rev-list", "HEAD").split()
    for sha in commits:
        git(repo, "-c", f"gpg.ssh.allowedSignersFile={signers}", "verify-commit", sha)
    return len(commits)


def consent(world: World, actor: str, log_id: str) -> None:
    """The child (åse) consents for the nurse's service and the next school."""
    world.consent(actor, log_id, "åse", f"{HEALTH},{NEXT_SCHOOL}")


def receiver(world: World, actor: str) -> None:
    """Jonas at the next school: a key with a card, registered at the source."""
    world.person("jonas", "Jonas Brå", "kontaktlærer", NEXT_SCHOOL)
    world.run(actor, "people", "add", str(world.card("jonas")), "--handle", "jonas")


def export_bundle(world: World, actor: str, log_id: str) -> Path:
    """A measure, a handover of it to jonas, and the bundle for him."""
    measure = world.run(
        actor,
        "--json",
        "measure",
        "add",
        log_id[:8],
        "--title",
        "Rolig start på dagen",
        "--goal",
        "Åse skal gruer seg mindre til skolen.",
        "--responsible",
        actor,
        "--evaluate-by",
        "2026-04-15",
    ).json()["id"]
    world.run(
        actor,
        "handover",
        "create",
        log_id[:8],
        "--to",
        "jonas",
        "--to-service",
        NEXT_SCHOOL,
        "--transition",
        "barneskole til ungdomsskole",
        "--starts",
        "2026-08-17",
        "--include",
        measure[:8],
        "--child-reviewed",
    )
    bundle = world.root / "åse.stafett"
    world.run(actor, "export", log_id[:8], "--to", "jonas", "-o", str(bundle))
    return bundle


def manifest_and_signature(world: World, bundle: Path) -> tuple[dict[str, object], str]:
    archive = crypto.decrypt(bundle.read_bytes(), world.identity("jonas"))
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        manifest = tar.extractfile("stafett-bundle.yaml").read()  # type: ignore[union-attr]
        signature = tar.extractfile("stafett-bundle.sig").read()  # type: ignore[union-attr]
    return yamlio.load(manifest), signature.decode().splitlines()[1]


def receiving_store(world: World) -> World:
    """Jonas's own store, with only himself in people.yaml."""
    their = World(world.root / "mottaker")
    their.key_files["jonas"] = world.key_files["jonas"]
    their.init("jonas", "Solvik kommune")
    return their


def write_card(path: Path, name: str, title: str, recipient: str) -> Path:
    """A card as a person writes it by hand: no signing key."""
    path.write_text(yamlio.dump({"name": name, "title": title, "recipient": recipient}), "utf-8")
    return path


# 1. The caller's own entries get the derived key.


def test_init_records_the_signing_key_of_a_card_written_without_one(world: World) -> None:
    key = plain_key(world, "ingrid")
    write_card(world.card("ingrid"), "Ingrid Sæther", "kontaktlærer", recipient_of(key))
    world.init("ingrid")
    assert people_yaml(world)["ingrid"]["signing_key"] == derived(world, "ingrid")


def test_open_records_the_coordinators_key_in_the_log_and_in_people(world: World) -> None:
    plain_store(world)
    assert "signing_key" not in people_yaml(world)["ingrid"]
    log_id = world.open_log("ingrid")
    assert members(world, "ingrid", log_id)["ingrid"]["signing_key"] == derived(world, "ingrid")
    assert people_yaml(world)["ingrid"]["signing_key"] == derived(world, "ingrid")
    assert "signing_key" not in people_yaml(world)["maja"]
    signers = world.run("ingrid", "allowed-signers", log_id[:8]).out
    assert derived(world, "ingrid") in signers
    assert verify_every_commit(world, "ingrid", log_id) == 1


def test_a_first_write_completes_the_writers_own_card(world: World) -> None:
    plain_store(world)
    log_id = world.open_log("ingrid")
    consent(world, "ingrid", log_id)
    world.run("ingrid", "member", "add", log_id[:8], "maja")
    assert "signing_key" not in people_yaml(world)["maja"]
    world.run("maja", "note", "add", log_id[:8], "Åse sov dårlig i natt, sier mor.")
    assert people_yaml(world)["maja"]["signing_key"] == derived(world, "maja")
    # Her member entry is the coordinator's to change: the note did not touch it.
    assert "signing_key" not in members(world, "ingrid", log_id)["maja"]
    assert people_yaml(world)["ingrid"]["signing_key"] == derived(world, "ingrid")


def test_the_coordinators_first_write_records_their_key_in_the_member_list(
    world: World,
) -> None:
    """A log opened before the coordinator's card had a signing key: the member
    list there has none. The coordinator's next write records it, in that commit."""
    plain_store(world)
    log_id = world.open_log("ingrid")
    strip_coordinator_key(world, log_id)
    assert "signing_key" not in members(world, "ingrid", log_id)["ingrid"]
    world.run("ingrid", "note", "add", log_id[:8], "Samtale med Åse om friminuttene.")
    assert members(world, "ingrid", log_id)["ingrid"]["signing_key"] == derived(world, "ingrid")
    repo = world.log_dir(log_id)
    touched = git(repo, "show", "--name-only", "--format=%s", "HEAD").split()
    assert touched[:2] == ["add", "note"] and "members.yaml.age" in touched
    assert verify_every_commit(world, "ingrid", log_id) == 3
    # Maja's entry is not hers to give a key she did not sign with.
    consent(world, "ingrid", log_id)
    world.run("ingrid", "member", "add", log_id[:8], "maja")
    assert "signing_key" not in members(world, "ingrid", log_id)["maja"]


def strip_coordinator_key(world: World, log_id: str) -> None:
    """The member list as stafett wrote it before: the coordinator signed with the
    derived key, but the list did not record it."""
    identity = world.identity("ingrid")
    repo = world.log_dir(log_id)
    rel = "members.yaml.age"
    plain = crypto.decrypt((repo / rel).read_bytes(), identity)
    data = yamlio.load(plain)
    for member in data["members"]:
        member.pop("signing_key", None)
    recipients = [identity.recipient, load_identity(world.key_files["recovery"]).recipient]
    (repo / rel).write_bytes(crypto.encrypt(yamlio.dump(data).encode(), recipients))
    me = next(m["id"] for m in data["members"] if m["handle"] == "ingrid")
    when = at(world.today or STORY_DATE).now()
    history.commit(repo, [rel], f"update-member member {me[:7]}", me, identity.sign, when)


# 2. The bundle's manifest names the key that signs it.


def test_a_bundle_from_a_coordinator_registered_with_recipient_names_its_signing_key(
    world: World,
) -> None:
    plain_store(world)
    log_id = world.open_log("ingrid")
    strip_coordinator_key(world, log_id)
    consent(world, "ingrid", log_id)
    receiver(world, "ingrid")
    bundle = export_bundle(world, "ingrid", log_id)
    manifest, signed_by = manifest_and_signature(world, bundle)
    exporter = manifest["exporter"]
    assert isinstance(exporter, dict)
    assert exporter["signing_key"] == signed_by == derived(world, "ingrid")
    assert exporter["name"] == "Ingrid Sæther"


# 3. key show prints a complete card for any identity.


def test_key_show_for_a_plain_key_needs_a_name_from_somewhere(world: World) -> None:
    plain_key(world, "maja")
    result = world.run("maja", "key", "show", code=2)
    assert "--name" in result.err and "--title" in result.err
    card = world.root / "maja.card.yaml"
    world.run(
        "maja",
        "key",
        "show",
        "--name",
        "Maja Ødegård",
        "--title",
        "helsesykepleier",
        "--service",
        HEALTH,
        "-o",
        str(card),
    )
    shown = yamlio.load(card.read_bytes())
    assert shown["name"] == "Maja Ødegård" and shown["service"] == HEALTH
    assert shown["recipient"] == recipient_of(world.key_files["maja"])
    assert shown["signing_key"] == derived(world, "maja")


def test_key_show_takes_the_name_from_people_yaml_or_the_card_beside(world: World) -> None:
    plain_store(world)
    shown = yamlio.load(world.run("maja", "key", "show").out)
    assert shown["name"] == "Maja Ødegård" and shown["title"] == "helsesykepleier"
    assert shown["signing_key"] == derived(world, "maja")
    assert shown["recipient"] == recipient_of(world.key_files["maja"])
    beside = write_card(
        world.card("maja"), "Maja Å. Ødegård", "helsesøster", recipient_of(world.key_files["maja"])
    )
    shown = yamlio.load(world.run("maja", "key", "show").out)
    assert shown["name"] == "Maja Å. Ødegård"
    assert shown["signing_key"] == derived(world, "maja")
    # The card beside another key is refused, not shown with the wrong key.
    shutil.copy(beside, world.card("ingrid"))
    result = world.run("ingrid", "key", "show", code=5)
    assert "ingrid.card.yaml" in result.err


# 4. people update attaches the signing key to an existing entry.


def test_people_update_attaches_the_card_or_the_key(world: World) -> None:
    plain_store(world)
    card = world.root / "maja.card.yaml"
    world.run("maja", "key", "show", "-o", str(card))
    result = world.run("ingrid", "people", "update", "maja", "--card", str(card))
    assert "maja" in result.out
    assert people_yaml(world)["maja"]["signing_key"] == derived(world, "maja")
    world.run("ingrid", "people", "update", "maja", "--card", str(card))  # the same again
    # A card of another key is refused; the entry stays hers.
    ingrid = world.root / "ingrid.card.yaml"
    world.run("ingrid", "key", "show", "-o", str(ingrid))
    refused = world.run("ingrid", "people", "update", "maja", "--card", str(ingrid), code=5)
    assert "«maja»" in refused.err
    assert people_yaml(world)["maja"]["recipient"] == recipient_of(world.key_files["maja"])
    # A signing key given as text: an ssh-ed25519 public key, a comment dropped.
    other = crypto.generate().signing_public_key()
    world.run("ingrid", "people", "update", "ingrid", "--signing-key", f"{other} ingrid@skole")
    assert people_yaml(world)["ingrid"]["signing_key"] == other
    for bad in ("ssh-rsa AAAAB3NzaC1yc2E", "ssh-ed25519 AAAA", "ssh-ed25519 !!"):
        result = world.run("ingrid", "people", "update", "ingrid", "--signing-key", bad, code=2)
        assert "ssh-ed25519" in result.err
    assert world.run("ingrid", "people", "update", "ingrid", code=2).err
    world.run("ingrid", "people", "update", "nobody", "--signing-key", other, code=6)


# 5. member update records the card in the member list.


def test_member_update_records_the_key_from_people_yaml(world: World) -> None:
    plain_store(world)
    log_id = world.open_log("ingrid")
    consent(world, "ingrid", log_id)
    world.run("ingrid", "member", "add", log_id[:8], "maja")
    refused = world.run("ingrid", "member", "update", log_id[:8], "maja", code=5)
    assert "people update maja --card" in refused.err
    card = world.root / "maja.card.yaml"
    world.run("maja", "key", "show", "-o", str(card))
    world.run("ingrid", "people", "update", "maja", "--card", str(card))
    world.run("maja", "member", "update", log_id[:8], "maja", code=4)  # coordinator only
    before = git(world.log_dir(log_id), "rev-list", "--count", "HEAD")
    world.run("ingrid", "member", "update", log_id[:8], "maja")
    after = git(world.log_dir(log_id), "rev-list", "--count", "HEAD")
    assert int(after) == int(before) + 1
    assert members(world, "ingrid", log_id)["maja"]["signing_key"] == derived(world, "maja")
    history = world.run("ingrid", "--json", "history", log_id[:8]).json()
    assert history[0]["action"] == "update-member" and history[0]["kind"] == "member"
    again = world.run("ingrid", "member", "update", log_id[:8], "maja", code=5)
    assert "«maja»" in again.err
    assert git(world.log_dir(log_id), "rev-list", "--count", "HEAD") == after  # refused whole
    world.run("ingrid", "coordinator", "pass", log_id[:8], "--to", "maja")


def test_member_update_takes_a_guardians_card(world: World) -> None:
    plain_store(world)
    mother = plain_key(world, "tone")
    log_id = world.open_log("ingrid")
    world.run(
        "ingrid",
        "member",
        "add",
        log_id[:8],
        "--handle",
        "tone",
        "--name",
        "Tone Ødegård",
        "--role",
        "guardian",
        "--title",
        "mor",
        "--recipient",
        recipient_of(mother),
    )
    world.run("ingrid", "member", "update", log_id[:8], "tone", code=6)
    card = world.root / "tone.card.yaml"
    world.run("tone", "key", "show", "--name", "Tone Ødegård", "--title", "mor", "-o", str(card))
    other = world.root / "maja.card.yaml"
    world.run("maja", "key", "show", "-o", str(other))
    world.run("ingrid", "member", "update", log_id[:8], "tone", "--card", str(other), code=5)
    world.run("ingrid", "member", "update", log_id[:8], "tone", "--card", str(card))
    assert members(world, "ingrid", log_id)["tone"]["signing_key"] == derived(world, "tone")
    world.run("tone", "note", "add", log_id[:8], "Åse gleder seg til leirskolen.")
    assert verify_every_commit(world, "ingrid", log_id) == 4


# 6. people add without a signing key warns and names the fix.


def test_people_add_without_a_signing_key_warns(world: World) -> None:
    plain_key(world, "ingrid")
    plain_key(world, "maja")
    world.init("ingrid")
    warned = register(world, "ingrid", "maja")
    assert "signeringsnøkkel" in warned
    assert "stafett verify" in warned and "git verify-commit" in warned
    assert "stafett people update maja --card" in warned
    card = write_card(
        world.root / "ingrid.card.yaml",
        "Ingrid Sæther",
        "kontaktlærer",
        recipient_of(world.key_files["ingrid"]),
    )
    added = world.run("ingrid", "--lang", "en", "people", "add", str(card))
    assert "people update ingrid --card" in added.err and "signing key" in added.err
    world.person("jonas", "Jonas Brå", "kontaktlærer", NEXT_SCHOOL)
    quiet = world.run("ingrid", "people", "add", str(world.card("jonas")))
    assert quiet.err == ""


# 7. An exporter who is not in people.yaml, or not under the name the bundle
# gives, is flagged at import and in show.


@pytest.fixture
def exported(world: World) -> tuple[World, Path]:
    """A bundle Ingrid exports to Jonas; her key has a complete card here, so this
    bundle could be made before too (the plain-key case is tested above)."""
    world.person("ingrid", *PEOPLE["ingrid"])
    world.init("ingrid")
    log_id = world.open_log("ingrid")
    consent(world, "ingrid", log_id)
    receiver(world, "ingrid")
    return world, export_bundle(world, "ingrid", log_id)


def test_import_flags_an_exporter_not_in_people_yaml(exported: tuple[World, Path]) -> None:
    world, bundle = exported
    their = receiving_store(world)
    result = their.run("jonas", "--json", "import", str(bundle))
    assert "ikke bekreftet" in result.err and "personregisteret" in result.err
    assert result.json()["exporter_verified"] is False
    shown = their.run("jonas", "show", result.json()["id"][:8]).out
    assert "eksportert av Ingrid Sæther (ikke bekreftet: ukjent avsender)" in shown


def test_import_flags_a_bundle_that_names_another_than_its_signer(
    exported: tuple[World, Path],
) -> None:
    """The key that signed is registered here, as Malin Ås: the bundle says Ingrid
    Sæther. Before, show printed «eksportert av Ingrid Sæther» with no warning."""
    world, bundle = exported
    their = receiving_store(world)
    card = world.root / "malin.card.yaml"
    world.run("ingrid", "key", "show", "-o", str(card))
    card.write_text(card.read_text("utf-8").replace("Ingrid Sæther", "Malin Ås"), "utf-8")
    their.run("jonas", "people", "add", str(card), "--handle", "malin")
    result = their.run("jonas", "--lang", "en", "--json", "import", str(bundle))
    assert "not verified" in result.err and "'malin'" in result.err
    shown = their.run("jonas", "show", result.json()["id"][:8]).out
    (came_from,) = [line for line in shown.splitlines() if "eksportert av" in line]
    assert "eksportert av Ingrid Sæther (ikke bekreftet: ukjent avsender)" in came_from


def test_import_of_a_known_exporter_says_nothing(exported: tuple[World, Path]) -> None:
    world, bundle = exported
    their = receiving_store(world)
    card = world.root / "ingrid.card.yaml"
    world.run("ingrid", "key", "show", "-o", str(card))
    their.run("jonas", "people", "add", str(card), "--handle", "ingrid")
    result = their.run("jonas", "--json", "import", str(bundle))
    assert result.err == "" and result.json()["exporter_verified"] is True
    shown = their.run("jonas", "show", result.json()["id"][:8]).out
    assert "eksportert av Ingrid Sæther, Bjørkly skole" in shown
    assert "ikke bekreftet" not in shown


# The whole case, registered with age-keygen keys and --recipient only.


def test_a_case_registered_with_plain_keys_verifies_end_to_end(world: World) -> None:
    plain_store(world)
    log_id = world.open_log("ingrid", concern="Åse virker sliten om morgenen.")
    consent(world, "ingrid", log_id)
    world.run("ingrid", "member", "add", log_id[:8], "maja")
    world.run("maja", "note", "add", log_id[:8], "Åse sov dårlig i natt, sier mor.")
    card = world.root / "maja.card.yaml"
    world.run("maja", "key", "show", "-o", str(card))
    world.run("ingrid", "people", "update", "maja", "--card", str(card))
    world.run("ingrid", "member", "update", log_id[:8], "maja")
    receiver(world, "ingrid")
    bundle = export_bundle(world, "ingrid", log_id)
    assert verify_every_commit(world, "ingrid", log_id) >= 8
    assert verify_every_commit(world, "maja", log_id) >= 8
    their = receiving_store(world)
    ingrid = world.root / "ingrid.card.yaml"
    world.run("ingrid", "key", "show", "-o", str(ingrid))
    their.run("jonas", "people", "add", str(ingrid), "--handle", "ingrid")
    imported = their.run("jonas", "--json", "import", str(bundle))
    assert imported.err == "" and imported.json()["exporter_verified"] is True
    new_log = imported.json()["id"]
    assert verify_every_commit(their, "jonas", new_log) == 1
    # Rewritten by someone else right now: asserted last.
    assert "i orden" in world.run("ingrid", "verify", log_id[:8]).out
    assert "i orden" in their.run("jonas", "verify", new_log[:8]).out
