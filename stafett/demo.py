"""`stafett demo`: a fictional store built through the public API.

Every person, school and event here is made up. The keys are written without a
passphrase, so the demo is for trying things out only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from stafett.clock import SYSTEM, Clock
from stafett.keys import new_key
from stafett.schoolyear import coming_school_year
from stafett.store import Store
from stafett.views import LogSummary, summarize

if TYPE_CHECKING:
    from stafett.log import Log

MUNICIPALITY = "Fjordheim kommune (oppdiktet)"
PEOPLE = {
    "ingrid": ("Ingrid Sæther", "kontaktlærer", "Fjordheim barneskole"),
    "maja": ("Maja Haugen", "helsesykepleier", "Fjordheim helsestasjon"),
    "omar": ("Omar Farah", "rådgiver", "PPT Fjordheim"),
}


@dataclass(frozen=True)
class DemoResult:
    store_path: Path
    identity_path: Path
    log_id: str
    summary: LogSummary


def build_demo(path: Path, clock: Clock = SYSTEM) -> DemoResult:
    """The demo's dates run from `clock`'s today, so its reports always have
    something due, whatever the date."""
    keys = path / "keys"
    store = _people(path, keys, clock)
    today = clock.today()
    log = _liams_log(store, today)
    _liams_first_months(log, today)
    _more_children(store, today)
    return DemoResult(path, keys / "ingrid.key", log.id, summarize(store.log(log.id)))


def _people(path: Path, keys: Path, clock: Clock) -> Store:
    """Everyone gets a key without a passphrase, so the demo can be tried at once;
    the store is opened as Ingrid, who coordinates the first log."""
    recovery = new_key(
        keys / "kommune-gjenoppretting.key",
        name=MUNICIPALITY,
        title="gjenopprettingsnøkkel",
        passphrase=None,
    )
    cards = {
        handle: new_key(
            keys / f"{handle}.key", name=name, title=title, service=service, passphrase=None
        )
        for handle, (name, title, service) in PEOPLE.items()
    }
    Store.init(path, municipality=MUNICIPALITY, recovery=recovery.recipient)
    store = Store.open(path, identity=keys / "ingrid.key", clock=clock)
    for handle, card in cards.items():
        store.add_person(card, handle)
    return store


def _liams_log(store: Store, today: date) -> Log:
    """The log the demo shows first. Consent comes before Maja and Omar join, since a
    professional joins only under a consent that covers their service."""
    log = store.open_log(
        child_name="Liam Østby",
        born=date(today.year - 10, 5, 20),
        school="Fjordheim barneskole",
        grade=4,
        concern="Liam virker sliten om morgenen og har sluttet å spille fotball i friminuttene.",
    )
    log.add_member(handle="siri", name="Siri Østby", role="guardian", title="mor")
    log.add_consent(
        given_by="siri",
        child_heard=True,
        child_said="Det er greit at helsesøster og PPT vet om det.",
        services="Fjordheim barneskole,Fjordheim helsestasjon,PPT Fjordheim",
        valid_until=date(today.year + 1, 12, 31),
        valid_from=today - timedelta(days=62),
        reference="Signert skjema i skolens arkiv",
    )
    log.add_member("maja")
    log.add_member("omar")
    log.set_level(
        1,
        why="Foreldrene og skolen er enige om å prøve tiltak i klassen først.",
        when=today - timedelta(days=60),
    )
    return log


def _liams_first_months(log: Log, today: date) -> None:
    """Two months of work, dated back from today so the log view has history to show
    and one measure is overdue for evaluation."""
    reading = log.add_measure(
        title="Lesestund med fast voksen",
        goal="Liam skal grue seg mindre til lesing.",
        responsible="ingrid",
        start=today - timedelta(days=55),
        evaluate_by=today - timedelta(days=5),
    )
    log.add_measure(
        title="Samtaler på helsestasjonen",
        goal="Liam skal ha en voksen å snakke med om søvn.",
        responsible="maja",
        start=today - timedelta(days=50),
        evaluate_by=today + timedelta(days=20),
    )
    log.add_voice(
        "Jeg liker fotball, men ikke når de andre ler av meg.",
        how="i samtale med kontaktlærer",
        when=today - timedelta(days=40),
    )
    log.evaluate_measure(
        reading.id,
        result="delvis oppnådd",
        next="fortsette",
        child_said="Det er greit å lese høyt for Ingrid, ikke for hele klassen.",
        when=today - timedelta(days=20),
    )
    log.add_meeting(
        when=today - timedelta(days=20),
        participants="ingrid,maja,siri,liam",
        child_present="deler av møtet",
        child_minutes=15,
        agenda=("Hvordan har det gått?", "Veien videre"),
        minutes="Liam fortalte selv om lesestundene. Alle vil fortsette.",
        decisions=("Lesestundene fortsetter", "Ny evaluering om fire uker"),
    )


def _more_children(store: Store, today: date) -> None:
    """Two more logs, so the reports have something to say: a girl moving up to lower
    secondary whose consent runs out soon, and a boy starting school without one."""
    selma = store.open_log(
        child_name="Selma Berg",
        born=date(today.year - 12, 2, 3),
        school="Fjordheim barneskole",
        grade=7,
    )
    selma.add_member(handle="arne", name="Arne Berg", role="guardian", title="far")
    selma.add_consent(
        given_by="arne",
        child_heard=True,
        child_said="Jeg vil at læreren på ungdomsskolen skal vite det.",
        services="Fjordheim barneskole,PPT Fjordheim",
        valid_until=today + timedelta(days=20),
    )
    selma.add_member("omar")
    selma.add_measure(
        title="Ukentlig samtale med rådgiver",
        goal="Selma skal grue seg mindre til ungdomsskolen.",
        responsible="omar",
        evaluate_by=today + timedelta(days=7),
    )
    store.open_log(
        child_name="Jonas Vik",
        born=date(coming_school_year(today) - 6, 9, 14),
        school="Fjordheim barnehage",
        grade=0,
        concern="Jonas trekker seg unna de andre barna og sier lite.",
    )
