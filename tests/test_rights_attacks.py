"""What an attacker-minded review found against the rights model and the verified
floor, each as the attacker would have written it first."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from stafett import crypto, history, yamlio
from stafett import ids as idmod
from stafett.clock import SYSTEM
from stafett.disclosure import chosen_handover
from stafett.errors import ExitCode
from tests.team import add_mother, head, make_team, members, new_note, readers, rewrite
from tests.world import World


@pytest.fixture
def team(world: World) -> tuple[World, str]:
    return make_team(world)


def _git(repo: Path, *args: str, input: str | None = None) -> str:
    env = {
        "GIT_AUTHOR_NAME": "x",
        "GIT_AUTHOR_EMAIL": "x@x",
        "GIT_COMMITTER_NAME": "x",
        "GIT_COMMITTER_EMAIL": "x@x",
        "PATH": "/usr/bin:/bin",
    }
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True, env=env, input=input
    ).stdout.strip()


def test_merge_commit_sets_history_back_without_refusal(team: tuple[World, str]) -> None:
    """An outsider who can write the folder: one unsigned merge whose first parent
    is an old commit and whose second is the head Nora verified. contains() passes
    via the second parent; --first-parent walks only the merge; the merge's entries
    against the old commit are empty, so nothing is tainted."""
    world, log_id = team
    short = log_id[:6]
    _merge_back(world, log_id)
    shown = world.run("nora", "show", short, code=int(ExitCode.INVALID))  # wanted: refused
    assert "inneholder ikke lenger" in shown.err or "bryter" in shown.err


def test_merge_rewind_makes_next_write_readable_to_removed_member(team: tuple[World, str]) -> None:
    world, log_id = team
    short = log_id[:6]
    merge = _merge_back(world, log_id)
    refused = world.run(
        "nora", "note", "add", short, "Hemmelig etter fjerning.", code=int(ExitCode.INVALID)
    )
    assert "bryter loggens regler" in refused.err  # the merge loses what a side did
    assert head(world, log_id) == merge  # nothing written that Omar's key could open


def test_incremental_read_forgets_who_added_a_file(team: tuple[World, str]) -> None:
    """Kari writes a note only Omar and she read. Nora has verified that head. Omar
    replaces the file with a note 'by Kari' readable by all: verify names it, but
    the incremental check behind show starts with an empty added_by and allows it."""
    world, log_id = team
    short = log_id[:6]
    world.run("nora", "member", "add", short, "omar")
    saved = world.run(
        "kari", "--json", "note", "add", short, "Privat.", "--audience", "omar"
    ).json()
    rel = f"note/{saved['id']}.yaml.age"
    world.run("nora", "show", short)  # floor with no taint
    data = yamlio.load(
        crypto.decrypt((world.log_dir(log_id) / rel).read_bytes(), world.identity("kari")), name=rel
    )
    data["text"] = "Kari: Nora har slått barnet."
    sealed = crypto.encrypt(yamlio.dump(data).encode(), readers(world, "nora", "kari", "omar"))
    sha = world.commit_foreign(log_id, {rel: sealed}, signer="omar", message="add note x")
    world.run("nora", "show", short)
    assert sha[:7] in world.run("nora", "verify", short, code=int(ExitCode.INVALID)).out
    # verify names the commit, yet reads keep showing its text as Kari's note
    notes = [getattr(d, "text", "") for d in world.store("nora").log(log_id).documents("note")]
    assert "Kari: Nora har slått barnet." not in notes, notes


def test_guardian_with_plain_key_sets_level_and_bricks_the_log(team: tuple[World, str]) -> None:
    """A legitimate workflow: Åse's mother, added by name with --recipient (no signing
    key recorded), sets the level. Her commit is 'key not recorded', so log.yaml is
    tainted and every read of the log is refused, for everyone, for good: the
    coordinator cannot even record her key, since that write reads the log too."""
    world, log_id = team
    short = log_id[:6]
    add_mother(world, log_id)
    refused = world.run(
        "mor", "level", "set", short, "1", "--why", "Hun gruer seg.", code=int(ExitCode.NO_ACCESS)
    )
    assert "stafett member update LOGG mor" in refused.err
    world.run("nora", "show", short)
    world.run("kari", "show", short)
    world.run("nora", "member", "update", short, "mor", "--card", str(world.card("mor")))
    world.run("mor", "level", "set", short, "1", "--why", "Hun gruer seg.")
    assert "i orden" in world.run("nora", "verify", short).out


def test_reencrypt_ignores_taint_and_leaks_an_unbound_document(team: tuple[World, str]) -> None:
    """A note from Nora's other log, written before log binding (no `log` field),
    which Kari cannot read. Kari commits the ciphertext into Åse's log; verify names
    the commit and reads hide the file, but member add re-encrypts it (read_raw, no
    taint check; _audience accepts a missing `log`) to everyone, Kari included."""
    world, log_id = team
    nora = members(world, log_id)["nora"]
    rel, _ = new_note(world, log_id, nora, "Bjørn (annen logg) er redd for far.")
    plain = crypto.decrypt(_, world.identity("nora"))
    other_log_ciphertext = crypto.encrypt(
        plain, [world.identity(h).recipient for h in ("nora", "recovery")]
    )
    world.commit_foreign(log_id, {rel: other_log_ciphertext}, signer="kari", message="add note x")
    world.run("nora", "member", "add", log_id[:6], "omar")
    kept = (world.log_dir(log_id) / rel).read_bytes()
    try:
        leaked = crypto.decrypt(kept, world.identity("kari"), rel)
    except Exception:
        return
    raise AssertionError(f"Kari reads another log's note: {leaked!r}")


def test_unsigned_deletion_is_shown_as_fact(team: tuple[World, str]) -> None:
    """An unsigned commit that removes the child's words: verify names it, but show
    presents the log without them and says nothing (taint is by path, and a removed
    path is never read)."""
    world, log_id = team
    short = log_id[:6]
    saved = world.run(
        "nora", "--json", "voice", "add", short, "Jeg vil ikke hjem.", "--how", "Samtale"
    ).json()
    rel = f"voice/{saved['id']}.yaml.age"
    world.commit_foreign(log_id, {rel: None})  # plain git, signed by nobody
    shown = world.run("nora", "show", short)
    assert "Jeg vil ikke hjem" in shown.out or "bryter" in shown.err, shown.out + shown.err


def test_coordinator_rebinds_a_signing_key_and_rewords_the_childs_words(
    team: tuple[World, str],
) -> None:
    """The member list is the only source of signing keys, and the coordinator may
    rewrite it: put her own key on Kari's entry, then sign as Kari. verify passes a
    change to the child's words that 'nobody but their author' may make."""
    world, log_id = team
    short = log_id[:6]
    saved = world.run(
        "kari", "--json", "voice", "add", short, "Jeg er redd for far.", "--how", "Samtale"
    ).json()
    rel = f"voice/{saved['id']}.yaml.age"
    ids_ = members(world, log_id)
    nora_key = world.identity("nora").signing_public_key()

    def rebind(data: dict[str, Any]) -> None:
        for m in data["members"]:
            if m["id"] == ids_["kari"]:
                m["signing_key"] = nora_key

    rewrite(
        world,
        log_id,
        "members.yaml.age",
        rebind,
        "nora",
        f"update-member member {ids_['kari'][:8]}",
    )
    repo = world.log_dir(log_id)
    data = yamlio.load(crypto.decrypt((repo / rel).read_bytes(), world.identity("nora")), name=rel)
    data["words"] = "Jeg har det fint hjemme."
    (repo / rel).write_bytes(
        crypto.encrypt(yamlio.dump(data).encode(), readers(world, "nora", "kari"))
    )
    history.git(repo, "add", "--", rel)
    tree = history.git(repo, "write-tree").strip()

    history.commit_tree(
        repo, tree, "add voice x", ids_["kari"], world.identity("nora").sign, SYSTEM.now()
    )
    world.run("nora", "verify", short, code=int(ExitCode.INVALID))


