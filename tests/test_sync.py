"""Two laptops, one log, a bare repository between them: every edit survives."""

from __future__ import annotations

from pathlib import Path

from stafett.errors import ExitCode
from tests.laptops import Laptop, measures, two_laptops
from tests.leaks import leaks
from tests.world import World


def _add_measure(laptop: Laptop, log_id: str, title: str) -> str:
    found = laptop.json(
        "measure", "add", log_id[:6], "--title", title, "--goal", "Trygg i garderoben",
        "--responsible", laptop.actor, "--evaluate-by", "2026-05-01",
    )  # fmt: skip
    return str(found["id"])


def test_two_laptops_over_a_folder_remote_keep_every_edit(world: World, tmp_path: Path) -> None:
    url = (tmp_path / "delt" / "åse.git").as_uri()
    nora, kari, log_id = two_laptops(world, url)
    short = log_id[:6]
    _add_measure(nora, log_id, "Følge til svømmehallen")
    shared = _add_measure(kari, log_id, "Samtaler på helsestasjonen")
    nora.run("sync", short)
    kari.run("sync", short)
    nora.run("sync", short)
    for laptop in (nora, kari):
        assert set(measures(laptop, log_id)) == {
            "Følge til svømmehallen",
            "Samtaler på helsestasjonen",
        }
    assert nora.head(log_id) == kari.head(log_id)
    # Different fields of one measure: both changes kept.
    nora.run("measure", "update", short, shared[:8], "--evaluate-by", "2026-06-01")
    kari.run("measure", "update", short, shared[:8], "--goal", "Kjenne seg trygg & sett")
    kari.run("sync", short)
    nora.run("sync", short)
    kari.run("sync", short)
    for laptop in (nora, kari):
        got = measures(laptop, log_id)["Samtaler på helsestasjonen"]
        assert got["evaluate_by"] == "2026-06-01"
        assert got["goal"] == "Kjenne seg trygg & sett"
    # The same field, two values: a conflict both see, settled by resolve.
    nora.run("measure", "update", short, shared[:8], "--title", "Samtaler hver uke")
    kari.run("measure", "update", short, shared[:8], "--title", "Samtaler annenhver uke")
    kari.run("sync", short)
    synced = nora.run("sync", short)
    assert "konflikt" in synced.out
    kari.run("sync", short)
    for laptop in (nora, kari):
        listed = laptop.run("conflicts", short).out
        assert "Samtaler hver uke" in listed and "Samtaler annenhver uke" in listed
        assert "Konflikter å avgjøre: 1" in laptop.run("show", short).out
    kari.run("resolve", short, shared[:8], "--keep", "mine")
    kari.run("sync", short)
    nora.run("sync", short)
    for laptop in (nora, kari):
        assert "Samtaler annenhver uke" in measures(laptop, log_id)
        assert "Ingen konflikter" in laptop.run("conflicts", short).out
        assert "Konflikter å avgjøre" not in laptop.run("show", short).out
        laptop.run("verify", short)
    assert nora.head(log_id) == kari.head(log_id)
    history = nora.run("history", short).out
    assert "synkronisert" in history
    needles = ["Åse", "Ødegård", "Bjørkly", "Samtaler", "svømmehallen", "trygg", "Kari", "Nora"]
    for repo in (nora.log_dir(log_id), kari.log_dir(log_id), tmp_path / "delt" / "åse.git"):
        assert leaks(repo, needles) == []
    bad = nora.run("sync", short, "--all", code=int(ExitCode.USAGE))
    assert "Oppgi én logg" in bad.err
