"""What a log folder looks like: its plain files, its git settings, and how a
decrypted file becomes a document bound to the path it was found at."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

from stafett import yamlio
from stafett.documents import (
    DOCUMENT_CLASSES,
    ROOT_KINDS,
    SUFFIX,
    Document,
    document_path,
    from_data,
)
from stafett.errors import InvalidDocument, StafettError
from stafett.fsutil import read_regular
from stafett.ids import is_id
from stafett.schema import validate
from stafett.upgrade import upgrade

MARKER_FILE = "stafett.yaml"
# The only names a document can have; nothing else is ever read, so nothing else
# is kept in doubt (or written into the user's record of it).
DOCUMENT_PATH = re.compile(
    r"(log|members)\.yaml\.age|[a-z]{2,20}/[0-9a-hjkmnp-tv-z]{20}\.yaml\.age"
)
STAGING_PREFIX = ".new-"  # a log being built or cloned, in a hidden folder under logs/
ATTRIBUTES = "*.age binary diff=stafett\n"


def marker_text(log_id: str) -> str:
    return f"format_version: 1\nlog_id: {log_id}\n"


def is_own_file(rel: str) -> bool:
    """A file an unfinished stafett write may have left: a document at its place,
    or the temporary sibling it was written through."""
    folder, _, name = rel.rpartition("/")
    if name.startswith(".") and name.endswith(".tmp"):
        name = name[1:].rsplit(".", 2)[0]
    if not folder:
        return name in {document_path(kind, "x") for kind in ROOT_KINDS}
    doc_id = name.removesuffix(SUFFIX)
    return folder in DOCUMENT_CLASSES and name.endswith(SUFFIX) and is_id(doc_id)


def parse_document(plain: bytes, rel: str, log_id: str) -> Document:
    """A decrypted file as a typed document, bound to where it was found."""
    data = yamlio.load(plain, name=rel)
    kind = data.get("kind")
    if kind not in DOCUMENT_CLASSES:
        raise InvalidDocument("unknown_kind", file=rel)
    data = upgrade(data, rel)
    validate(str(kind), yamlio.jsonable(data), rel)
    try:
        doc = from_data(data)
    except InvalidDocument as exc:
        raise InvalidDocument(exc.key, **{**exc.params, "file": rel}) from None
    expected = log_id if kind in ROOT_KINDS else doc.id
    if document_path(doc.kind, expected) != rel or doc.id != expected:
        raise InvalidDocument("path_mismatch", file=rel)
    if doc.log not in (None, log_id):
        raise InvalidDocument("other_log", file=rel)
    return doc


def textconv_command() -> str:
    """`stafett textconv` when stafett is on PATH, so no user's folder (which may carry
    their name) is written into .git/config; else this Python, by absolute path."""
    return _command("textconv")


def _command(name: str) -> str:
    if shutil.which("stafett"):
        return f"stafett {name}"
    python = Path(sys.executable).as_posix()
    return f'"{python}" -m stafett {name}'


# Written to .git/info/attributes, which is not cloned: where stafett has not set up
# the driver, .gitattributes (`binary`) has git keep one side and flag a conflict.
DRIVER_ATTRIBUTES = "*.age merge=stafett\n"


def git_settings() -> dict[str, str]:
    """Per-log git settings; .git/config is not cloned, so set them on every init,
    clone, import and sync."""
    return {
        "diff.stafett.textconv": textconv_command(),
        "diff.stafett.binary": "true",
        "merge.stafett.name": "stafett",
        "merge.stafett.driver": f"{_command('merge-driver')} %O %A %B %P",
    }


def install_settings(repo: Path, replace: bool = True) -> None:
    """The log's git settings and the merge driver's attribute, where missing, and
    with `replace` where not as stafett writes them (`doctor --repair`)."""
    from stafett import history
    from stafett.fsutil import write_text_atomic

    have = dict(history.local_config(repo))
    for key, value in git_settings().items():
        if key not in have or (replace and have[key] != value):
            history.git(repo, "config", "--replace-all", key, value)
            history.forget_settings(repo)
    if not _attributes_set(repo):
        info = repo / ".git" / "info" / "attributes"
        info.parent.mkdir(exist_ok=True)
        write_text_atomic(info, DRIVER_ATTRIBUTES)


def missing_settings(repo: Path) -> list[str]:
    """What `install_settings` would add."""
    from stafett import history

    have = dict(history.local_config(repo))
    missing = [key for key in git_settings() if key not in have]
    return missing + ([] if _attributes_set(repo) else ["info/attributes"])


def foreign_values(repo: Path) -> list[str]:
    """stafett's own settings with a value it did not write: a program there would
    run at plain `git log -p` or `git pull`."""
    from stafett import history

    wanted = git_settings()
    return sorted(
        {key for key, value in history.local_config(repo) if key in wanted and wanted[key] != value}
    )


def _attributes_set(repo: Path) -> bool:
    info = repo / ".git" / "info" / "attributes"
    try:
        return read_regular(info, "attributes", 4096) == DRIVER_ATTRIBUTES.encode()
    except StafettError:
        return False
