"""The handover at the end of the cases: only what is named and consented travels,
and the report reads the child's words verbatim."""

from __future__ import annotations

import html

import pytest

from stafett.errors import ExitCode
from tests.leaks import leaks, plaintext_blobs
from tests.story import Replay, load_story, replay, sensitive_strings
from tests.test_story import STORIES
from tests.world import World


@pytest.fixture(scope="module", params=STORIES)
def handed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[World, Replay]:
    world = World(tmp_path_factory.mktemp("handover"))
    state = replay(world, load_story(request.param), through="hand over")
    return world, state


def _steps(state: Replay, do: str) -> list[dict[str, object]]:
    return [s for s in state.story["steps"] if s["do"] == do]


def test_the_report_holds_what_was_named_and_not_the_concern(
    handed: tuple[World, Replay],
) -> None:
    world, state = handed
    coordinator = str(state.story["steps"][0]["actor"])
    report = world.run(coordinator, "handover", "report", state.log_id[:8], state.handover[:8]).out
    measures = {s["id_hint"]: s for s in _steps(state, "add measure")}
    assert str(measures["M1"]["title"]) in report and str(measures["M2"]["title"]) in report
    assert "M3" not in state.hints or str(measures["M3"]["title"]) not in report
    for voice in _steps(state, "record voice"):
        assert str(voice["words"]).strip() in report
    for meeting in _steps(state, "record meeting"):
        assert all(str(d) in report for d in meeting["decisions"])  # type: ignore[attr-defined]
    concern = _steps(state, "add concern")[0]
    assert str(concern["text"])[:40] not in report
    assert "delvis oppnådd" in report
    assert state.story["child"]["name"] in report


def test_the_html_report_is_one_self_contained_file(handed: tuple[World, Replay]) -> None:
    world, state = handed
    coordinator = str(state.story["steps"][0]["actor"])
    out = world.root / "rapport.html"
    world.run(
        coordinator,
        "handover",
        "report",
        state.log_id[:8],
        state.handover[:8],
        "--format",
        "html",
        "-o",
        str(out),
    )
    page = out.read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    assert "http://" not in page and "https://" not in page and "src=" not in page
    for voice in _steps(state, "record voice"):
        assert html.escape(str(voice["words"]).strip(), quote=False) in page


def test_a_handover_needs_consent_for_the_receiving_service(
    handed: tuple[World, Replay],
) -> None:
    world, state = handed
    coordinator = str(state.story["steps"][0]["actor"])
    refused = world.run(
        coordinator,
        "handover",
        state.log_id[:8],
        "--to",
        "Ny skole",
        "--to-service",
        "Fjernvik videregående",
        "--transition",
        "ungdomsskole til vgs",
        "--starts",
        "2029-08-20",
        "--include",
        "tiltak",
        code=int(ExitCode.CONFLICT),
    )
    assert refused.err.strip().startswith(
        "Ingen gyldig samtykke dekker overføring til «Fjernvik videregående»"
    )


def test_nothing_personal_outside_age_files_after_handover(
    handed: tuple[World, Replay],
) -> None:
    world, state = handed
    folder = world.log_dir(state.log_id)
    assert leaks(folder, sensitive_strings(state.story)) == []
    assert plaintext_blobs(folder) == []