def test_a_member_writes_the_handover_the_coordinator_exports(team: tuple[World, str]) -> None:
    """Only the coordinator makes handovers (handover.write requires it), but the
    rights model lets any member add one. Kari's handover, newer than Nora's, is the
    one `export` takes by default, and it chooses what leaves the log."""
    world, log_id = team
    short = log_id[:6]
    voice = world.run(
        "nora", "--json", "voice", "add", short, "Far slår.", "--how", "Samtale"
    ).json()["id"]
    measure = world.run(
        "nora", "--json", "measure", "add", short, "--title", "Svømming", "--goal", "Med.",
        "--responsible", "nora", "--start", "2026-03-02", "--evaluate-by", "2026-05-01",
    ).json()["id"]  # fmt: skip
    h = world.run(
        "nora",
        "--json",
        "handover",
        short,
        "--to",
        "omar",
        "--to-service",
        "PPT Bjørkly",
        "--transition",
        "til PPT",
        "--starts",
        "2026-08-17",
        "--include",
        measure[:7],
    ).json()

    repo = world.log_dir(log_id)
    src = f"handover/{h['id']}.yaml.age"
    data = yamlio.load(crypto.decrypt((repo / src).read_bytes(), world.identity("nora")), name=src)
    data.update(
        id=idmod.new_id(),
        created_by=members(world, log_id)["kari"],
        created=datetime(2026, 12, 1, tzinfo=UTC),
        includes=[measure, voice],
    )
    rel = f"handover/{data['id']}.yaml.age"
    sealed = crypto.encrypt(yamlio.dump(data).encode(), readers(world, "nora", "kari"))
    world.commit_foreign(log_id, {rel: sealed}, signer="kari", message="handover handover x")

    chosen = chosen_handover(world.store("nora").log(log_id), None)
    assert chosen.created_by != members(world, log_id)["kari"]
    verdict = world.run("nora", "verify", short, code=int(ExitCode.INVALID))
    assert "men er ikke gjort av stafettholderen" in verdict.out


