"""Any valid measure survives dump -> encrypt -> commit -> read -> parse unchanged."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stafett import Log, Measure, Store
from stafett.keys import new_key


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> Log:
    root = tmp_path_factory.mktemp("roundtrip")
    nora = new_key(root / "nora.key", name="Nora Bø", title="lærer", passphrase=None)
    recovery = new_key(root / "rec.key", name="Kommunen", title="nøkkel", passphrase=None)
    Store.init(root / "store", municipality="Testvik", recovery=recovery.recipient, card=nora)
    store = Store.open(root / "store", identity=root / "nora.key")
    opened: Log = store.open_log(
        child_name="Åse Ødegård", born="2016-04-12", school="Bjørkly skole", grade=4
    )
    return opened


def _clean(text: str) -> bool:
    return bool(text.strip()) and text == text.strip()


words = st.text(
    alphabet=st.one_of(
        st.sampled_from("æøåÆØÅéü «»–\n\t\r\x85\u2028\u2029:#-'\"{}[]&*!|>%@`"),
        st.characters(codec="utf-8"),
    ),
    min_size=1,
    max_size=400,
)
long_words = st.text(alphabet=st.characters(codec="utf-8"), min_size=2000, max_size=6000)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    title=words.filter(_clean).filter(lambda t: len(t) <= 500 and "\n" not in t),
    goal=st.one_of(words, long_words).filter(_clean),
    description=st.one_of(st.none(), words.filter(_clean)),
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)),
    days=st.integers(min_value=0, max_value=800),
)
def test_measure_round_trip(
    log: Log, title: str, goal: str, description: str | None, start: date, days: int
) -> None:
    written = log.add_measure(
        title=title,
        goal=goal,
        description=description,
        responsible="nora",
        start=start,
        evaluate_by=start + timedelta(days=days),
    )
    fresh = Store.open(log.store.root, identity=Path(log.store.root.parent / "nora.key"))
    read = fresh.log(log.id).document("measure", written.id)
    assert isinstance(read, Measure)
    assert read == written
    assert read.title == title and read.goal == goal
