"""Issue 11: a handover and its export reach only whom they are meant for.

Including by kind ("tiltak") leaves out what only some members may read, and says
so; naming a document by its short id includes it. An export goes to the
handover's receiver unless another is chosen out loud (--other-receiver).
"""

from __future__ import annotations

import subprocess
from datetime import date

import pytest

from stafett import handover as handovers
from stafett import transaction
from stafett.documents import Evaluation, Handover
from stafett.errors import Conflict, ExitCode
from stafett.export import export
from tests.world import World

RESTRICTED_TITLE = "Samtaler hos helsesykepleier om søvn"
TO_JONAS = (
    "--to",
    "jonas",
    "--to-service",
    "Sentrum ungdomsskole",
    "--transition",
    "barneskole til ungdomsskole",
    "--starts",
    "2026-08-17",
)
LEFT_OUT = (
    "Holdt utenfor fordi lesergruppen er begrenset ({count}): {ids}. "
    "Nevn et dokument med kort id i --include for å ta det med."
)
OTHER = (
    "Overføring {handover} er til Jonas Dahl, ikke til «siri». Eksporter til mottakeren, "
    "eller bruk --other-receiver hvis den skal til «siri»."
)

Ids = dict[str, str]


@pytest.fixture
def case(world: World) -> tuple[World, str, Ids]:
    """nora's log with kari as member: one measure all members read, one only kari
    and nora read (with an evaluation each), and a voice only kari and nora read.
    Built per test, not copied: a copy would share the log's id with the others."""
    world.person("nora", "Nora Bø", "kontaktlærer", "Bjørkly skole")
    world.person("kari", "Kari Lø", "helsesykepleier", "Bjørkly helsestasjon")
    world.person("jonas", "Jonas Dahl", "sosiallærer", "Sentrum ungdomsskole")
    world.person("siri", "Siri Ås", "rådgiver", "Fjellvik skole")
    world.init("nora")
    for handle in ("kari", "jonas", "siri"):
        world.run("nora", "people", "add", str(world.card(handle)), "--handle", handle)
    log_id = world.open_log("nora")
    world.consent("nora", log_id, "åse", "Bjørkly helsestasjon,Sentrum ungdomsskole")
    world.run("nora", "member", "add", log_id[:6], "kari")
    ids = {
        "open": _measure(world, log_id, "Lesegruppe på fredager", "nora"),
        "restricted": _measure(world, log_id, RESTRICTED_TITLE, "kari", "--audience", "kari"),
    }
    ids["open_eval"] = _evaluate(world, log_id, ids["open"])
    ids["restricted_eval"] = _evaluate(world, log_id, ids["restricted"])
    ids["voice"] = world.run(
        "nora", "--json", "voice", "add", log_id[:6], "Jeg sover dårlig før prøver.",
        "--how", "samtale", "--audience", "kari",
    ).json()["id"]  # fmt: skip
    return world, log_id, ids


def _measure(world: World, log_id: str, title: str, responsible: str, *extra: str) -> str:
    return str(
        world.run(
            "nora", "--json", "measure", "add", log_id[:6], "--title", title,
            "--goal", "Åse skal få det bedre på skolen.", "--responsible", responsible,
            "--start", "2025-09-01", "--evaluate-by", "2025-10-01", *extra,
        ).json()["id"]
    )  # fmt: skip


def _evaluate(world: World, log_id: str, measure: str) -> str:
    return str(
        world.run(
            "nora", "--json", "measure", "evaluate", log_id[:6], measure[:7],
            "--result", "delvis oppnådd", "--next", "fortsette", "--date", "2025-10-01",
        ).json()["id"]
    )  # fmt: skip


def _handover(world: World, log_id: str, include: str) -> tuple[set[str], str]:
    """(the handover's includes, stderr) of `stafett handover LOG ... --include INCLUDE`."""
    done = world.run("nora", "--json", "handover", log_id[:6], *TO_JONAS, "--include", include)
    return set(done.json()["includes"]), done.err


def _head(world: World, log_id: str) -> str:
    return subprocess.run(
        ["git", "rev-parse", "HEAD"],
        cwd=world.log_dir(log_id),
        capture_output=True,
        text=True,
        check=True,
    ).stdout


# --- including by kind ----------------------------------------------------------


def test_a_kind_leaves_out_a_restricted_measure_and_says_so(case: tuple[World, str, Ids]) -> None:
    world, log_id, ids = case
    includes, err = _handover(world, log_id, "tiltak")
    assert includes == {ids["open"], ids["open_eval"]}
    assert err.strip() == LEFT_OUT.format(count=1, ids=ids["restricted"][:7])
    assert RESTRICTED_TITLE not in err


def test_a_kind_leaves_out_restricted_evaluations_too(case: tuple[World, str, Ids]) -> None:
    world, log_id, ids = case
    includes, err = _handover(world, log_id, "tiltak,evaluering")
    assert includes == {ids["open"], ids["open_eval"]}
    shorts = ", ".join(i[:7] for i in sorted((ids["restricted"], ids["restricted_eval"])))
    assert err.strip() == LEFT_OUT.format(count=2, ids=shorts)


