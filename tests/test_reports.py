"""Reports over a small fictional town, built here with known dates, grades,
consents and closings; each report's rows are asserted exactly, through the CLI."""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from stafett.consent import birthday
from stafett.handover import create as write_handover
from stafett.people import read_card
from stafett.schoolyear import coming_school_year
from tests.world import STORY_DATE, World

T = STORY_DATE
Y = coming_school_year(T)


@dataclass
class Town:
    world: World
    logs: dict[str, str]
    measures: dict[str, str]
    closed: dict[str, date]

    def report(self, *args: str, code: int = 0, actor: str = "nora") -> Any:
        return self.world.run(actor, "report", *args, code=code)

    def rows(self, *args: str) -> list[dict[str, Any]]:
        out = self.report(*args, "--format", "json").out
        return [json.loads(line) for line in out.splitlines()]


def _born(years_ago: int, month: int = 1, day: int = 10) -> date:
    return date(T.year - years_ago, month, day)


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> Town:
    world = World(tmp_path_factory.mktemp("town"))
    world.person("nora", "Nora Nilsen", "kontaktlærer", service="Bjørkly skole")
    world.init("nora", municipality="Løvøy kommune")
    for handle, name, title, service in (
        ("kari", "Kari Kvam", "helsesykepleier", "helsestasjon"),
        ("per", "Per Pøhl", "rådgiver", "PPT"),
        ("otto", "Otto Øren", "kontaktlærer", "Fjellvik skole"),
    ):
        world.person(handle, name, title, service=service)
        world.store("nora").add_person(read_card(world.card(handle)), handle)
    store = world.store("nora")
    logs: dict[str, str] = {}
    measures: dict[str, str] = {}
    closed: dict[str, date] = {}

    def open_log(key: str, name: str, born: date, grade: int, level: int) -> Any:
        log = store.open_log(
            child_name=name, born=born, school="Bjørkly skole", grade=grade, level=level
        )
        logs[key] = log.id
        return log

    åse = open_log("åse", "Åse Ødegård", _born(10, 4, 12), 4, 1)
    åse.add_consent(
        given_by="åse", services="helsestasjon", valid_until=T + timedelta(10), child_heard=True
    )
    åse.add_member("kari")
    for key, title, who, due in (
        ("reading", "Lesetrening med voksen", "nora", T - timedelta(3)),
        ("talks", "Samtaler på helsestasjonen", "kari", T + timedelta(10)),
        ("swim", "Svømmegruppe", "nora", T + timedelta(40)),
    ):
        m = åse.add_measure(
            title=title, goal="Trygghet", responsible=who, start=T - timedelta(60), evaluate_by=due
        )
        measures[key] = m.id
    kari_log = world.store("kari").log(åse.id)
    kari_log.add_measure(
        title="Skjult tiltak", goal="Bare for Kari", responsible="kari",
        evaluate_by=T + timedelta(2), audience="kari",
    )  # fmt: skip

    bjørn = open_log("bjørn", "Bjørn Ås", _born(T.year - Y + 13), 7, 2)
    measures["homework"] = bjørn.add_measure(
        title="Leksehjelp", goal="Mestring", responsible="nora", evaluate_by=T + timedelta(14)
    ).id

    cecilie = open_log("cecilie", "Cecilie Dahl", date(Y - 6, 5, 1), 0, 0)
    cecilie.add_consent(given_by="cecilie", services="Bjørkly skole", valid_until="2099-12-31")
    cecilie.add_voice("Jeg gleder meg til skolen!", how="samtale i barnehagen")
    write_handover(
        cecilie, to="nora", to_service="Bjørkly skole", transition="barnehage til skole",
        starts=date(Y, 8, 15), include="voice",
    )  # fmt: skip

    david = open_log("david", "David Eng", date(Y - 16, 1, 10), 10, 3)
    david.add_member(role="guardian", name="Eva Eng", handle="eva")
    david.add_consent(given_by="eva", services="PPT", valid_until="2099-12-31", child_heard=True)

    for i, name in enumerate(("Gro Hå", "Hans Li", "Ida Moe", "Jon Nes", "Kai Ree")):
        g = open_log(f"g{i}", name, _born(10, 2, 1 + i), 4, 0)
        g.add_consent(given_by=g.member("nora").handle, services="PPT", valid_until="2099-12-31",
                      child_heard=True)  # fmt: skip
        g.add_member("per")

    for key, name, when in (
        ("erik", "Erik Fjell", birthday(T, -11)),
        ("frida", "Frida Gran", birthday(T, -2)),
    ):
        log = open_log(key, name, _born(17), 11, 1)
        log.close(reason="Flyttet", when=when)
        closed[key] = when

    otto = world.store("otto")
    logs["hidden"] = otto.open_log(
        child_name="Hemmelig Hansen", born=_born(8), school="Fjellvik skole", grade=2
    ).id
    return Town(world, logs, measures, closed)


