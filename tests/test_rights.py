"""Who may change what: each change a member with a valid key could sign, but the
rights model forbids, is named by verify and never shown as the members' work.

The story: Åse (9) at Bjørkly skole. Nora, her teacher, holds the baton; Kari, the
school nurse, and Omar from PPT are on the team.
"""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from stafett import crypto, history
from stafett.clock import SYSTEM
from stafett.errors import ExitCode, NoAccess
from stafett.layout import ATTRIBUTES
from tests.team import (
    BROKEN,
    NOT_COORDINATOR,
    add_mother,
    head,
    make_team,
    members,
    new_note,
    rewrite,
    verify_names,
)
from tests.world import World


@pytest.fixture
def team(world: World) -> tuple[World, str]:
    return make_team(world)


def test_a_member_cannot_close_the_log(team: tuple[World, str]) -> None:
    world, log_id = team

    def closed(data: dict[str, Any]) -> None:
        data.update(status="closed", closed="2026-03-02", close_reason="Lukket av Kari.")

    sha = rewrite(world, log_id, "log.yaml.age", closed, "kari", "close log x")
    verify_names(world, log_id, f"Endringen {sha[:7]} endrer loggens profil", NOT_COORDINATOR)
    shown = world.run("nora", "show", log_id[:6])
    assert "· åpen ·" in shown.out and "Lukket av Kari" not in shown.out + shown.err
    assert "log.yaml.age i logg" in shown.err and "versjonen før den vises" in shown.err
    world.run("nora", "note", "add", log_id[:6], "Loggen er fortsatt åpen.")


def test_a_member_cannot_make_herself_coordinator(team: tuple[World, str]) -> None:
    world, log_id = team
    kari = members(world, log_id)["kari"]
    sha = rewrite(
        world, log_id, "log.yaml.age", lambda d: d.update(coordinator=kari), "kari", "level log x"
    )
    before = head(world, log_id)
    refused = world.run("kari", "member", "add", log_id[:6], "omar", code=int(ExitCode.NO_ACCESS))
    assert "Bare stafettholderen kan gjøre dette." in refused.err
    assert head(world, log_id) == before
    assert "Stafettholder: Nora Bø" in world.run("nora", "show", log_id[:6]).out
    verify_names(world, log_id, f"Endringen {sha[:7]}", NOT_COORDINATOR)


def test_a_note_in_the_coordinators_name(team: tuple[World, str]) -> None:
    world, log_id = team
    rel, sealed = new_note(world, log_id, members(world, log_id)["nora"], "Nora sier: alt er fint.")
    sha = world.commit_foreign(log_id, {rel: sealed}, signer="kari", message="add note x")
    verify_names(world, log_id, f"Endringen {sha[:7]} legger inn {rel} i en annens navn")
    shown = world.run("nora", "show", log_id[:6])
    assert "alt er fint" not in shown.out + shown.err
    assert f"Hoppet over {rel}" in shown.err and BROKEN in shown.err


def test_nobody_but_the_author_rewrites_the_childs_words(team: tuple[World, str]) -> None:
    world, log_id = team
    saved = world.run(
        "kari", "--json", "voice", "add", log_id[:6], "Jeg liker ikke å bli sett på.",
        "--how", "Samtale på helsestasjonen",
    ).json()  # fmt: skip
    rel = f"voice/{saved['id']}.yaml.age"

    def reworded(data: dict[str, Any]) -> None:
        data["words"] = "Jeg har det fint på skolen."

    sha = rewrite(world, log_id, rel, reworded, "nora", "add voice x")  # even the coordinator
    verify_names(world, log_id, f"Endringen {sha[:7]} endrer barnets egne ord i {rel}")
    shown = world.run("nora", "show", log_id[:6])
    assert "Jeg har det fint på skolen" not in shown.out


