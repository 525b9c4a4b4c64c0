"""A synthetic municipality: N logs x 50 documents of 1-3 KB, each encrypted to five
recipients (coordinator, three professionals, the recovery key). Every name and
text is made up. Built once through the real write path (validated, signed, one
commit per log) and kept in bench/.data, since building 1,000 logs takes minutes.
"""

from __future__ import annotations

import random
import shutil
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stafett import create, ids
from stafett.clock import SYSTEM
from stafett.create import coordinator_member
from stafett.documents import (
    Child,
    Concern,
    Consent,
    Document,
    Evaluation,
    LevelChange,
    LogProfile,
    Measure,
    Meeting,
    Member,
    MemberList,
    Note,
    Voice,
)
from stafett.keys import new_key
from stafett.people import Card
from stafett.schoolyear import school_year
from stafett.store import Store

VERSION = 2
DATA = Path(__file__).resolve().parent / ".data"
DOCUMENTS = 50
FIRST = ("Åse", "Bjørn", "Cecilie", "Dag", "Eir", "Frøya", "Gaute", "Hedda", "Iver", "Jørgen")
LAST = ("Ødegård", "Ås", "Bakken", "Dahl", "Eng", "Fjeld", "Grønli", "Haug", "Lie", "Moen")
SCHOOLS = ("Bjørkly skole", "Solbakken skole", "Fjordtun ungdomsskole", "Lia barnehage")
SERVICES = ("helsestasjon", "PPT", "barnevern")
SENTENCE = (
    "Eleven hadde en rolig dag og deltok i gruppearbeidet med de andre. ",
    "Vi snakket om hvordan friminuttene kjennes, og hva som kan gjøre dem tryggere. ",
    "Foreldrene forteller at søvnen er bedre etter at rutinene ble endret. ",
    "Lesetreningen går framover, men det er fortsatt tungt å lese høyt i klassen. ",
)
# (kind, how many) of the 48 documents beside the log profile and the member list
MIX = (
    ("consent", 2),
    ("concern", 1),
    ("measure", 8),
    ("evaluation", 8),
    ("meeting", 4),
    ("voice", 5),
    ("level", 1),
    ("note", 19),
)


def text(rng: random.Random, low: int = 1000, high: int = 2800) -> str:
    size = rng.randint(low, high)
    out = ""
    while len(out.encode()) < size:
        out += rng.choice(SENTENCE)
    return out.strip()


def people(root: Path) -> tuple[Path, list[Card], str]:
    keys = root / "keys"
    recovery = new_key(keys / "recovery.key", name="Kommunen", title="nøkkel", passphrase=None)
    cards = [
        new_key(keys / "koordinator.key", name="Kari Koordinator", title="rådgiver",
                service="skole", passphrase=None),
        *(new_key(keys / f"p{i}.key", name=f"Fagperson {i}", title="fagperson",
                  service=SERVICES[i], passphrase=None) for i in range(3)),
    ]  # fmt: skip
    return keys / "koordinator.key", cards, recovery.recipient


def documents(rng: random.Random, me: Member, team: list[Member], today: date) -> list[Document]:
    created = SYSTEM.now()
    measures: list[Measure] = []

    def common() -> dict[str, Any]:
        return {"id": ids.new_id(), "created": created, "created_by": me.id}

    def day() -> date:
        return today - timedelta(days=rng.randint(0, 300))

    def measure() -> Measure:
        start = day()
        measures.append(
            Measure(
                **common(),
                title="Tiltak for trygghet og mestring",
                goal=text(rng, 300, 600),
                description=text(rng, 700, 2000),
                responsible=rng.choice(team).id,
                start=start,
                evaluate_by=max(start, today + timedelta(days=rng.randint(-60, 120))),
                status=rng.choice(("active", "active", "completed")),
            )
        )
        return measures[-1]

    makers: dict[str, Callable[[], Document]] = {
        "consent": lambda: Consent(
            **common(),
            given_by=(me.id,),
            child_heard=True,
            services=SERVICES,
            valid_from=day(),
            valid_until=today + timedelta(days=rng.randint(-30, 400)),
            purpose=text(rng, 900, 1500),
        ),
        "concern": lambda: Concern(**common(), text=text(rng), level_at_time=1),
        "measure": measure,
        "evaluation": lambda: Evaluation(
            **common(),
            measure=rng.choice(measures).id,
            date=day(),
            result="partly",
            text=text(rng),
            next="continue",
        ),
        "meeting": lambda: Meeting(
            **common(), date=day(), participants=(me.id,), child_present="whole", minutes=text(rng)
        ),
        "voice": lambda: Voice(**common(), date=day(), words=text(rng), how="i samtale"),
        "level": lambda: LevelChange(**common(), level=1, why=text(rng), date=day()),
        "note": lambda: Note(**common(), text=text(rng)),
    }
    return [makers[kind]() for kind, count in MIX for _ in range(count)]


def build_log(root: Path, seed: int) -> None:
    key = root / "keys" / "koordinator.key"
    store = Store.open(root / "store", identity=key, state=root / "state" / "stafett")
    rng = random.Random(seed)
    today = date.today()
    cards = store.people()
    me = coordinator_member(cards[0], today)
    team = [me, *(replace(coordinator_member(c, today), role="professional") for c in cards[1:])]
    child = Child(name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                  born=date(today.year - rng.randint(2, 18), rng.randint(1, 12), 1),
                  school=rng.choice(SCHOOLS), grade=rng.randint(0, 13),
                  grade_year=school_year(today))  # fmt: skip
    log_id, created = ids.new_id(), SYSTEM.now()
    members = MemberList(id=log_id, created=created, created_by=me.id, members=tuple(team))
    profile = LogProfile(id=log_id, created=created, created_by=me.id, child=child,
                         level=rng.randint(0, 3), coordinator=me.id, opened=today)  # fmt: skip
    docs = [profile, members, *documents(rng, me, team, today)]
    assert len(docs) == DOCUMENTS
    create.build(store, log_id, members, docs, "open log")


def build(logs: int) -> Path:
    """The store with `logs` logs, built once; later runs reuse it."""
    root = DATA / f"municipality-v{VERSION}-{logs}"
    if (root / "done").exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    key, cards, recovery = people(root)
    Store.init(root / "store", municipality="Benchvik kommune", recovery=recovery)
    store = Store.open(root / "store", identity=key)
    for i, card in enumerate(cards):
        store.add_person(card, "koordinator" if i == 0 else f"p{i - 1}")
    print(f"building {logs} logs x {DOCUMENTS} documents in {root} (once)...", flush=True)
    with ProcessPoolExecutor() as pool:
        list(pool.map(build_log, [root] * logs, range(logs), chunksize=8))
    (root / "done").write_text("ok\n", encoding="utf-8")
    return root


def subset(source: Path, logs: int) -> Path:
    """The first `logs` logs of a bigger municipality, copied, for the memory figure."""
    root = DATA / f"municipality-v{VERSION}-{logs}-of-{source.name}"
    if (root / "done").exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(source / "keys", root / "keys")
    for name in ("store.yaml", "people.yaml"):
        (root / "store").mkdir(parents=True, exist_ok=True)
        shutil.copy(source / "store" / name, root / "store" / name)
    for folder in sorted((source / "store" / "logs").iterdir())[:logs]:
        shutil.copytree(folder, root / "store" / "logs" / folder.name, symlinks=True)
    (root / "done").write_text("ok\n", encoding="utf-8")
    return root