def test_naming_a_restricted_measure_by_its_short_id_includes_it(
    case: tuple[World, str, Ids],
) -> None:
    world, log_id, ids = case
    includes, err = _handover(world, log_id, f"tiltak,{ids['restricted'][:7]}")
    assert includes == {ids["open"], ids["open_eval"], ids["restricted"], ids["restricted_eval"]}
    assert err == ""


def test_a_kind_with_only_restricted_documents_writes_no_handover(
    case: tuple[World, str, Ids],
) -> None:
    world, log_id, ids = case
    before = _head(world, log_id)
    refused = world.run(
        "nora", "handover", log_id[:6], *TO_JONAS, "--include", "stemme",
        code=int(ExitCode.USAGE),
    )  # fmt: skip
    assert refused.err.strip() == (
        f"Alt som ble valgt etter type har begrenset lesergruppe (1: {ids['voice'][:7]}); "
        "nevn et dokument med kort id i --include for å ta det med."
    )
    assert _head(world, log_id) == before
    english = world.run(
        "nora", "--lang", "en", "handover", log_id[:6], *TO_JONAS, "--include", "voice",
        code=int(ExitCode.USAGE),
    )  # fmt: skip
    assert english.err.strip().startswith("Everything chosen by kind has a restricted audience")
    _, err = _handover(world, log_id, ids["voice"][:7])
    assert err == ""


def test_the_api_tells_what_was_left_out_and_create_still_returns_the_handover(
    case: tuple[World, str, Ids],
) -> None:
    """An evaluation restricted on its own (a script, an older stafett) under a measure
    all members read is left out with it, unless named."""
    world, log_id, ids = case
    log = world.store("nora").log(log_id)
    with transaction.begin(log, "evaluate") as change:
        alone = change.add(
            Evaluation(
                **change.header("kari"),
                measure=ids["open"],
                date=date(2025, 11, 3),
                result="partly",
                next="continue",
            )
        ).id
    to, service, transition = "jonas", "Sentrum ungdomsskole", "skolebytte"
    written = handovers.write(
        log,
        to=to,
        to_service=service,
        transition=transition,
        starts="2026-08-17",
        include="measure",
    )
    assert written.left_out == tuple(sorted((ids["restricted"], alone)))
    assert set(written.handover.includes) == {ids["open"], ids["open_eval"]}
    named = handovers.create(
        log,
        to=to,
        to_service=service,
        transition=transition,
        starts=date(2026, 8, 17),
        include=["measure", alone[:7]],
    )
    assert isinstance(named, Handover)
    assert set(named.includes) == {ids["open"], ids["open_eval"], alone}


# --- exporting to someone else than the receiver --------------------------------


@pytest.mark.parametrize("fmt", ["bundle", "json", "html"])
def test_export_to_another_than_the_receiver_is_refused(
    case: tuple[World, str, Ids], fmt: str
) -> None:
    world, log_id, ids = case
    handover = world.run(
        "nora", "--json", "handover", log_id[:6], *TO_JONAS, "--include", ids["open"][:7]
    ).json()["id"]
    before = _head(world, log_id)
    out = world.root / f"til-siri.{fmt}.age"
    refused = world.run(
        "nora", "export", log_id[:6], "--to", "siri", "--handover", handover[:7],
        "--format", fmt, "-o", str(out), code=int(ExitCode.CONFLICT),
    )  # fmt: skip
    assert refused.err.strip() == OTHER.format(handover=handover[:7])
    assert not out.exists()
    assert _head(world, log_id) == before
    world.run(
        "nora", "export", log_id[:6], "--to", "siri", "--handover", handover[:7],
        "--format", fmt, "-o", str(out), "--other-receiver",
    )  # fmt: skip
    assert out.exists()
    history = world.run("nora", "--json", "history", log_id[:6]).json()
    assert history[0]["action"] == "export"


def test_export_to_the_receiver_needs_no_choice_and_compares_by_person(
    case: tuple[World, str, Ids],
) -> None:
    world, log_id, ids = case
    world.run("nora", "handover", log_id[:6], *TO_JONAS, "--include", ids["open"][:7])
    by_key = world.root / "til-jonas.stafett"
    recipient = world.identity("jonas").recipient
    done = world.run("nora", "export", log_id[:6], "--to", recipient, "-o", str(by_key))
    assert by_key.exists() and done.err == ""
    world.run("nora", "export", log_id[:6], "--to", "jonas", "-o", str(by_key))


def test_the_api_refuses_another_receiver_unless_chosen(case: tuple[World, str, Ids]) -> None:
    world, log_id, ids = case
    handover = world.run(
        "nora", "--json", "handover", log_id[:6], *TO_JONAS, "--include", ids["open"][:7]
    ).json()["id"]
    log = world.store("nora").log(log_id)
    out = world.root / "til-siri.json.age"
    with pytest.raises(Conflict) as refused:
        export(log, to="siri", output=out, fmt="json")
    assert refused.value.exit_code == ExitCode.CONFLICT
    assert refused.value.message("en") == (
        f"Handover {handover[:7]} is for Jonas Dahl, not 'siri'. Export to its receiver, "
        "or use --other-receiver if it is meant for 'siri'."
    )
    assert not out.exists()
    record = export(log, to="siri", output=out, fmt="json", other_receiver=True)
    assert record.to == "Siri Ås" and out.exists()