def test_only_the_coordinator_widens_a_consent(team: tuple[World, str]) -> None:
    world, log_id = team
    consent = world.store("nora").log(log_id).consents()[0]

    def widened(data: dict[str, Any]) -> None:
        data["services"] = [*data["services"], "Barnevernet"]

    sha = rewrite(world, log_id, consent.path, widened, "kari", "consent consent x")
    verify_names(world, log_id, f"Endringen {sha[:7]}", NOT_COORDINATOR)
    access = world.run("nora", "consent", "list", log_id[:6])
    assert "Barnevernet" not in access.out


def test_a_member_cannot_delete_the_coordinators_measure(team: tuple[World, str]) -> None:
    world, log_id = team
    measure = world.run(
        "nora", "--json", "measure", "add", log_id[:6], "--title", "Svømming med følge",
        "--goal", "Åse blir med i svømmetimene.", "--responsible", "nora",
        "--start", "2026-03-02", "--evaluate-by", "2026-05-01",
    ).json()["id"]  # fmt: skip
    rel = f"measure/{measure}.yaml.age"
    sha = world.commit_foreign(log_id, {rel: None}, signer="kari", message="quarantine measure x")
    verify_names(world, log_id, f"Endringen {sha[:7]} endrer eller fjerner {rel}")


def test_a_change_that_only_re_encrypts_keeps_the_content(team: tuple[World, str]) -> None:
    world, log_id = team
    saved = world.run("kari", "--json", "note", "add", log_id[:6], "Åse var sliten.").json()
    rel = f"note/{saved['id']}.yaml.age"
    sha = rewrite(
        world,
        log_id,
        rel,
        lambda d: d.update(text="Åse var uthvilt."),
        "nora",
        "add-member member x",
    )
    verify_names(world, log_id, f"Endringen {sha[:7]} skulle bare kryptere {rel} på nytt")


def test_a_history_set_back_is_refused(team: tuple[World, str]) -> None:
    world, log_id = team
    world.run("nora", "member", "add", log_id[:6], "omar")
    with_omar = head(world, log_id)
    world.run("nora", "member", "remove", log_id[:6], "omar")
    world.run("nora", "show", log_id[:6])
    subprocess.run(
        ["git", "reset", "-q", "--hard", with_omar], cwd=world.log_dir(log_id), check=True
    )
    for args in (["show", log_id[:6]], ["note", "add", log_id[:6], "Etter tilbakestillingen."]):
        refused = world.run("nora", *args, code=int(ExitCode.INVALID))
        assert "inneholder ikke lenger endringen" in refused.err
    assert head(world, log_id) == with_omar
    verify_names(world, log_id, "noen har satt loggen tilbake")
    # Omar never verified the later head: to him this is the log he left.
    world.run("omar", "show", log_id[:6])


def test_a_document_moved_from_another_log_is_refused(team: tuple[World, str]) -> None:
    """Kari cannot read Nora's other log; a file copied from it into Åse's log must
    not be re-encrypted to Kari when the team changes."""
    world, log_id = team
    other = world.open_log("nora", child="Bjørn Ås", born="2015-01-30")
    saved = world.run("nora", "--json", "note", "add", other[:6], "Bjørn er redd for bussen.")
    rel = f"note/{saved.json()['id']}.yaml.age"
    copied = (world.log_dir(other) / rel).read_bytes()
    world.run("nora", "member", "add", log_id[:6], "omar")
    sha = world.commit_foreign(log_id, {rel: copied}, signer="kari", message="add note x")
    world.run("nora", "member", "remove", log_id[:6], "omar")
    kept = (world.log_dir(log_id) / rel).read_bytes()
    with pytest.raises(NoAccess):
        crypto.decrypt(kept, world.identity("kari"), rel)
    verify_names(world, log_id, f"Endringen {sha[:7]} legger inn {rel}, som hører til en annen")
    assert "Bjørn" not in world.run("nora", "show", log_id[:6]).out


