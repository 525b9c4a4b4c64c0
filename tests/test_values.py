"""What people type: dates, choices and short references."""

from __future__ import annotations

from datetime import date

import pytest

from stafett import ids
from stafett.errors import Conflict, NotFound, UsageError
from stafett.values import handle_from_name, parse_choice, parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-09-22", date(2025, 9, 22)),
        ("22.09.2025", date(2025, 9, 22)),
        ("1.2.2026", date(2026, 2, 1)),
        (" 2024-02-29 ", date(2024, 2, 29)),
    ],
)
def test_dates_in_both_forms(text: str, expected: date) -> None:
    assert parse_date(text, "start") == expected


@pytest.mark.parametrize("text", ["31.02.2025", "2025-13-01", "22/09/2025", "i morgen", ""])
def test_bad_dates_name_the_field(text: str) -> None:
    with pytest.raises(UsageError) as exc:
        parse_date(text, "evaluate_by")
    assert "«evaluate_by»" in exc.value.message()


def test_choices_by_label_or_code_in_either_language() -> None:
    assert parse_choice("result", "Delvis oppnådd") == "partly"
    assert parse_choice("result", "partly achieved") == "partly"
    assert parse_choice("result", "not_achieved") == "not_achieved"
    assert parse_choice("next", "nytt tiltak") == "new"
    assert parse_choice("child_present", "hele møtet") == "whole"
    with pytest.raises(UsageError):
        parse_choice("result", "oppnådd så langt")


def test_short_references_resolve_like_git() -> None:
    known = ["abcd1234efgh5678jkmn", "abcd9999efgh5678jkmn", "zz001234efgh5678jkmn"]
    assert ids.resolve("zz00", known, "log") == known[2]
    assert ids.resolve("ABCD1", known, "log") == known[0]
    with pytest.raises(Conflict) as ambiguous:
        ids.resolve("abcd", known, "log")
    assert "2" in ambiguous.value.message()
    with pytest.raises(NotFound):
        ids.resolve("yyyy", known, "log")
    with pytest.raises(UsageError):
        ids.resolve("ab", known, "log")


def test_new_ids_are_random_and_well_formed() -> None:
    made = {ids.new_id() for _ in range(1000)}
    assert len(made) == 1000
    assert all(ids.is_id(i) for i in made)
    assert len({i[:4] for i in made}) > 900


def test_handles_from_names_keep_æøå() -> None:
    assert handle_from_name("Åse Ødegård") == "åse"
    assert handle_from_name("Per-Øyvind Lie") == "per-øyvind"
