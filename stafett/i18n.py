"""User-facing text in bokmål (default) and English, looked up by key.

The catalogue is kept in messages_errors, messages_rights, messages_ui and
messages_values.
Messages name fields, files, ids and handles, never case content.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from stafett.messages_errors import ERRORS, NOTICES
from stafett.messages_rights import RIGHTS
from stafett.messages_sync import SYNC
from stafett.messages_ui import UI
from stafett.messages_values import VALUES

DEFAULT_LANGUAGE = "nb"
LANGUAGES = ("nb", "en")

MESSAGES: dict[str, tuple[str, str]] = {**ERRORS, **RIGHTS, **SYNC, **NOTICES, **UI, **VALUES}


def text(key: str, lang: str = DEFAULT_LANGUAGE, /, **params: Any) -> str:
    pair = MESSAGES.get(key)
    if pair is None:
        return key
    template = pair[1] if lang == "en" else pair[0]
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


def pick_language(explicit: str | None, env: Mapping[str, str] = os.environ) -> str:
    """--lang, then STAFETT_LANG, then LANG/LC_ALL; bokmål unless English is asked for."""
    for value in (explicit, env.get("STAFETT_LANG"), env.get("LC_ALL"), env.get("LANG")):
        if value:
            return "en" if value.lower().startswith("en") else "nb"
    return DEFAULT_LANGUAGE
