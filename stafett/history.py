"""Git, through the git CLI: every git command stafett runs, but for the long-lived
readers of committed files in `snapshot` and the reading of history in `commits`.

GitPython is not used: its import alone costs ~125 ms per command, and 3.2's
`index.add` spawns one process per file. One `git add` plus one `git commit`
measured 10-40 ms.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import shutil
import stat
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from datetime import datetime, timedelta
from pathlib import Path

from stafett.errors import Conflict, InvalidDocument, NotFound, StafettError
from stafett.fsutil import read_regular, write_atomic

BRANCH = "main"
REPOSITORY_VARIABLES = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
)
ON_HEAD = "HEAD"  # a commit's parent: whatever HEAD is when it is made
EMAIL_DOMAIN = "stafett.invalid"
# A log's own .git/config is as untrusted as the rest of its folder (a shared drive,
# a copy from someone else): every setting with which git would run a program is
# overridden on every call, and filter drivers are emptied by name.
SAFE_SETTINGS = (
    "commit.gpgsign=false",
    f"core.hooksPath={os.devnull}",
    "core.fsmonitor=false",
    "core.pager=cat",
    "core.editor=",
    "core.askPass=",
    "core.sshCommand=",
    "core.gitProxy=",
    "credential.helper=",
    "diff.external=",
    "gpg.program=",
    "core.autocrlf=false",
    "core.quotepath=false",
    "init.defaultBranch=main",
    "core.useReplaceRefs=false",
    "protocol.allow=never",
)
SAFE_OPTIONS = tuple(part for setting in SAFE_SETTINGS for part in ("-c", setting))
DRIVER_PROGRAMS = ("clean", "smudge", "process")
# What stafett itself writes into a log's .git/config, and what git writes there.
EXPECTED_SETTINGS = frozenset(
    {
        "core.repositoryformatversion",
        "core.filemode",
        "core.bare",
        "core.logallrefupdates",
        "core.ignorecase",
        "core.precomposeunicode",
        "core.symlinks",
        "diff.stafett.textconv",
        "diff.stafett.binary",
        "merge.stafett.name",
        "merge.stafett.driver",
        "remote.origin.url",
        "remote.origin.fetch",
    }
)


# The environment git runs in: the command's own (an agent serves many clients),
# else this process's.
_ENVIRON: ContextVar[Mapping[str, str] | None] = ContextVar("git_environ", default=None)
# A log's git settings read once per command, not once per git call.
_SETTINGS: ContextVar[dict[Path, list[tuple[str, str]]] | None] = ContextVar(
    "git_settings", default=None
)


@contextlib.contextmanager
def environment(environ: Mapping[str, str]) -> Iterator[None]:
    """Run git with `environ` inside this block (a command's environment)."""
    token, settings = _ENVIRON.set(environ), _SETTINGS.set({})
    try:
        yield
    finally:
        _ENVIRON.reset(token)
        _SETTINGS.reset(settings)


@contextlib.contextmanager
def settings_read_once() -> Iterator[None]:
    """Read each log's git settings once inside this block (as a command does),
    also where the caller is a script, not the CLI."""
    if _SETTINGS.get() is not None:
        yield
        return
    token = _SETTINGS.set({})
    try:
        yield
    finally:
        _SETTINGS.reset(token)


def runtime() -> tuple[str, dict[str, str]]:
    """The git program and the environment it runs in."""
    environ = _ENVIRON.get()
    env = dict(os.environ if environ is None else environ)
    # Replace refs and grafts would let anyone who can write .git show other objects
    # than those committed and signed.
    env.update(GIT_NO_REPLACE_OBJECTS="1", GIT_GRAFT_FILE=os.devnull, GIT_NO_LAZY_FETCH="1")
    for name in REPOSITORY_VARIABLES:  # the log is the folder git runs in, nothing else
        env.pop(name, None)
    exe = shutil.which("git", path=env.get("PATH"))
    if exe is None:
        raise StafettError("git_missing")
    return exe, env


def git(repo: Path, *args: str, author: str | None = None, input: bytes | None = None) -> str:
    return git_bytes(repo, *args, author=author, input=input).decode("utf-8", "replace")


def git_bytes(
    repo: Path,
    *args: str,
    author: str | None = None,
    input: bytes | None = None,
    index: Path | None = None,
) -> bytes:
    """Run git in `repo`; a failure is one plain error without git's own output."""
    exe, env = runtime()
    if index is not None:
        env["GIT_INDEX_FILE"] = str(index)
    if author is not None:
        email = f"{author}@{EMAIL_DOMAIN}"
        env.update(
            GIT_AUTHOR_NAME=author,
            GIT_AUTHOR_EMAIL=email,
            GIT_COMMITTER_NAME=author,
            GIT_COMMITTER_EMAIL=email,
        )
    overrides = _overrides(repo) if (repo / ".git").is_dir() else ()
    try:
        result = subprocess.run(
            [exe, "--no-pager", *SAFE_OPTIONS, *_options(overrides), *args],
            cwd=repo,
            env=env,
            input=input,
            capture_output=True,
            check=False,
            timeout=deadline() * 10,
        )
    except subprocess.TimeoutExpired:
        raise InvalidDocument("git_stalled", file=repo.name, seconds=int(deadline() * 10)) from None
    if result.returncode != 0:
        raise StafettError("git_failed", command=args[0])
    return result.stdout


# Sections stafett never writes in a log and git reads past any -c override:
# repository extensions (a promisor remote that fetches, a per-worktree config with
# its own filters) and includes of other files.
REFUSED_SECTIONS = re.compile(rb"^\s*\[\s*(extensions|include|includeif)\b", re.I | re.M)


def check_config(repo: Path) -> None:
    """Refuse a log whose git config git would act on before stafett's overrides
    (read in Python: running git to read it would already act on it)."""
    git_dir = repo / ".git"
    if not (git_dir / "config").exists():
        return
    if (git_dir / "config.worktree").exists():
        raise InvalidDocument("unexpected_git_setting", file=repo.name, setting="config.worktree")
    found = REFUSED_SECTIONS.search(read_regular(git_dir / "config", "config", 1 << 20))
    if found:
        section = found.group(1).decode("ascii").lower()
        raise InvalidDocument("unexpected_git_setting", file=repo.name, setting=f"{section}.*")


def local_settings(repo: Path) -> list[str]:
    """The names set in a log's own git config, with what it includes; reading them
    runs nothing. Read once per command (see `environment`)."""
    return [name for name, _ in local_config(repo)]


def local_config(repo: Path) -> list[tuple[str, str]]:
    """Each setting of a log's own git config, name (as git prints it) and value."""
    cache = _SETTINGS.get()
    if cache is not None and repo in cache:
        return cache[repo]
    exe, env = runtime()
    try:
        result = subprocess.run(
            [exe, "config", "--local", "--includes", "--list", "-z"],
            cwd=repo,
            env=env,
            capture_output=True,
            check=False,
            timeout=deadline(),
        )
    except subprocess.TimeoutExpired:
        raise InvalidDocument("git_stalled", file=repo.name, seconds=int(deadline())) from None
    out = result.stdout.decode("utf-8", "replace") if result.returncode == 0 else ""
    found = []
    for record in filter(None, out.split("\0")):
        name, _, value = record.partition("\n")
        found.append((name, value))
    if cache is not None:
        cache[repo] = found
    return found


def forget_settings(repo: Path) -> None:
    """After stafett changed a log's git config itself."""
    cache = _SETTINGS.get()
    if cache is not None:
        cache.pop(repo, None)


def unexpected_settings(repo: Path) -> list[str]:
    """Settings in a log's .git/config that stafett did not write, shown by their
    section and key only (a name in between is anybody's text)."""
    names = [name.lower() for name in local_settings(repo)]
    return sorted({_shape(name) for name in names if name not in EXPECTED_SETTINGS})


def _overrides(repo: Path) -> tuple[str, ...]:
    check_config(repo)
    drivers = {
        name[len("filter.") : name.rindex(".")]
        for name in local_settings(repo)
        if name.startswith("filter.") and name.count(".") >= 2
    }
    if any("=" in d for d in drivers):
        raise InvalidDocument("unexpected_git_setting", file=repo.name, setting="filter.*")
    return tuple(f"filter.{d}.{key}=" for d in sorted(drivers) for key in DRIVER_PROGRAMS)


def _shape(name: str) -> str:
    section, _, rest = name.partition(".")
    key = rest.rpartition(".")[2]
    middle = ".*" if rest.count(".") else ""
    return "".join(c for c in f"{section}{middle}.{key}" if c.isalnum() or c in ".*-")


def _options(settings: Sequence[str]) -> list[str]:
    return [part for setting in settings for part in ("-c", setting)]


def init(repo: Path) -> None:
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q", "-b", BRANCH, "--template=")


def commit(
    repo: Path,
    paths: Sequence[str],
    message: str,
    author: str,
    sign: Callable[[bytes], str],
    when: datetime,
    parent: str | None = ON_HEAD,
    merged: str | None = None,
) -> str:
    """Commit `paths` on `parent` (HEAD by default), signed by `sign` (SSHSIG, as
    git's gpg.format=ssh); a merge names the other side's head in `merged`.

    The commit object is written by hand so that the signature comes from a key held
    in memory: `git commit -S` would want the key in a file or an ssh-agent. Its tree
    is built in an index of its own from the parent's tree, so nothing anyone else
    staged rides along; and the branch moves only if it still points at `parent`,
    so a commit slipped in meanwhile is never vouched for. Call it under the log's
    lock: the index and its lock file are then this write's alone.
    """
    base = head(repo) if parent == ON_HEAD else parent
    if base is None:  # a new log, still in its builder's hidden folder: no one else's index
        git(repo, "add", "-A", "--", *paths)
        return commit_tree(repo, git(repo, "write-tree").strip(), message, author, sign, when, None)
    index = repo / ".git" / "stafett.index"
    for leftover in (index, index.with_name(f"{index.name}.lock")):
        leftover.unlink(missing_ok=True)  # a killed write's: only stafett uses them
    try:
        git_bytes(repo, "read-tree", base, index=index)
        git_bytes(repo, "add", "-A", "--", *paths, index=index)
        tree = git_bytes(repo, "write-tree", index=index).decode("ascii").strip()
        return _commit_with_index(repo, index, tree, message, author, sign, when, (base, merged))
    finally:
        index.unlink(missing_ok=True)


def _commit_with_index(
    repo: Path,
    index: Path,
    tree: str,
    message: str,
    author: str,
    sign: Callable[[bytes], str],
    when: datetime,
    parents: tuple[str, str | None],
) -> str:
    """Commit, and make `index` the shared one as git writes it: through git's own
    lock, taken before anything is committed, so a git at work in the folder makes
    the write fail plainly instead of losing its index."""
    shared = repo / ".git" / "index.lock"
    _take(shared)
    try:
        sha = commit_tree(repo, tree, message, author, sign, when, parents[0], parents[1])
        os.replace(index, shared)
        os.replace(shared, repo / ".git" / "index")
    finally:
        shared.unlink(missing_ok=True)
    return sha


def _take(lock: Path) -> None:
    """Create git's lock file, or fail plainly if anyone holds it."""
    try:
        os.close(os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
    except OSError:
        raise StafettError("git_failed", command="add") from None


def commit_tree(
    repo: Path,
    tree: str,
    message: str,
    author: str,
    sign: Callable[[bytes], str],
    when: datetime,
    parent: str | None = ON_HEAD,
    merged: str | None = None,
) -> str:
    """A signed commit of `tree` on `parent` (HEAD by default; with `merged`, a
    merge of the two), and the branch moved to it if it still points at `parent`."""
    parent = head(repo) if parent == ON_HEAD else parent
    email = f"{author}@{EMAIL_DOMAIN}"
    stamp = _git_time(when)
    parents = [p for p in (parent, merged) if p]
    headers = f"tree {tree}\n" + "".join(f"parent {p}\n" for p in parents)
    headers += f"author {author} <{email}> {stamp}\ncommitter {author} <{email}> {stamp}\n"
    payload = f"{headers}\n{message}\n".encode()
    signature = sign(payload).replace("\n", "\n ")
    signed = f"{headers}gpgsig {signature}\n\n{message}\n".encode()
    sha = git(repo, "hash-object", "-t", "commit", "-w", "--stdin", input=signed).strip()
    try:
        git(repo, "update-ref", "-m", f"stafett: {message}", "HEAD", sha, parent or "0" * 40)
    except StafettError:
        raise Conflict("log_moved", file=repo.name) from None
    return sha


def _git_time(when: datetime) -> str:
    offset = when.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{int(when.timestamp())} {sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def head(repo: Path) -> str | None:
    try:
        return git(repo, "rev-parse", "--verify", "-q", "HEAD").strip() or None
    except StafettError:
        return None


def is_clean(repo: Path) -> bool:
    """No change and no file beside the committed ones, ignored ones included: an
    exclude file is anybody's to write, and would hide a link put in the folder."""
    out = git(repo, "status", "--porcelain", "--untracked-files=all", "--ignored=matching")
    return out.strip() == ""


HEAD_REF = f"ref: refs/heads/{BRANCH}"


def head_ref(repo: Path) -> str | None:
    """What .git/HEAD says, None if it cannot be read. stafett only ever writes
    `ref: refs/heads/main`: HEAD set to an old commit would show a member list the
    coordinator has since changed."""
    try:
        return read_regular(repo / ".git" / "HEAD", "HEAD", 4096).decode("ascii").strip()
    except NotFound:
        return None
    except (StafettError, UnicodeDecodeError):
        return ""  # a link, a FIFO, too long, not text: not what stafett wrote


def odd_state(repo: Path) -> list[str]:
    """What in a log's .git makes git show other objects or history than those
    committed, or moves HEAD off its branch: stafett never makes any of it."""
    git_dir = repo / ".git"
    found = [name for name in ("info/grafts", "shallow") if (git_dir / name).exists()]
    packed = git_dir / "packed-refs"
    replaced = (git_dir / "refs" / "replace").is_dir() and any(
        (git_dir / "refs" / "replace").iterdir()
    )
    if replaced or (packed.is_file() and b"refs/replace/" in packed.read_bytes()):
        found.append("refs/replace")
    if head_ref(repo) != HEAD_REF:
        found.append("HEAD")
    return found


GIT_LOCKS = ("index.lock", "HEAD.lock", f"refs/heads/{BRANCH}.lock")
STALE_LOCK_SECONDS = 2.0


def drop_stale_locks(repo: Path) -> None:
    """Call only under stafett's own lock of the log: git's lock files are then
    left by a stafett killed mid-write, and would block every later write. A git
    it started may outlive it by a moment, so a fresh lock is given that moment."""
    git_dir = repo / ".git"
    if any(p.is_symlink() for p in (git_dir, git_dir / "refs", git_dir / "refs" / "heads")):
        return  # a lock elsewhere is not this log's to remove
    for name in GIT_LOCKS:
        lock = git_dir / name
        try:
            info = lock.lstat()
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            continue
        age = time.time() - info.st_mtime
        time.sleep(min(STALE_LOCK_SECONDS, max(0.0, STALE_LOCK_SECONDS - age)))
        with contextlib.suppress(OSError):
            lock.unlink()


def rollback(repo: Path, own: Callable[[str], bool]) -> None:
    """Put the work tree back to HEAD: undoes a write that did not reach its commit.

    Untracked files that an unfinished stafett write left (`own`) go; any other
    file is someone's (a sync tool's conflict copy, a user's own file) and is never
    deleted: the write is refused, naming it."""
    strays = [p for p in git(repo, "ls-files", "--others", "-z").split("\0") if p]
    foreign = sorted(p for p in strays if not own(p))
    if foreign:
        shown = "".join(c if c.isprintable() else "?" for c in foreign[0][:120])
        raise Conflict("stray_file", file=shown, count=len(foreign))
    try:
        git(repo, "reset", "-q", "--hard", "HEAD")
    except StafettError:  # a tree git will not check out (`..`, a name it refuses)
        raise InvalidDocument("git_broken", file=repo.name) from None
    # A file the reset brought back is HEAD's (a write killed after its commit,
    # before the shared index followed): only what is still untracked goes.
    left = {p for p in git(repo, "ls-files", "--others", "-z").split("\0") if p}
    for rel in strays:
        if rel in left:
            (repo / rel).unlink(missing_ok=True)


def restore(repo: Path, paths: Sequence[str]) -> None:
    """Undo a failed write file by file; reads HEAD's objects, so a locked index is no bar."""
    for rel in paths:
        try:
            old = git_bytes(repo, "cat-file", "blob", f"HEAD:{rel}")
        except StafettError:
            (repo / rel).unlink(missing_ok=True)
            continue
        write_atomic(repo / rel, old)
    with contextlib.suppress(StafettError):
        git(repo, "reset", "-q")


def fsck(repo: Path) -> None:
    try:
        git(repo, "fsck", "--full", "--strict", "--no-dangling")
    except StafettError:
        raise InvalidDocument("git_broken", file=repo.name) from None


GIT_SECONDS = 60.0


def deadline() -> float:
    """Seconds a git process may take to answer; STAFETT_GIT_SECONDS changes it."""
    environ = _ENVIRON.get()
    text = (os.environ if environ is None else environ).get("STAFETT_GIT_SECONDS", "")
    try:
        seconds = float(text) if text else GIT_SECONDS
    except ValueError:
        return GIT_SECONDS
    return min(max(1.0, seconds), 3600.0) if math.isfinite(seconds) else GIT_SECONDS
