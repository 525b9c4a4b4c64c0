"""A store's settings (store.yaml): the municipality's levels, the age rules, the
recovery key. A leaf module: the rules that read settings import them from here,
not from the store, so no rules module depends on the store."""

from __future__ import annotations

from dataclasses import dataclass

from stafett.documents import FORMAT_VERSION, Record
from stafett.errors import UsageError

STORE_FILE = "store.yaml"
DEFAULT_LEVELS = (
    (0, "Undring"),
    (1, "Tiltak i egen tjeneste"),
    (2, "Samarbeid med andre tjenester"),
    (3, "Koordinert innsats"),
)
STORE_LANGUAGES = ("nb", "en")


@dataclass(frozen=True, kw_only=True)
class Level(Record):
    level: int
    name: str


@dataclass(frozen=True, kw_only=True)
class AgeRules(Record):
    """Ages at which the child is heard, weighs heavily, consents alone, is adult."""

    heard: int = 7
    great_weight: int = 12
    own_consent: int = 15
    adult: int = 18


@dataclass(frozen=True, kw_only=True)
class StoreSettings(Record):
    """store.yaml: settings only, never anything about a child."""

    format_version: int = FORMAT_VERSION
    municipality: str
    language: str = "nb"
    recovery: str
    retention_years: int = 10
    remote: str | None = None  # PREFIX: each log syncs with PREFIX/<log-id>.git unless set
    levels: tuple[Level, ...] = tuple(Level(level=n, name=s) for n, s in DEFAULT_LEVELS)
    age_rules: AgeRules = AgeRules()

    def level_name(self, level: int) -> str:
        return next((lv.name for lv in self.levels if lv.level == level), str(level))

    def check_level(self, level: int) -> int:
        if level not in {lv.level for lv in self.levels}:
            raise UsageError("bad_level", allowed=", ".join(str(lv.level) for lv in self.levels))
        return level
