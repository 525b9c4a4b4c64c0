"""Every text in a log or a bundle was typed by someone: on a terminal its control
characters show as escapes and never act (no colours, no bell, no text turned
around, no line overwritten), in tables, summaries, reports, JSON and errors."""

from __future__ import annotations

import json

from stafett.render.text import INVISIBLE
from tests.world import World

NAME = "Åse\x1b[32m (verifisert)\x1b[0m\x07 Ødegård\u202e\r"
MEASURE = "Lesing\x1b]0;tittel\x07 med voksen\x9b"


def _clean(text: str) -> None:
    assert INVISIBLE.search(text) is None, repr(text)


def test_control_characters_show_and_never_act(world: World) -> None:
    world.person("nora", "Nora Bø", "kontaktlærer", "Bjørkly skole")
    world.init("nora")
    log_id = world.open_log("nora", NAME)
    world.run(
        "nora", "measure", "add", log_id[:6], "--title", MEASURE, "--goal", "Trygghet\x1b[2J",
        "--responsible", "nora", "--evaluate-by", "2026-03-10",
    )  # fmt: skip
    outputs = [
        world.run("nora", "list").out,
        world.run("nora", "find", "åse").out,
        world.run("nora", "show", log_id[:6]).out,
        world.run("nora", "measure", "list", log_id[:6]).out,
        world.run("nora", "report", "due").out,
        world.run("nora", "member", "add", log_id[:6], "kari\x1b[31m", code=6).err,
    ]
    for text in outputs:
        _clean(text)
    assert "Åse\\x1b[32m (verifisert)\\x1b[0m\\x07 Ødegård\\u202e (født" in outputs[2]
    assert "kari\\x1b[31m" in outputs[-1]
    data = world.run("nora", "--json", "find", "åse").out
    _clean(data)
    assert json.loads(data)[0]["child"]["name"] == NAME.strip()
