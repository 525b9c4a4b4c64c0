"""git against remotes: fetch, push and ls-remote, and where a log's remote is.

Every other git call runs with programs and protocols switched off (history's
safe options). These calls must reach a remote, so they run with the user's own
ssh command and credential helpers, from the user's own git config, never from
the log's (a log whose .git/config holds anything stafett did not write is
refused before any of this runs), and only over file, git, ssh and http(s):
`ext::` and other remote helpers would run a program a URL names.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

from stafett import history
from stafett.errors import InvalidDocument, StafettError, UsageError
from stafett.layout import foreign_values
from stafett.rights import shown_path

REMOTE = "origin"
TRACKING = f"refs/remotes/{REMOTE}/{history.BRANCH}"
PROTOCOLS = ("file", "git", "ssh", "http", "https")
MAX_URL = 2000
_KEPT = ("core.sshCommand", "credential.helper", "core.askPass", "protocol.allow")
_SCP = re.compile(r"^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^:]")
# What git says on stderr -> the plain sentence shown. Nothing else of it is shown.
_REASONS = (
    ("could not resolve host", "remote_no_host"),
    ("could not resolve hostname", "remote_no_host"),
    ("name or service not known", "remote_no_host"),
    ("connection refused", "remote_connection_refused"),
    ("connection timed out", "remote_timeout"),
    ("timed out", "remote_timeout"),
    ("permission denied", "remote_denied"),
    ("authentication failed", "remote_denied"),
    ("could not read username", "remote_denied"),
    ("host key verification failed", "remote_host_key"),
    ("does not appear to be a git repository", "remote_missing"),
    ("not found", "remote_missing"),
    ("no such file or directory", "remote_missing"),
    ("non-fast-forward", "remote_moved"),
    ("fetch first", "remote_moved"),
    ("rejected", "remote_rejected"),
)


@dataclass(frozen=True)
class Remote:
    """Where a log syncs: the URL as the user gave it, and, for a folder, its path."""

    url: str
    folder: Path | None = None


def parse_url(text: str, base: Path | None = None) -> Remote:
    """A remote the user typed: a folder path, file://, ssh://, git://, http(s)://,
    or user@host:path. Anything else (ext::, fd::, a helper) is refused."""
    url = text.strip()
    if not url or len(url) > MAX_URL or any(ord(c) < 32 for c in url) or url.startswith("-"):
        raise UsageError("remote_bad_url")
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme == "file":
        return Remote(url, Path(url2pathname(urlparse(url).path)))
    if scheme in PROTOCOLS:
        return Remote(url)
    if "::" in url or scheme:
        raise UsageError("remote_bad_url")
    if _SCP.match(url) and not Path(url).is_absolute():
        return Remote(url)
    path = Path(url).expanduser()
    if not path.is_absolute():
        path = (base or Path.cwd()) / path
    return Remote(str(path.resolve()), path.resolve())


def get_url(repo: Path) -> str | None:
    """The log's remote URL, from its own git config (read, never acted on)."""
    found = [value for name, value in history.local_config(repo) if name == f"remote.{REMOTE}.url"]
    return found[-1].strip() or None if found else None


def set_url(repo: Path, remote: Remote) -> None:
    history.git(repo, "config", f"remote.{REMOTE}.url", remote.url)
    history.git(repo, "config", f"remote.{REMOTE}.fetch", f"+refs/heads/*:refs/remotes/{REMOTE}/*")
    history.forget_settings(repo)


def create_bare(remote: Remote) -> bool:
    """A bare repository in a folder remote, when there is none yet: made without
    hooks, and refusing a push that rewrites or deletes the branch."""
    folder = remote.folder
    if folder is None or (folder / "HEAD").exists():
        return False
    if folder.exists() and any(folder.iterdir()):
        raise UsageError("remote_not_empty", folder=shown_path(folder.name))
    folder.mkdir(parents=True, exist_ok=True)
    history.git(folder, "init", "-q", "--bare", "-b", history.BRANCH, "--template=")
    for key in ("receive.denyNonFastForwards", "receive.denyDeletes"):
        history.git(folder, "config", key, "true")
    return True


class RemoteError(StafettError):
    """A remote that could not be reached, or that refused: the reason in one sentence."""