def _merge_back(world: World, log_id: str) -> str:
    """Omar added, then removed, and Nora has read the log (her floor: Omar gone).
    Then, with plain git and no key, a merge whose first parent is the commit with
    Omar and whose second is the head Nora verified; the branch points at it."""
    short = log_id[:6]
    world.run("nora", "member", "add", short, "omar")
    with_omar = head(world, log_id)
    world.run("nora", "member", "remove", short, "omar")
    world.run("nora", "show", short)
    verified = head(world, log_id)
    repo = world.log_dir(log_id)
    tree = _git(repo, "rev-parse", f"{with_omar}^{{tree}}")
    merge = _git(repo, "commit-tree", tree, "-p", with_omar, "-p", verified, "-m", "merge")
    _git(repo, "update-ref", "refs/heads/main", merge)
    _git(repo, "reset", "-q", "--hard", merge)
    return merge


def _raw_commit(world: World, log_id: str, body: str) -> None:
    repo = world.log_dir(log_id)
    parent = head(world, log_id)
    tree = _git(repo, "rev-parse", f"{parent}^{{tree}}")
    raw = f"tree {tree}\nparent {parent}\n" + body
    sha = (
        subprocess.run(
            ["git", "hash-object", "-t", "commit", "-w", "--literally", "--stdin"],
            cwd=repo,
            input=raw.encode(),
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .strip()
    )
    _git(repo, "update-ref", "refs/heads/main", sha)


def test_a_commit_subject_with_a_record_separator_crashes(team: tuple[World, str]) -> None:
    world, log_id = team
    _raw_commit(
        world,
        log_id,
        "author a <a@b> 1700000000 +0000\ncommitter a <a@b> 1700000000 +0000\n\nx\x1ey\n",
    )
    shown = world.run("nora", "show", log_id[:6])
    assert "Traceback" not in shown.err


def test_an_author_date_with_an_odd_zone_crashes(team: tuple[World, str]) -> None:
    world, log_id = team
    _raw_commit(
        world, log_id, "author a <a@b> 1700000000 +9999\ncommitter a <a@b> 1700000000 +9999\n\nx\n"
    )
    shown = world.run("nora", "show", log_id[:6])
    assert "Traceback" not in shown.err
