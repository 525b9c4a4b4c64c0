"""The handover report in a real browser: every text in a log was typed by
someone, so the child's words come out exactly as typed and nothing in them runs.

Chromium is Debian's (`apt-get install chromium`), driven by playwright through
`executable_path`; the test is skipped, saying so, where neither is installed.
"""

from __future__ import annotations

import html.parser
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.world import World

WORDS = "Eg likar <ikkje> matte."
SCRIPT = "<script>window.__pwned = 1; alert('x')</script>Hei & hå"
WANTS = '<img src=x onerror="window.__pwned = 2">Eg vil sitja ved vindauget.'
CHROMIUM = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    world = World(tmp_path_factory.mktemp("html"))
    world.person("nora", "Nora Bø", "kontaktlærer", "Bjørkly skule")
    world.person("lise", "Lise Ås", "mor")
    world.init("nora")
    log_id = world.open_log("nora", "Åse <b>Ødegård</b>")
    world.run(
        "nora", "member", "add", log_id[:6], "--card", str(world.card("lise")),
        "--handle", "lise", "--role", "guardian",
    )  # fmt: skip
    world.consent("nora", log_id, "lise", "Bjørkly skule,Vågen ungdomsskule")
    for words in (WORDS, SCRIPT):
        world.run("nora", "voice", "add", log_id[:6], words, "--how", "i samtale <med> lærar")
    handover = world.run(
        "nora", "--json", "handover", "create", log_id[:6], "--to", "Vågen ungdomsskule",
        "--to-service", "Vågen ungdomsskule", "--transition", "barneskule til ungdomsskule",
        "--starts", "2026-08-17", "--include", "voice", "--child-wants", WANTS,
        "--child-reviewed",
    ).json()["id"]  # fmt: skip
    out = world.root / "overføring.html"
    world.run(
        "nora", "handover", "report", log_id[:6], handover[:8], "--format", "html", "-o", str(out)
    )
    return out


class _Quotes(html.parser.HTMLParser):
    """The text of every blockquote, and every element name, as a browser parses them."""

    def __init__(self) -> None:
        super().__init__()
        self.quotes: list[str] = []
        self.tags: set[str] = set()
        self._in = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag == "blockquote":
            self._in, self.quotes = True, [*self.quotes, ""]

    def handle_endtag(self, tag: str) -> None:
        self._in = self._in and tag != "blockquote"

    def handle_data(self, data: str) -> None:
        if self._in:
            self.quotes[-1] += data


def test_the_html_escapes_every_text(report: Path) -> None:
    parsed = _Quotes()
    parsed.feed(report.read_text("utf-8"))
    assert {WORDS, SCRIPT, WANTS} <= set(parsed.quotes)
    assert not parsed.tags & {"script", "img", "b"}


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_in_a_browser_the_words_read_as_typed_and_nothing_runs(
    report: Path, tmp_path: Path
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    dialogs: list[str] = []

    def seen(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.on("dialog", seen)
            page.goto(report.as_uri())
            page.wait_for_load_state("load")
            quotes = page.locator("blockquote").all_inner_texts()
            title = page.title()
            pwned = page.evaluate("typeof window.__pwned")
            page.screenshot(path=str(tmp_path / "overføring.png"), full_page=True)
        finally:
            browser.close()
    assert {WORDS, SCRIPT, WANTS} <= {q.strip() for q in quotes}
    assert title == "Overføring: Åse <b>Ødegård</b>"
    assert pwned == "undefined" and dialogs == []
