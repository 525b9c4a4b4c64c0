"""Sync over a real git daemon, many logs at once, and a removal one laptop missed."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from stafett import crypto
from stafett.errors import ExitCode
from tests.laptops import Laptop, git, join, measures
from tests.team import make_team
from tests.world import World


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """`git daemon` on 127.0.0.1 serving bare repositories, with receive-pack on."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    base = tmp_path / "daemon"
    base.mkdir()
    port = _free_port()
    process = subprocess.Popen(
        [
            "git", "daemon", "--reuseaddr", "--export-all", "--enable=receive-pack",
            "--listen=127.0.0.1", f"--port={port}", f"--base-path={base}", str(base),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    else:
        process.kill()
        pytest.skip("git daemon did not start")
    try:
        yield base, port
    finally:
        process.kill()
        process.wait()


def _add_measure(laptop: Laptop, log_id: str, title: str) -> str:
    found = laptop.json(
        "measure", "add", log_id[:6], "--title", title, "--goal", "Få venner i friminuttet",
        "--responsible", laptop.actor, "--evaluate-by", "2026-05-01",
    )  # fmt: skip
    return str(found["id"])


def test_two_laptops_through_a_git_daemon(world: World, daemon: tuple[Path, int]) -> None:
    base, port = daemon
    _, log_id = make_team(world)
    short = log_id[:6]
    subprocess.run(["git", "init", "-q", "--bare", str(base / f"{log_id}.git")], check=True)
    url = f"git://127.0.0.1:{port}/{log_id}.git"
    nora = Laptop(world, "nora", "main")
    nora.run("remote", "set", short, url)
    nora.run("sync", short)
    kari = join(world, "kari", "kari-laptop", url)
    _add_measure(nora, log_id, "Fast plass i klasserommet")
    shared = _add_measure(kari, log_id, "Pauser med helsesykepleier")
    nora.run("sync", short)
    kari.run("sync", short)
    nora.run("sync", short)
    nora.run("measure", "update", short, shared[:8], "--status", "fullført")
    kari.run("measure", "update", short, shared[:8], "--goal", "Roligere dager på skolen")
    kari.run("sync", short)
    nora.run("sync", short)
    nora.run("measure", "update", short, shared[:8], "--evaluate-by", "2026-09-01")
    kari.run("measure", "update", short, shared[:8], "--evaluate-by", "2026-10-01")
    nora.run("sync", short)
    kari.run("sync", short)
    nora.run("sync", short)
    for laptop in (nora, kari):
        got = measures(laptop, log_id)
        assert set(got) == {"Fast plass i klasserommet", "Pauser med helsesykepleier"}
        shared_now = got["Pauser med helsesykepleier"]
        assert shared_now["status"] == "completed" and shared_now["goal"].startswith("Roligere")
        listed = laptop.run("conflicts", short).out
        assert "01.09.2026" in listed or "2026-09-01" in listed, listed
    kari.run("resolve", short, shared[:8], "--keep", "theirs")
    kari.run("sync", short)
    nora.run("sync", short)
    for laptop in (nora, kari):
        assert measures(laptop, log_id)["Pauser med helsesykepleier"]["evaluate_by"] == (
            "2026-09-01"
        )
        laptop.run("verify", short)
    assert nora.head(log_id) == kari.head(log_id)
    repo = nora.log_dir(log_id)
    for sha in git(repo, "rev-list", "HEAD").split():
        subprocess.run(
            ["git", "-c", "gpg.ssh.allowedSignersFile=" + str(_signers(nora, short, repo)),
             "verify-commit", sha],
            cwd=repo, check=True, capture_output=True,
        )  # fmt: skip


def _signers(laptop: Laptop, short: str, repo: Path) -> Path:
    path = repo.parent.parent / "allowed_signers"
    path.write_text(laptop.run("allowed-signers", short).out, encoding="utf-8")
    return path


def test_a_removal_one_laptop_missed_still_holds(world: World, tmp_path: Path) -> None:
    """Kari's laptop has not heard that Omar left; the note she writes meanwhile
    reaches the others encrypted without Omar once anyone syncs it."""
    _, log_id = make_team(world)
    short = log_id[:6]
    url = str(tmp_path / "delt" / "logger" / f"{log_id}.git")
    nora = Laptop(world, "nora", "main")
    nora.run("member", "add", short, "omar")
    nora.run("remote", "set", short, url)
    nora.run("sync", short)
    kari = join(world, "kari", "kari-laptop", url)
    nora.run("member", "remove", short, "omar")
    nora.run("sync", short)
    note = kari.json("note", "add", short, "Åse sier hun sover dårlig før prøver.")["id"]
    kari.run("sync", short)
    nora.run("sync", short)
    omar = world.identity("omar")
    for laptop in (nora, kari):
        path = next(laptop.log_dir(log_id).glob(f"note/{note}.yaml.age"))
        assert not crypto.can_decrypt(path.read_bytes(), omar)
        assert crypto.can_decrypt(path.read_bytes(), world.identity("nora"))
        members = laptop.json("show", short)["members"]
        assert "omar" not in {m["handle"] for m in members}
        laptop.run("verify", short)


def test_sync_all_reports_the_unreachable_and_syncs_the_rest(world: World, tmp_path: Path) -> None:
    world.person("nora", "Nora Bø", "kontaktlærer", "Bjørkly skole")
    world.init("nora")
    store = world.store("nora")
    for n in range(100):
        store.open_log(child_name=f"Barn {n} Ødegård", born="2016-04-12", school="Bjørkly",
                       grade=4)  # fmt: skip
    nora = Laptop(world, "nora", "main")
    remotes = tmp_path / "delt"
    nora.run("remote", "set", "--all", str(remotes))
    first = sorted(store.log_ids())[0]
    nora.run("remote", "set", first[:8], f"git://127.0.0.1:{_free_port()}/{first}.git")
    result = nora.run("--json", "sync", "--all", code=int(ExitCode.ERROR)).json()
    assert result["counts"]["synced"] == 99
    assert result["counts"]["unreachable"] == 1
    failed = [r for r in result["logs"] if r["outcome"] == "unreachable"]
    assert failed[0]["log_id"] == first and "Remote svarer ikke" in failed[0]["error"]
    later = world.store("nora").open_log(
        child_name="Barn 100 Ødegård", born="2016-04-12", school="Bjørkly", grade=4
    )
    again = nora.run("sync", "--all", code=int(ExitCode.ERROR)).out
    assert "i takt, ingenting å gjøre: 99" in again and "ikke nådd: 1" in again
    assert f"{later.short_id}: synkronisert" in again  # opened after `remote set --all`
    assert len(list(remotes.glob("*.git"))) == 100