def test_due_lists_overdue_and_coming_evaluations(town: Town) -> None:
    åse, bjørn = town.logs["åse"], town.logs["bjørn"]

    def row(log: str, child: str, key: str, title: str, who: str, days: int) -> dict[str, Any]:
        return {
            "log": log,
            "child": child,
            "measure_id": town.measures[key],
            "measure": title,
            "responsible": who,
            "evaluate_by": (T + timedelta(days)).isoformat(),
            "days": days,
        }

    assert town.rows("due") == [
        row(åse, "Åse Ødegård", "reading", "Lesetrening med voksen", "Nora Nilsen", -3),
        row(åse, "Åse Ødegård", "talks", "Samtaler på helsestasjonen", "Kari Kvam", 10),
        row(bjørn, "Bjørn Ås", "homework", "Leksehjelp", "Nora Nilsen", 14),
    ]
    assert [r["measure_id"] for r in town.rows("due", "--responsible", "kari")] == [
        town.measures["talks"]
    ]
    assert town.rows("due", "--responsible", "Kari Kvam") == town.rows(
        "due", "--responsible", "KARI"
    )
    nobody = town.report("due", "--responsible", "karri")
    assert nobody.out.strip() == "Ingen treff." and "kallenavnet i loggen" in nobody.err
    assert [r["days"] for r in town.rows("due", "--within", "0d")] == [-3]
    assert [r["days"] for r in town.rows("due", "--within", "1u")] == [-3]
    as_of = (T + timedelta(35)).isoformat()
    assert [r["days"] for r in town.rows("due", "--within", "1w", "--date", as_of)] == [
        -38,
        -25,
        -21,
        5,
    ]


def test_due_tells_what_was_left_out(town: Town) -> None:
    result = town.report("due")
    assert "Dager igjen" in result.out and "Lesetrening med voksen" in result.out
    assert "1 logger kunne ikke leses med din nøkkel." in result.err
    assert "1 dokumenter er skjult for deg" in result.err
    assert "Hemmelig" not in result.out + result.err
    english = town.world.run("nora", "--lang", "en", "report", "due").out
    assert "Days left" in english


def test_csv_has_codes_and_iso_dates(town: Town) -> None:
    lines = town.report("due", "--format", "csv").out.splitlines()
    assert lines[0] == "log,child,measure_id,measure,responsible,evaluate_by,days"
    assert lines[1].endswith(f",Nora Nilsen,{(T - timedelta(3)).isoformat()},-3")
    assert len(lines) == 4


def test_transitions_of_the_coming_school_start(town: Town) -> None:
    def row(key: str, child: str, born: date, grade: int, code: str, handover: bool) -> Any:
        return {
            "log": town.logs[key],
            "child": child,
            "born": born.isoformat(),
            "school": "Bjørkly skole",
            "grade": grade,
            "next_grade": {0: 1, 7: 8, 10: 11}[grade],
            "transition": code,
            "handover": handover,
            "coordinator": "Nora Nilsen",
        }

    expected = [
        row("cecilie", "Cecilie Dahl", date(Y - 6, 5, 1), 0, "school_start", True),
        row("bjørn", "Bjørn Ås", _born(T.year - Y + 13), 7, "lower_secondary", False),
        row("david", "David Eng", date(Y - 16, 1, 10), 10, "upper_secondary", False),
    ]
    assert town.rows("transitions") == expected
    assert town.rows("transitions", "--year", str(Y)) == expected
    assert town.rows("transitions", "--year", str(Y + 1)) == []
    lines = town.report("transitions").out.splitlines()
    assert lines[0].split() == [
        "Logg", "Barn", "Født", "Skole", "Trinn", "nå", "Nytt", "trinn", "Overgang",
        "Overføring", "Stafettholder",
    ]  # fmt: skip
    assert lines[1].split()[-6:] == ["barnehage", "1.", "skolestart", "ja", "Nora", "Nilsen"]


def test_consent_missing_expiring_and_age(town: Town) -> None:
    david_born = date(Y - 16, 1, 10)

    def row(key: str, child: str, born: date, problem: str, when: date | None) -> Any:
        return {
            "log": town.logs[key],
            "child": child,
            "born": born.isoformat(),
            "problem": problem,
            "date": when.isoformat() if when else None,
            "coordinator": "Nora Nilsen",
        }

    assert town.rows("consent") == [
        row("david", "David Eng", david_born, "child_views", birthday(david_born, 12)),
        row("åse", "Åse Ødegård", _born(10, 4, 12), "expiring", T + timedelta(10)),
        row("bjørn", "Bjørn Ås", _born(T.year - Y + 13), "missing", None),
        row("david", "David Eng", david_born, "own_consent", birthday(david_born, 15)),
    ]
    shorter = [r["problem"] for r in town.rows("consent", "--within", "5d")]
    assert "expiring" not in shorter