def test_an_unsigned_measure_is_not_shown_as_fact(team: tuple[World, str]) -> None:
    world, log_id = team
    nora = members(world, log_id)["nora"]
    rel, sealed = new_note(world, log_id, nora, "Åse trenger ingen hjelp lenger.")
    world.commit_foreign(log_id, {rel: sealed})  # plain git, signed by nobody
    shown = world.run("nora", "show", log_id[:6])
    assert "ingen hjelp lenger" not in shown.out
    assert f"Hoppet over {rel}" in shown.err and BROKEN in shown.err
    report = world.run("nora", "--json", "show", log_id[:6]).out
    assert "ingen hjelp" not in report
    verify_names(world, log_id, "er ikke signert")


def test_a_key_not_yet_recorded_is_not_a_forgery(team: tuple[World, str]) -> None:
    """Åse's mother joins with a plain age key and no signing key on record: her
    notes are "not yet recorded", a note signed by some other key is a forgery."""
    world, log_id = team
    mother = add_mother(world, log_id)
    assert mother.exists()
    written = world.run("mor", "--json", "note", "add", log_id[:6], "Åse sover bedre nå.").json()
    found = verify_names(world, log_id, "ennå ikke er registrert for mor")
    assert "stemmer ikke" not in found
    shown = world.run("nora", "show", log_id[:6])
    assert f"Hoppet over note/{written['id']}.yaml.age" in shown.err
    forger = world.identity("omar")  # not a member: his key is recorded for nobody here
    rel, sealed = new_note(world, log_id, members(world, log_id)["kari"], "Forfalsket.")
    repo = world.log_dir(log_id)
    (repo / "note").mkdir(exist_ok=True)
    (repo / rel).write_bytes(sealed)
    history.git(repo, "add", "--", rel)
    tree = history.git(repo, "write-tree").strip()
    forged = history.commit_tree(
        repo, tree, "add note x", members(world, log_id)["kari"], forger.sign, SYSTEM.now()
    )
    found = verify_names(world, log_id, f"Signaturen på endringen {forged[:7]} stemmer ikke")
    assert "Forfalsket" not in world.run("nora", "show", log_id[:6]).out


def test_the_whole_relay_verifies(team: tuple[World, str]) -> None:
    """Everything the team does through stafett keeps to the rules: no false alarm."""
    world, log_id = team
    short = log_id[:6]
    world.run("nora", "member", "add", short, "omar")
    world.run("kari", "note", "add", short, "Åse fortalte om svømmingen.", "--audience", "nora")
    measure = world.run(
        "nora", "--json", "measure", "add", short, "--title", "Følge til svømming",
        "--goal", "Åse blir med.", "--responsible", "kari",
        "--start", "2026-03-02", "--evaluate-by", "2026-04-01",
    ).json()["id"]  # fmt: skip
    world.run("kari", "voice", "add", short, "Det går bedre nå.", "--how", "Samtale")
    world.run("omar", "measure", "evaluate", short, measure[:6], "--result", "delvis oppnådd",
              "--next", "fortsette", "--text", "Hun var med to ganger.")  # fmt: skip
    world.run("omar", "level", "set", short, "1", "--why", "Trenger mer støtte.")
    world.run("nora", "consent", "add", short, "--given-by", "åse", "--services", "Barnevernet",
              "--until", "2030-12-31", "--child-heard")  # fmt: skip
    world.run("nora", "coordinator", "pass", short, "--to", "kari")
    world.run("kari", "coordinator", "accept", short)
    world.run("kari", "member", "remove", short, "omar")
    assert "i orden" in world.run("nora", "verify", short).out
    assert "i orden" in world.run("kari", "verify", short).out
    assert (world.log_dir(log_id) / ".gitattributes").read_text() == ATTRIBUTES
    signers = world.root / "signers"
    world.run("kari", "allowed-signers", short, "--output", str(signers))
    repo = world.log_dir(log_id)
    commits = subprocess.run(
        ["git", "rev-list", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.split()
    for sha in commits:
        checked = subprocess.run(
            ["git", "-c", "gpg.format=ssh", "-c", f"gpg.ssh.allowedSignersFile={signers}",
             "verify-commit", sha],
            cwd=repo, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert checked.returncode == 0, checked.stderr
