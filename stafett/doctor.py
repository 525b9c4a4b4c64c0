"""A log's own git setup, which git does not clone: textconv for `git log -p`, the
merge driver for plain `git pull`, and settings stafett never writes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from stafett import history, ids
from stafett.layout import foreign_values, install_settings, missing_settings

if TYPE_CHECKING:
    from stafett.log import Log


@dataclass(frozen=True)
class Examined:
    """What is missing or not as stafett writes it (put right, with `repaired`),
    and what is foreign: a setting someone else wrote is shown by name and left for
    the user to remove, since stafett refuses to sync such a log."""

    log_id: str
    missing: tuple[str, ...]
    foreign: tuple[str, ...]
    repaired: bool = False

    @property
    def ok(self) -> bool:
        return not self.missing and not self.foreign

    @property
    def short_id(self) -> str:
        return ids.short(self.log_id)


def examine(log: Log, repair: bool = False) -> Examined:
    history.check_config(log.path)
    missing = tuple(missing_settings(log.path))
    wrong = foreign_values(log.path)
    foreign = tuple(history.unexpected_settings(log.path))
    if repair and (missing or wrong):
        install_settings(log.path)
        return Examined(log.id, (*missing, *wrong), foreign, repaired=True)
    return Examined(log.id, (*missing, *wrong), foreign)
