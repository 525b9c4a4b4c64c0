"""What a second attacker-minded review found: the kept version of a file in doubt,
how doubt ends, and the user's record of what they verified."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from stafett import crypto, history, yamlio
from stafett import ids as idmod
from stafett.clock import SYSTEM
from stafett.errors import ExitCode, NoAccess
from tests.team import add_mother, head, make_team, members, new_note, readers, rewrite
from tests.world import World


@pytest.fixture
def team(world: World) -> tuple[World, str]:
    return make_team(world)


def test_a_member_launders_a_forged_profile_and_becomes_coordinator(
    team: tuple[World, str],
) -> None:
    """Kari's hand-made profile naming herself coordinator is caught; her next commit
    changes only `level` relative to that forged version, so it passes as a `level`
    commit, ends the doubt, and makes her coordinator for everyone."""
    world, log_id = team
    kari = members(world, log_id)["kari"]
    rewrite(
        world, log_id, "log.yaml.age", lambda d: d.update(coordinator=kari), "kari", "level log x"
    )
    rewrite(world, log_id, "log.yaml.age", lambda d: d.update(level=1), "kari", "level log x")
    shown = world.run("nora", "show", log_id[:6])
    assert "Stafettholder: Nora Bø" in shown.out, shown.out


def test_coordinator_rewords_the_childs_words_in_two_commits(team: tuple[World, str]) -> None:
    """The rewording is caught; a re-encryption of the reworded text (plaintext equal
    to the forged version) passes and clears the doubt: the new words show, in Kari's name."""
    world, log_id = team
    saved = world.run(
        "kari", "--json", "voice", "add", log_id[:6], "Jeg er redd for far.", "--how", "Samtale"
    ).json()
    rel = f"voice/{saved['id']}.yaml.age"
    rewrite(
        world, log_id, rel, lambda d: d.update(words="Jeg har det fint."), "nora", "add voice x"
    )
    rewrite(world, log_id, rel, lambda d: None, "nora", "add-member member x")
    shown = world.run("nora", "show", log_id[:6])
    assert "Jeg har det fint" not in shown.out, shown.out


def test_a_member_erases_the_childs_words_by_delete_then_add(team: tuple[World, str]) -> None:
    """Kari's removal of Nora's voice document is caught, but re-adding the same path in
    her own name is an 'A' and passes: the child's words written by Nora are gone."""
    world, log_id = team
    saved = world.run(
        "nora", "--json", "voice", "add", log_id[:6], "Jeg vil ikke hjem.", "--how", "Samtale"
    ).json()
    rel = f"voice/{saved['id']}.yaml.age"
    plain = crypto.decrypt((world.log_dir(log_id) / rel).read_bytes(), world.identity("nora"))
    world.commit_foreign(log_id, {rel: None}, signer="kari", message="quarantine voice x")
    data = yamlio.load(plain, name=rel)
    data.update(created_by=members(world, log_id)["kari"], words="Jeg vil hjem.")
    sealed = crypto.encrypt(yamlio.dump(data).encode(), readers(world, "nora", "kari"))
    world.commit_foreign(log_id, {rel: sealed}, signer="kari", message="voice voice x")
    shown = world.run("nora", "show", log_id[:6])
    assert "Jeg vil ikke hjem" in shown.out, shown.out


def test_coordinators_profile_change_after_a_forged_one_is_flagged(team: tuple[World, str]) -> None:
    """False alarm: after Kari's caught forgery of the profile, Nora's own `level set`
    through the CLI is judged against the forged version ('moves the baton') and is
    named as rule-breaking; other members never see the new level."""
    world, log_id = team
    kari = members(world, log_id)["kari"]
    rewrite(
        world, log_id, "log.yaml.age", lambda d: d.update(coordinator=kari), "kari", "level log x"
    )
    world.run("nora", "level", "set", log_id[:6], "2", "--why", "Mer støtte.")
    mine = head(world, log_id)
    found = world.run("kari", "verify", log_id[:6], code=int(ExitCode.INVALID)).out
    assert mine[:7] not in found, found


def test_a_file_name_with_a_newline_writes_the_verified_state(team: tuple[World, str]) -> None:
    """Anyone who can write the folder commits, unsigned, a file whose name holds a
    newline. The commit is caught and the name is stored as in doubt, one line per
    path: the name's second line reads back as 'members.yaml.age <blob>', so the next
    read takes an old member list (Omar's, since removed) as the kept version, and
    Nora's next note is encrypted to Omar."""
    world, log_id = team
    short = log_id[:6]
    world.run("nora", "member", "add", short, "omar")
    repo = world.log_dir(log_id)
    old_list = subprocess.run(
        ["git", "rev-parse", "HEAD:members.yaml.age"], cwd=repo, capture_output=True,
        text=True, check=True,
    ).stdout.strip()  # fmt: skip
    world.run("nora", "member", "remove", short, "omar")
    world.run("nora", "show", short)
    world.commit_foreign(log_id, {f"x\nmembers.yaml.age {old_list}\ny": b"x"})
    world.run("nora", "show", short)  # the first read stores the name
    world.run("nora", "show", short)  # the second reads it back
    saved = world.run("nora", "--json", "note", "add", short, "Bare for teamet nå.").json()
    sealed = (repo / f"note/{saved['id']}.yaml.age").read_bytes()
    with pytest.raises(NoAccess):
        crypto.decrypt(sealed, world.identity("omar"))


