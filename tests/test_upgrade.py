"""Old document versions are upgraded as they are read; newer ones are refused.

Each step of the upgrade table has a pair of fixtures in tests/data/<kind>/:
the document as the older stafett wrote it, and as this one reads it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stafett import crypto, yamlio
from stafett.documents import DOCUMENT_CLASSES, LogProfile
from stafett.errors import ExitCode, InvalidDocument
from stafett.schema import validate
from stafett.upgrade import FIXERS, current_version, upgrade
from tests.world import World

DATA = Path(__file__).parent / "data"


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yamlio.load(path.read_bytes(), name=path.name)
    return data


def _pairs() -> list[tuple[Path, Path]]:
    return [
        (old, old.with_name(f"v{current_version(old.parent.name)}.yaml"))
        for old in sorted(DATA.glob("*/v*.yaml"))
        if int(old.stem[1:]) < current_version(old.parent.name)
    ]


def test_every_upgrade_step_has_a_fixer_and_a_fixture() -> None:
    steps = {
        (kind, version)
        for kind, cls in DOCUMENT_CLASSES.items()
        for version in range(1, cls.VERSION)
    }
    assert set(FIXERS) == steps
    assert {(kind, v) for kind, v in steps} <= {
        (old.parent.name, int(old.stem[1:])) for old, _ in _pairs()
    }


@pytest.mark.parametrize("old,new", _pairs(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_an_old_document_reads_as_the_current_version(old: Path, new: Path) -> None:
    upgraded = upgrade(_load(old), old.name)
    assert yamlio.jsonable(upgraded) == yamlio.jsonable(_load(new))
    validate(new.parent.name, yamlio.jsonable(upgraded), new.name)


def test_a_current_document_is_left_as_it_is() -> None:
    for new in DATA.glob("*/v*.yaml"):
        if int(new.stem[1:]) == current_version(new.parent.name):
            assert upgrade(_load(new), new.name) == _load(new)


def test_a_newer_version_is_refused_not_misread() -> None:
    newer = {**_load(DATA / "log" / "v2.yaml"), "version": current_version("log") + 1}
    with pytest.raises(InvalidDocument) as caught:
        upgrade(newer, "log.yaml.age")
    assert "nyere stafett" in caught.value.message()
    for bad in ("2", True, 0, None):
        with pytest.raises(InvalidDocument):
            upgrade({**newer, "version": bad}, "log.yaml.age")


def _rewrite_profile(world: World, log_id: str, version: int, **extra: str) -> None:
    """The log's profile as another stafett would have written it, committed by git."""
    repo = world.log_dir(log_id)
    path = repo / "log.yaml.age"
    data = yamlio.load(crypto.decrypt(path.read_bytes(), world.identity("nora")), name="log")
    data.update(extra, version=version)
    if version == 1:
        del data["child"]["grade_year"]
    readers = [world.identity(h).recipient for h in ("nora", "recovery")]
    sealed = crypto.encrypt(yamlio.dump(data).encode("utf-8"), readers)
    world.commit_foreign(log_id, {"log.yaml.age": sealed}, signer="nora", message="add log x")


def test_a_log_written_by_an_older_stafett_is_read_and_upgraded(world: World) -> None:
    world.person("nora", "Nora Bø", "kontaktlærer", "Vågbotn skole")
    world.init("nora")
    log_id = world.open_log("nora", "Tiril Åsheim", "2014-03-09", grade=6)
    _rewrite_profile(world, log_id, 1)
    shown = world.run("nora", "show", log_id[:6]).out
    assert "Tiril Åsheim" in shown and "trinn 6" in shown
    profile = world.store("nora").log(log_id).profile()
    assert isinstance(profile, LogProfile)
    assert profile.child.grade_year == 2025
    rows = world.run("nora", "report", "transitions", "--year", "2027", "--format", "json").out
    assert '"next_grade": 8' in rows
    world.run("nora", "level", "set", log_id[:6], "2", "--why", "Samarbeid med PPT.")
    raw = crypto.decrypt(
        (world.log_dir(log_id) / "log.yaml.age").read_bytes(), world.identity("nora")
    )
    assert b"version: 2" in raw and b"grade_year: 2025" in raw


def test_a_log_from_a_newer_stafett_is_refused_plainly(world: World) -> None:
    world.person("nora", "Nora Bø", "kontaktlærer", "Vågbotn skole")
    world.init("nora")
    log_id = world.open_log("nora", "Tiril Åsheim", "2014-03-09", grade=6)
    _rewrite_profile(world, log_id, 3, new_field="x")
    refused = world.run("nora", "show", log_id[:6], code=int(ExitCode.INVALID))
    assert refused.err.strip() == (
        "log.yaml.age er laget med en nyere stafett (formatversjon 3); denne stafett "
        "kjenner formatversjon 2. Oppdater stafett for å lese den."
    )
    assert "Tiril" not in refused.err


def test_a_damaged_old_document_is_reported_not_crashed_on() -> None:
    old = _load(DATA / "log" / "v1.yaml")
    for damage in ({"created": None}, {"created": "i fjor"}, {"child": "Tiril"}):
        broken = {**old, **damage}
        upgraded = upgrade(broken, "log.yaml.age")
        with pytest.raises(InvalidDocument):
            validate("log", yamlio.jsonable(upgraded), "log.yaml.age")
    missing = {k: v for k, v in old.items() if k != "created"}
    with pytest.raises(InvalidDocument) as caught:
        validate("log", yamlio.jsonable(upgrade(missing, "log.yaml.age")), "log.yaml.age")
    assert caught.value.message() == "Feltet «created» mangler i log.yaml.age."
