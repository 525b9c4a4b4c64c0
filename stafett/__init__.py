"""stafett: git for a stafettlogg.

The Python API is the same core the CLI uses::

    from stafett import Store
    store = Store.open("~/stafett", identity="~/.config/stafett/identity.age")
    for log in store.logs():
        print(log.child.name, [m.title for m in log.measures(status="active")])
"""

from stafett.crypto import Identity
from stafett.documents import (
    Child,
    Concern,
    Consent,
    Document,
    Evaluation,
    Handover,
    LevelChange,
    LogProfile,
    Measure,
    Meeting,
    Member,
    MemberList,
    Note,
    Voice,
)
from stafett.errors import (
    Conflict,
    ExitCode,
    InvalidDocument,
    NoAccess,
    NotFound,
    StafettError,
    UsageError,
)
from stafett.keys import load_identity, new_key
from stafett.log import Log
from stafett.people import Card
from stafett.store import Store
from stafett.verify import VerifyReport, verify_log
from stafett.views import HistoryEntry, LogSummary, log_history, summarize

__version__ = "0.1.0"
__all__ = [
    "Card",
    "Child",
    "Concern",
    "Conflict",
    "Consent",
    "Document",
    "Evaluation",
    "ExitCode",
    "Handover",
    "HistoryEntry",
    "Identity",
    "InvalidDocument",
    "LevelChange",
    "Log",
    "LogProfile",
    "LogSummary",
    "Measure",
    "Meeting",
    "Member",
    "MemberList",
    "NoAccess",
    "NotFound",
    "Note",
    "StafettError",
    "Store",
    "UsageError",
    "VerifyReport",
    "Voice",
    "load_identity",
    "log_history",
    "new_key",
    "summarize",
    "verify_log",
]
