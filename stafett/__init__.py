"""stafett: git for a stafettlogg.

The Python API is the same core the CLI uses::

    from stafett import Store
    store = Store.open("~/stafett", identity="~/.config/stafett/identity.age")
    for log in store.logs():
        print(log.child.name, [m.title for m in log.measures(status="active")])
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~10 ms per command

__version__ = "0.1.0"

# Public name -> module. Loaded on first use, so a command pays only for what it uses.
_EXPORTS = {
    "Identity": "crypto",
    "Child": "documents",
    "Concern": "documents",
    "Consent": "documents",
    "Document": "documents",
    "Evaluation": "documents",
    "Handover": "documents",
    "LevelChange": "documents",
    "LogProfile": "documents",
    "Measure": "documents",
    "Meeting": "documents",
    "Member": "documents",
    "MemberList": "documents",
    "Note": "documents",
    "Voice": "documents",
    "Conflict": "errors",
    "ExitCode": "errors",
    "InvalidDocument": "errors",
    "NoAccess": "errors",
    "NotFound": "errors",
    "StafettError": "errors",
    "UsageError": "errors",
    "load_identity": "keys",
    "new_key": "keys",
    "Log": "log",
    "Report": "reports",
    "run_report": "reports",
    "Logs": "store",
    "Card": "people",
    "Store": "store",
    "VerifyReport": "verify",
    "verify_log": "verify",
    "HistoryEntry": "views",
    "LogSummary": "views",
    "MeasureView": "views",
    "log_history": "views",
    "summarize": "views",
    "Synced": "sync",
    "Status": "sync",
    "FieldConflict": "conflicts",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'stafett' has no attribute {name!r}")
    return getattr(importlib.import_module(f"stafett.{module}"), name)


if TYPE_CHECKING:
    from stafett.conflicts import FieldConflict as FieldConflict
    from stafett.crypto import Identity as Identity
    from stafett.documents import Child as Child
    from stafett.documents import Concern as Concern
    from stafett.documents import Consent as Consent
    from stafett.documents import Document as Document
    from stafett.documents import Evaluation as Evaluation
    from stafett.documents import Handover as Handover
    from stafett.documents import LevelChange as LevelChange
    from stafett.documents import LogProfile as LogProfile
    from stafett.documents import Measure as Measure
    from stafett.documents import Meeting as Meeting
    from stafett.documents import Member as Member
    from stafett.documents import MemberList as MemberList
    from stafett.documents import Note as Note
    from stafett.documents import Voice as Voice
    from stafett.errors import Conflict as Conflict
    from stafett.errors import ExitCode as ExitCode
    from stafett.errors import InvalidDocument as InvalidDocument
    from stafett.errors import NoAccess as NoAccess
    from stafett.errors import NotFound as NotFound
    from stafett.errors import StafettError as StafettError
    from stafett.errors import UsageError as UsageError
    from stafett.keys import load_identity as load_identity
    from stafett.keys import new_key as new_key
    from stafett.log import Log as Log
    from stafett.people import Card as Card
    from stafett.reports import Report as Report
    from stafett.reports import run_report as run_report
    from stafett.store import Logs as Logs
    from stafett.store import Store as Store
    from stafett.sync import Status as Status
    from stafett.sync import Synced as Synced
    from stafett.verify import VerifyReport as VerifyReport
    from stafett.verify import verify_log as verify_log
    from stafett.views import HistoryEntry as HistoryEntry
    from stafett.views import LogSummary as LogSummary
    from stafett.views import MeasureView as MeasureView
    from stafett.views import log_history as log_history
    from stafett.views import summarize as summarize
