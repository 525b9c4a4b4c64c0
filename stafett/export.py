"""Exporting a handover in any format, and recording it in the source log.

This is the one core module that renders: an HTML export is the handover report
itself, so it calls render/ for it. Nothing below imports this module.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from stafett import transaction
from stafett.bundle import export_bundle
from stafett.disclosure import handover_for
from stafett.documents import Disclosure
from stafett.errors import UsageError
from stafett.export_formats import export_document
from stafett.fsutil import write_atomic
from stafett.render.handover import handover_text

if TYPE_CHECKING:
    from stafett.log import Log

FORMATS = ("bundle", "json", "html")


def export(
    log: Log,
    *,
    to: str,
    output: Path,
    handover: str | None = None,
    fmt: str = "bundle",
    other_receiver: bool = False,
) -> Disclosure:
    """Write the export for `to` to `output`, and remember it in the source log.

    Only to the handover's receiver, unless `other_receiver` says another is meant:
    nothing is written before that is settled."""
    if fmt not in FORMATS:
        raise UsageError("bad_format", allowed=", ".join(FORMATS))
    ref = handover_for(log, to, handover, other_receiver=other_receiver).id
    if fmt == "bundle":
        exported = export_bundle(log, to, ref)
    else:
        exported = export_document(log, to, ref, fmt, lambda pack: handover_text(pack, "html"))
    write_atomic(output, exported.data)
    with transaction.begin(log, "export") as change:
        record = replace(exported.record, **change.header(None))
        change.add(record)
    return record