def test_the_coordinator_quarantines_the_childs_sound_words(team: tuple[World, str]) -> None:
    """The model lets the coordinator take the child's words out only when damaged
    (`quarantine`, which refuses a sound document); the check looks at the commit
    message alone, so a hand-made 'quarantine' removal of sound words passes verify."""
    world, log_id = team
    saved = world.run(
        "kari", "--json", "voice", "add", log_id[:6], "Jeg er redd for far.", "--how", "Samtale"
    ).json()
    rel = f"voice/{saved['id']}.yaml.age"
    sha = world.commit_foreign(log_id, {rel: None}, signer="nora", message="quarantine voice x")
    found = world.run("kari", "verify", log_id[:6], code=int(ExitCode.INVALID)).out
    assert sha[:7] in found, found


def test_a_commit_slipped_in_during_a_write_is_never_checked(
    team: tuple[World, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`commit` takes the verified snapshot's head as the parent it vouches for, but
    `history.commit_tree` commits on whatever HEAD is by then. A commit put in the folder
    meanwhile (a sync tool, anyone with the folder) ends up below Nora's, and
    `trust.committed` records her commit as verified: the slipped-in commit is skipped
    by every later incremental read."""
    world, log_id = team
    world.run("nora", "show", log_id[:6])
    nora = members(world, log_id)["nora"]

    rel, sealed = new_note(world, log_id, nora, "Nora: saken kan avsluttes.")
    real = history.commit
    done: list[str] = []

    def racing(repo: Path, *args: Any, **kwargs: Any) -> str:
        if not done:
            (repo / rel).write_bytes(sealed)
            who = ["-c", "user.name=x", "-c", "user.email=x@x"]
            subprocess.run(["git", "add", "--", rel], cwd=repo, check=True)
            subprocess.run(["git", *who, "commit", "-qm", "x", "--", rel], cwd=repo, check=True)
            done.append(rel)  # unsigned
        return real(repo, *args, **kwargs)

    monkeypatch.setattr(history, "commit", racing)
    moved = world.run(
        "nora", "note", "add", log_id[:6], "Vanlig notat.", code=int(ExitCode.CONFLICT)
    )
    assert "ble endret utenom stafett mens du skrev; ingenting er lagret" in moved.err
    monkeypatch.setattr(history, "commit", real)
    assert world.run("nora", "--json", "note", "add", log_id[:6], "Vanlig notat.").code == 0
    notes = [getattr(d, "text", "") for d in world.store("nora").log(log_id).documents("note")]
    assert "Nora: saken kan avsluttes." not in notes, notes


def test_a_member_forges_the_member_list_once_and_stays_a_reader_after_removal(
    team: tuple[World, str],
) -> None:
    """Omar's caught edit of the member list (Kari's signing key set to his) becomes
    the 'version before' for Nora's next change: her `member remove omar` through the
    CLI 'changes a recorded key' and is refused by everyone else's reads. Kari's client
    keeps the list before the forgery, Omar in it, and encrypts her notes to him."""
    world, log_id = team
    short = log_id[:6]
    world.run("nora", "member", "add", short, "omar")
    kari = members(world, log_id)["kari"]
    omar_key = world.identity("omar").signing_public_key()

    def rekey(data: dict[str, Any]) -> None:
        for m in data["members"]:
            if m["id"] == kari:
                m["signing_key"] = omar_key

    rewrite(world, log_id, "members.yaml.age", rekey, "omar", "update-member member x")
    world.run("nora", "member", "remove", short, "omar")
    saved = world.run("kari", "--json", "note", "add", short, "Etter at Omar gikk ut.").json()
    sealed = (world.log_dir(log_id) / f"note/{saved['id']}.yaml.age").read_bytes()
    with pytest.raises(NoAccess):
        crypto.decrypt(sealed, world.identity("omar"))


def test_a_forged_member_list_at_head_lends_a_keyless_member_a_key(team: tuple[World, str]) -> None:
    """Åse's mother joined with a plain age key: no signing key on record. Kari's caught
    edit of the member list gives mother Kari's key. `_signer` takes a key not yet
    recorded from HEAD's member list (the forged one), so Kari's commits signed as
    mother pass: the child's words in mother's name are shown as fact."""
    world, log_id = team
    short = log_id[:6]
    add_mother(world, log_id)
    mor = members(world, log_id)["mor"]
    kari_key = world.identity("kari").signing_public_key()

    def lend(data: dict[str, Any]) -> None:
        for m in data["members"]:
            if m["id"] == mor:
                m["signing_key"] = kari_key

    rewrite(world, log_id, "members.yaml.age", lend, "kari", "update-member member x")
    saved = world.run(
        "nora", "--json", "voice", "add", short, "Mamma er snill.", "--how", "Samtale"
    ).json()
    rel = f"voice/{saved['id']}.yaml.age"
    world.run("nora", "show", short)
    repo = world.log_dir(log_id)
    data = yamlio.load(crypto.decrypt((repo / rel).read_bytes(), world.identity("nora")), name=rel)

    data.update(id=idmod.new_id(), created_by=mor, words="Jeg vil bo hos mamma, ikke pappa.")
    new_rel = f"voice/{data['id']}.yaml.age"
    (repo / new_rel).write_bytes(
        crypto.encrypt(yamlio.dump(data).encode(), readers(world, "nora", "kari"))
    )
    history.git(repo, "add", "--", new_rel)
    tree = history.git(repo, "write-tree").strip()
    history.commit_tree(repo, tree, "add voice x", mor, world.identity("kari").sign, SYSTEM.now())
    shown = world.run("nora", "show", short)
    assert "ikke pappa" not in shown.out, shown.out
