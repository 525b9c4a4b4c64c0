"""Replay a fictional case (the shape of shared/scenarios/*.yaml) through the CLI.

Each actor acts with their own generated key. Steps that belong to later parts of
the product (consent, withdrawal, handover) are passed over until those exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from tests.world import World

# The scenario says "oppnådd så langt"; stafett records the result itself.
RESULT_WORDS = {"oppnådd så langt": "oppnådd"}
NOT_YET: set[str] = set()


@dataclass
class Replay:
    story: dict[str, Any]
    log_id: str = ""
    hints: dict[str, str] = field(default_factory=dict)
    concerns: dict[str, str] = field(default_factory=dict)
    done: list[dict[str, Any]] = field(default_factory=list)
    joined: set[str] = field(default_factory=set)
    consent: str = ""
    meetings: dict[str, str] = field(default_factory=dict)
    handover: str = ""


def load_story(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    return data


def replay(world: World, story: dict[str, Any], through: str) -> Replay:
    """Play the steps up to and including the first step whose `do` is `through`."""
    state = Replay(story)
    people = story["people"]
    coordinator = story["steps"][0]["actor"]
    for handle, p in people.items():
        world.person(handle, p["name"], p["role"], p["service"])
    world.init(coordinator, story["municipality"])
    for handle, p in people.items():
        if p["service"] and handle != coordinator:
            world.run(coordinator, "people", "add", str(world.card(handle)), "--handle", handle)
    for step in story["steps"]:
        world.today = step["date"]
        if step["do"] not in NOT_YET:
            _STEPS[step["do"]](world, state, step)
            state.done.append(step)
        if step["do"] == through:
            break
    return state


def _d(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def _open(world: World, state: Replay, step: dict[str, Any]) -> None:
    child = state.story["child"]
    child_handle = next(h for h, p in state.story["people"].items() if p["name"] == child["name"])
    result = world.run(
        step["actor"],
        "--json",
        "open",
        "--child-name",
        child["name"],
        "--born",
        _d(child["born"]),
        "--school",
        child["school"],
        "--grade",
        str(child["grade"]),
        "--concern",
        step["concern"],
        "--level",
        str(step["level"]),
        "--child-handle",
        child_handle,
    )
    state.log_id = result.json()["id"]


def _members(world: World, state: Replay, step: dict[str, Any]) -> None:
    for handle in step["members"]:
        _join(world, state, step["actor"], handle)
    _level(world, state, {**step, "why": "Tiltak i egen tjeneste etter samtykke."})


def _join(world: World, state: Replay, actor: str, handle: str) -> None:
    """Professionals come from people.yaml; family members bring their own card."""
    if handle in state.joined:
        return
    if state.story["people"][handle]["service"]:
        world.run(actor, "member", "add", state.log_id, handle)
    else:
        world.run(
            actor,
            "member",
            "add",
            state.log_id,
            "--card",
            str(world.card(handle)),
            "--handle",
            handle,
            "--role",
            "guardian",
        )
    state.joined.add(handle)


def _consent(world: World, state: Replay, step: dict[str, Any]) -> None:
    """The guardians who sign are registered with their cards, then the consent."""
    for handle in step["given_by"]:
        _join(world, state, step["actor"], handle)
    args = [
        "--json",
        "consent",
        "add",
        state.log_id,
        "--given-by",
        ",".join(step["given_by"]),
        "--services",
        ",".join(step["services"]),
        "--until",
        _d(step["valid_until"]),
        "--from",
        _d(step["date"]),
        "--reference",
        step["document"],
    ]
    if step.get("child_heard"):
        args.append("--child-heard")
    if step.get("child_said"):
        args += ["--child-said", step["child_said"]]
    state.consent = world.run(step["actor"], *args).json()["id"]


def _withdraw(world: World, state: Replay, step: dict[str, Any]) -> None:
    _join(world, state, step["actor"], step["by"])
    world.run(
        step["actor"],
        "consent",
        "withdraw",
        state.log_id,
        state.consent[:7],
        "--by",
        step["by"],
        "--services",
        ",".join(step["services"]),
        "--date",
        _d(step["date"]),
    )


def _measure(world: World, state: Replay, step: dict[str, Any]) -> None:
    args = [
        "--json",
        "measure",
        "add",
        state.log_id,
        "--title",
        step["title"],
        "--goal",
        step["goal"],
        "--responsible",
        step["responsible"],
        "--start",
        _d(step["start"]),
        "--evaluate-by",
        _d(step["evaluate_by"]),
    ]
    if step.get("description"):
        args += ["--description", step["description"]]
    state.hints[step["id_hint"]] = world.run(step["actor"], *args).json()["id"]


def _voice(world: World, state: Replay, step: dict[str, Any]) -> None:
    world.run(
        step["actor"],
        "voice",
        "add",
        state.log_id,
        step["words"],
        "--how",
        step["how"],
        "--date",
        _d(step["date"]),
    )


def _concern(world: World, state: Replay, step: dict[str, Any]) -> None:
    result = world.run(
        step["actor"],
        "--json",
        "concern",
        "add",
        state.log_id,
        step["text"],
        "--audience",
        ",".join(step["audience"]),
    )
    state.concerns[_d(step["date"])] = result.json()["id"]


def _evaluate(world: World, state: Replay, step: dict[str, Any]) -> None:
    args = [
        "measure",
        "evaluate",
        state.log_id,
        state.hints[step["measure"]][:7],
        "--result",
        RESULT_WORDS.get(step["result"], step["result"]),
        "--next",
        step["next"],
        "--date",
        _d(step["date"]),
    ]
    if step.get("child_said"):
        args += ["--child-said", step["child_said"]]
    if step.get("evaluate_by"):
        args += ["--evaluate-by", _d(step["evaluate_by"])]
    world.run(step["actor"], *args)


def _meeting(world: World, state: Replay, step: dict[str, Any]) -> None:
    args = [
        "--json",
        "meeting",
        "add",
        state.log_id,
        "--date",
        _d(step["date"]),
        "--participants",
        ",".join(step["participants"]),
        "--child-present",
        step["child_present"],
        "--minutes",
        step["minutes"],
    ]
    for item in step.get("agenda", []):
        args += ["--agenda", item]
    for decision in step.get("decisions", []):
        args += ["--decision", decision]
    state.meetings[_d(step["date"])] = world.run(step["actor"], *args).json()["id"]


def _handover(world: World, state: Replay, step: dict[str, Any]) -> None:
    """A new consent for the receiving service, then the handover of what is named."""
    world.run(
        step["actor"],
        "consent",
        "add",
        state.log_id,
        "--given-by",
        ",".join(step["consent_given_by"]),
        "--services",
        step["to_service"],
        "--until",
        _d(step["starts"].replace(year=step["starts"].year + 1)),
        "--from",
        _d(step["date"]),
        "--child-heard",
        "--reference",
        "samtykke til overføring",
    )
    include = [_pick(state, item) for item in step["include"]]
    exclude = [_pick(state, item) for item in step.get("exclude", [])]
    args = [
        "--json",
        "handover",
        state.log_id,
        "--to",
        step["to"],
        "--to-service",
        step["to_service"],
        "--transition",
        step["transition"],
        "--starts",
        _d(step["starts"]),
        "--include",
        ",".join(include),
        "--child-reviewed",
    ]
    if exclude:
        args += ["--exclude", ",".join(exclude)]
    if step.get("child_wants"):
        args += ["--child-wants", step["child_wants"]]
    state.handover = world.run(step["actor"], *args).json()["id"]


def _pick(state: Replay, item: str) -> str:
    """M1, "voice", "meeting 2025-11-03", "concern 2025-10-08" as the CLI takes them."""
    if item in state.hints:
        return state.hints[item][:8]
    kind, _, when = item.partition(" ")
    if kind == "meeting" and when:
        return state.meetings[when][:8]
    if kind == "concern" and when:
        return state.concerns[when][:8]
    return item


def _level(world: World, state: Replay, step: dict[str, Any]) -> None:
    world.run(
        step["actor"],
        "level",
        "set",
        state.log_id,
        str(step["level"]),
        "--why",
        step["why"],
        "--date",
        _d(step["date"]),
    )


_STEPS = {
    "open log": _open,
    "record consent": _consent,
    "withdraw consent": _withdraw,
    "add members": _members,
    "add measure": _measure,
    "record voice": _voice,
    "add concern": _concern,
    "evaluate measure": _evaluate,
    "record meeting": _meeting,
    "change level": _level,
    "hand over": _handover,
}


def sensitive_strings(story: dict[str, Any]) -> list[str]:
    """Names, birth date, schools and every sentence of the case: none may leak."""
    child = story["child"]
    found = {p["name"] for p in story["people"].values()}
    found |= {child["name"], child["school"], _d(child["born"])}
    born = child["born"]
    found.add(f"{born.day:02d}.{born.month:02d}.{born.year}")
    found |= {p["service"] for p in story["people"].values() if p["service"]}
    for step in story["steps"]:
        for key, value in step.items():
            if key in (
                "date",
                "actor",
                "do",
                "level",
                "id_hint",
                "measure",
                "audience",
                "participants",
                "members",
                "given_by",
                "stafettholder",
                "include",
                "exclude",
                "consent_given_by",
                "by",
                "responsible",
                "next",
                "result",
                "child_present",
                "child_heard",
                "effect",
                "to",
                "start",
                "evaluate_by",
                "valid_until",
                "starts",
            ):
                continue
            values = value if isinstance(value, list) else [value]
            found |= {v for v in values if isinstance(v, str) and len(v) >= 8}
    return sorted(found)
