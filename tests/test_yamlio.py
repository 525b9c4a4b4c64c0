"""YAML from anyone: an alias bomb or a deep nesting is refused before it is built;
what earlier stafett versions wrote (a repeated date as an anchored scalar) reads."""

from __future__ import annotations

from datetime import date

import pytest

from stafett import yamlio
from stafett.errors import InvalidDocument


def test_an_anchored_date_from_an_earlier_stafett_reads() -> None:
    data = yamlio.load("a:\n  since: &id001 2026-11-23\nb:\n  since: *id001\n", name="m")
    assert data["b"]["since"] == date(2026, 11, 23)


def test_a_repeated_date_is_written_again_not_as_an_alias() -> None:
    day = date(2026, 11, 23)
    text = yamlio.dump({"members": [{"since": day}, {"since": day}]})
    assert "&" not in text and "*" not in text


@pytest.mark.parametrize(
    "text,key",
    [
        ("a: &a [x, x]\nb: [*a, *a]\n", "yaml_alias"),
        ("a: &a {x: 1}\nb: *a\n", "yaml_alias"),
        ("a: " + "[" * 40 + "]" * 40 + "\n", "yaml_too_deep"),
        ("a: " + "{b: " * 40 + "1" + "}" * 40 + "\n", "yaml_too_deep"),
    ],
)
def test_hostile_shapes_are_refused(text: str, key: str) -> None:
    with pytest.raises(InvalidDocument) as caught:
        yamlio.load(text, name="x.yaml")
    assert caught.value.key == key