def remote_head(repo: Path, remote: Remote) -> str | None:
    """The remote's branch head, None when the remote has no commits yet."""
    out = run(
        repo, "ls-remote", *_programs(remote, "upload-pack"), "--heads", "--", remote.url,
        f"refs/heads/{history.BRANCH}",
    )  # fmt: skip
    sha = out.split("\t", 1)[0].strip()
    return sha if re.fullmatch("[0-9a-f]{40}", sha) else None


def fetch(repo: Path, remote: Remote) -> None:
    run(
        repo, "fetch", *_programs(remote, "upload-pack"), "--quiet", "--no-tags",
        "--no-recurse-submodules", "--no-write-fetch-head", "--", remote.url,
        f"+refs/heads/{history.BRANCH}:{TRACKING}",
    )  # fmt: skip


def push(repo: Path, remote: Remote, sha: str) -> None:
    run(
        repo, "push", *_programs(remote, "receive-pack"), "--quiet", "--no-verify", "--",
        remote.url, f"{sha}:refs/heads/{history.BRANCH}",
    )  # fmt: skip


def _programs(remote: Remote, program: str) -> list[str]:
    """For a folder, git runs the other end on this laptop, in a repository anyone
    with the shared folder can write: its hooks (and a hooks path in its config)
    must not run. The other end is named here, with hooks switched off."""
    if remote.folder is None and "://" in remote.url:
        return []
    exe, _ = history.runtime()
    command = " ".join(
        shlex.quote(part) for part in (exe, "-c", f"core.hooksPath={os.devnull}", program)
    )
    return [f"--{program}={command}"]


def run(repo: Path, *args: str) -> str:
    """One network git command; its failure is one plain sentence (RemoteError)."""
    exe, env = history.runtime()
    env.setdefault("GIT_TERMINAL_PROMPT", "0")
    history.check_config(repo)
    try:
        result = subprocess.run(
            [exe, "--no-pager", *_options(), *args],
            cwd=repo,
            env=env,
            capture_output=True,
            check=False,
            timeout=history.deadline() * 10,
        )
    except subprocess.TimeoutExpired:
        raise RemoteError("remote_timeout") from None
    if result.returncode != 0:
        raise RemoteError(reason(result.stderr.decode("utf-8", "replace")))
    return result.stdout.decode("utf-8", "replace")


def reason(stderr: str) -> str:
    said = stderr.lower()
    return next((key for found, key in _REASONS if found in said), "remote_failed")


def _options() -> list[str]:
    kept = [s for s in history.SAFE_SETTINGS if not s.startswith(_KEPT)]
    kept += ["protocol.allow=never", "protocol.ext.allow=never"]
    kept += [f"protocol.{name}.allow=always" for name in PROTOCOLS]
    kept += ["transfer.fsckObjects=true", "fetch.fsckObjects=true", "receive.fsckObjects=true"]
    kept += [f"core.sshCommand={_user_setting('core.sshCommand') or 'ssh'}"]
    kept += ["credential.helper=", *(f"credential.helper={h}" for h in _helpers())]
    return [part for setting in kept for part in ("-c", setting)]


@lru_cache(maxsize=8)
def _user_values(name: str, scope: str) -> tuple[str, ...]:
    exe, env = history.runtime()
    result = subprocess.run(
        [exe, "config", f"--{scope}", "--get-all", name],
        env=env,
        capture_output=True,
        check=False,
        cwd=Path.home() if Path.home().is_dir() else None,
        timeout=history.deadline(),
    )
    return tuple(v for v in result.stdout.decode("utf-8", "replace").splitlines() if v)


def _user_setting(name: str) -> str:
    found = _user_values(name, "global") or _user_values(name, "system")
    return found[-1] if found else ""


def _helpers() -> tuple[str, ...]:
    return _user_values("credential.helper", "system") + _user_values("credential.helper", "global")


def check_log_config(repo: Path) -> None:
    """Refuse to reach a remote from a log whose git config has settings stafett
    did not write: they could name a program or another remote."""
    odd = history.unexpected_settings(repo) + foreign_values(repo)
    if odd:
        raise InvalidDocument("unexpected_git_setting", file=repo.name, setting=odd[0])