def test_retention_lists_closed_logs_past_the_period(town: Town) -> None:
    closed = town.closed["erik"]
    assert town.rows("retention") == [
        {
            "log": town.logs["erik"],
            "child": "Erik Fjell",
            "closed": closed.isoformat(),
            "delete_after": birthday(closed, 10).isoformat(),
            "coordinator": "Nora Nilsen",
        }
    ]


def test_stats_suppress_small_counts_and_carry_no_names(town: Town) -> None:
    assert town.rows("stats") == [
        {"level": 0, "count": 6},
        {"level": 1, "count": "<5"},
        {"level": 2, "count": "<5"},
        {"level": 3, "count": "<5"},
    ]
    assert town.rows("stats", "--by", "level,service") == [
        {"level": 0, "service": "PPT", "count": 5},
        {"level": 0, "service": None, "count": "<5"},
        {"level": 1, "service": "helsestasjon", "count": "<5"},
        {"level": 2, "service": None, "count": "<5"},
        {"level": 3, "service": None, "count": "<5"},
    ]
    assert town.rows("stats", "--by", "grade") == [
        {"grade": 0, "count": "<5"},
        {"grade": 4, "count": 6},
        {"grade": 7, "count": "<5"},
        {"grade": 10, "count": "<5"},
    ]
    assert town.rows("stats", "--by", "status") == [
        {"status": "closed", "count": "<5"},
        {"status": "open", "count": 9},
    ]
    output = town.report("stats", "--by", "level,service,grade").out
    assert "<5" in output and "Antall" in output
    for name in ("Åse", "Bjørn", "Cecilie", "David", "Nora", "Kari", "Erik"):
        assert name not in output


def test_parallel_run_gives_the_same_rows_and_writes_nothing(town: Town) -> None:
    before = _tree(town.world.store_path)
    store = town.world.store("nora")
    for name in ("due", "transitions", "consent", "retention", "stats"):
        serial, pooled = store.report(name, workers=1), store.report(name, workers=2)
        assert serial == pooled
        assert (serial.logs, serial.skipped, serial.damaged) == (11, 1, 0)
    assert _tree(town.world.store_path) == before


def test_spawned_workers_as_on_windows_and_macos(
    town: Town, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Linux forks its workers; spawn re-imports everything in each, so what crosses
    to a worker must pickle. Run that path here too."""
    from stafett import reports

    store = town.world.store("nora")
    serial = store.report("due", workers=1)
    monkeypatch.setattr(reports, "START_METHOD", "spawn")
    assert store.report("due", workers=2) == serial


def test_unreadable_log_is_skipped_and_counted(town: Town) -> None:
    logs = town.world.store("nora").logs()
    names = sorted(log.child.name for log in logs)
    assert len(names) == 11 and "Hemmelig Hansen" not in names
    assert (logs.skipped, logs.damaged, logs.total) == (1, 0, 12)
    otto = town.world.store("otto").logs()
    assert [log.child.name for log in otto] == ["Hemmelig Hansen"]
    assert otto.skipped == 11


def test_bad_options_are_refused_plainly(town: Town) -> None:
    before = _tree(town.world.store_path)
    cases = (
        (("due", "--within", "snart"), "antall dager eller uker"),
        (("stats", "--by", "school"), "level, service, status, grade, opened"),
        (("due", "--format", "xml"), "table, csv, json"),
        (("transitions", "--year", "26"), "firesifret"),
        (("due", "--date", "i morgen"), "dato"),
    )
    for args, words in cases:
        result = town.report(*args, code=2)
        assert words in result.err and "Traceback" not in result.err
    assert _tree(town.world.store_path) == before


def test_progress_bar_on_a_terminal(town: Town) -> None:
    pexpect = pytest.importorskip("pexpect")
    env = town.world.env("nora", STAFETT_PROGRESS_DELAY="0", COLUMNS="100")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "stafett", "report", "stats", "--jobs", "2"],
        env=env,
        encoding="utf-8",
        timeout=60,
    )
    child.expect("Leser logger")
    child.expect("Antall")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def _tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_a_damaged_log_is_counted_not_fatal(world: World) -> None:
    world.person("nora", "Nora Nilsen", "kontaktlærer", service="Bjørkly skole")
    world.init("nora")
    whole = world.open_log("nora", child="Åse Ødegård")
    broken = world.open_log("nora", child="Bjørn Ås")
    world.commit_foreign(broken, {"log.yaml.age": b"child: Bjorn\n"}, signer="nora")
    result = world.run("nora", "report", "transitions", "--format", "json", "--year", "2000")
    assert result.out == ""
    assert "1 logger kunne ikke leses fordi de er skadet" in result.err
    logs = world.store("nora").logs()
    assert [log.id for log in logs] == [whole]
    assert (logs.skipped, logs.damaged) == (0, 1)
