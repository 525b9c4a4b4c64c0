"""Reading a log as committed: the files of the commit HEAD points to, through one
`git cat-file --batch` process per log, with a deadline on every answer.

Kept beside history (which runs every other git command) because it is a
long-lived process with its own rules: at most a few per store, and a watchdog.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

from stafett.errors import InvalidDocument
from stafett.history import HEAD_REF, SAFE_OPTIONS, check_config, deadline, head_ref, runtime


class Snapshot:
    """The files of the commit HEAD points to, read through one `git cat-file --batch`.

    Reads never trust the work tree: a write killed before its commit, or a file
    someone put in the folder, is not what the members signed. One process per log
    costs a few milliseconds and serves every read of a command. cat-file applies no
    filters and runs no hooks, so the log's own settings need not be read first.
    """

    def __init__(self, repo: Path, limit: int, folders: frozenset[str]) -> None:
        self.repo, self.limit, self.folders = repo, limit, folders
        self._process: subprocess.Popen[bytes] | None = None
        self._root: dict[str, str] | None = None
        self._head: str | None = None
        self._trees: dict[str, str] = {}
        self._listed: dict[str, dict[str, str]] = {}
        self._cache: dict[str, bytes] = {}
        # Every document's ciphertext is unique: one blob named many times is a way
        # to make a small commit cost minutes to read.
        self._seen: set[str] = set()

    def files(self) -> dict[str, str]:
        """Each file of HEAD ('/'-separated path → blob id, empty for a link or a
        submodule, which are never read); a log without commits has none."""
        found = dict(self._top())
        for name in sorted(self._trees):
            found.update(self.folder(name))
        return found

    def folder(self, name: str) -> dict[str, str]:
        """The files of one kind's folder, listed only when asked for: a report that
        reads each log's profile never lists its notes."""
        if name not in self._listed:
            self._top()
            found: dict[str, str] = {}
            tree = self._object(self._trees[name], "tree") if name in self._trees else None
            if tree is not None:
                self._add(tree, f"{name}/", found)
            self._listed[name] = found
        return self._listed[name]

    def read(self, rel: str) -> bytes | None:
        sha = self._lookup(rel)
        if sha == "":
            raise InvalidDocument("unexpected_file", file=rel)
        if sha is None:
            return None
        cached = self._cache.pop(sha, None)
        found = cached if cached is not None else self._object(sha, "blob")
        if found is None:  # listed in the tree, but git has no such object
            raise InvalidDocument("corrupt_file", file=rel)
        return found

    def _lookup(self, rel: str) -> str | None:
        folder = rel.rpartition("/")[0]
        return (self.folder(folder) if folder else self._top()).get(rel)

    def head(self) -> str | None:
        """The commit every read of this snapshot comes from; None in a log without
        commits. Resolved once, so a commit made meanwhile is not half read."""
        self._top()
        return self._head

    def object(self, name: str, kind: str) -> bytes | None:
        """Any object by name (`<sha>`, `<commit>:<path>`), None if git has none of
        that kind: what history checks read besides HEAD's files."""
        return self._object(name, kind)

    def _top(self) -> dict[str, str]:
        if self._root is None:
            if head_ref(self.repo) not in (HEAD_REF, None):
                raise InvalidDocument("head_moved", file=self.repo.name)
            found: dict[str, str] = {}
            self._head = self._resolve("HEAD^{commit}")
            root = self._object(f"{self._head}^{{tree}}", "tree") if self._head else None
            if root is not None:
                self._add(root, "", found)
            self._root = found
        return self._root

    def _resolve(self, name: str) -> str | None:
        """The id git gives `name`, without reading the object: `--batch-check` would
        need a second process, so the object is read and dropped."""
        process = self._start()
        assert process.stdin is not None and process.stdout is not None
        with WATCHDOG.guard(process):
            try:
                process.stdin.write(name.encode("ascii") + b"\n")
                process.stdin.flush()
            except OSError:
                raise InvalidDocument("git_broken", file=self.repo.name) from None
            header = self._header(process)
            if len(header) != 3:
                return None
            _drain(process.stdout, int(header[2]) + 1, 0)
            return header[0] if re.fullmatch("[0-9a-f]{40}", header[0]) else None

    def prefetch(self, rels: Sequence[str]) -> None:
        """Ask for many files at once: a request and its answer per file cost a
        round trip each, which a log of hundreds of documents feels."""
        shas = [sha for sha in (self._lookup(rel) for rel in rels) if sha]
        for start in range(0, len(shas), PREFETCH):
            chunk = shas[start : start + PREFETCH]
            process = self._start()
            assert process.stdin is not None
            try:
                process.stdin.write("".join(f"{sha}\n" for sha in chunk).encode("ascii"))
                process.stdin.flush()
            except OSError:
                raise InvalidDocument("git_broken", file=self.repo.name) from None
            with WATCHDOG.guard(process):
                for sha in chunk:
                    try:
                        body = self._answer("blob")
                    except InvalidDocument as exc:
                        if exc.key != "document_too_large":
                            raise
                        continue  # read again, and refused, when asked for
                    if body is not None:
                        self._cache[sha] = body

    def close(self) -> None:
        """Stop the git process; the list of files stays, and a later read starts
        a new process on the same commit's objects."""
        self._cache.clear()
        if self._process is not None:
            _stop(self._process)
            self._process = None

    def _add(self, tree: bytes, prefix: str, found: dict[str, str]) -> None:
        """A log is files at its top and in one folder per kind, named by stafett
        alone: anything else (`..`, a control character, a deeper folder) is never
        read, so a crafted tree can neither reach outside the log's paths nor grow
        without bound."""
        for mode, name, sha in self._entries(tree):
            if not SAFE_NAME.fullmatch(name) or name in (".", ".."):
                continue
            if len(found) >= MAX_ENTRIES:
                raise InvalidDocument("log_too_many_files", file=self.repo.name)
            if mode == b"40000":
                if not prefix and name in self.folders:
                    self._trees[name] = sha
            elif mode not in (b"100644", b"100755") or sha in self._seen:
                found[prefix + name] = ""  # a link, a submodule, or a blob used twice
            else:
                self._seen.add(sha)
                found[prefix + name] = sha

    def _entries(self, tree: bytes) -> Iterator[tuple[bytes, str, str]]:
        pos = 0
        try:
            while pos < len(tree):
                space, nul = tree.index(b" ", pos), tree.index(b"\0", pos)
                mode, raw_name = tree[pos:space], tree[space + 1 : nul]
                sha = tree[nul + 1 : nul + 21]
                pos = nul + 21
                if len(sha) != 20:
                    raise ValueError("short entry")
                with contextlib.suppress(UnicodeDecodeError):
                    yield mode, raw_name.decode("utf-8"), sha.hex()
        except ValueError:
            raise InvalidDocument("git_broken", file=self.repo.name) from None

    def _object(self, name: str, kind: str) -> bytes | None:
        """One object by name, None if there is none; bigger than the limit is refused
        after it has been read past, so the process stays in step."""
        process = self._start()
        assert process.stdin is not None
        with WATCHDOG.guard(process):
            try:
                process.stdin.write(name.encode("ascii") + b"\n")
                process.stdin.flush()
            except OSError:
                raise InvalidDocument("git_broken", file=self.repo.name) from None
            return self._answer(kind)

    def _answer(self, kind: str) -> bytes | None:
        process = self._start()
        assert process.stdout is not None
        header = self._header(process)
        if len(header) != 3:
            return None
        size = int(header[2])
        body = _drain(process.stdout, size + 1, self.limit + 1)
        if header[1] != kind:
            return None
        if size > self.limit:
            raise InvalidDocument("document_too_large", file=header[0])
        return body[:size]

    def _header(self, process: subprocess.Popen[bytes]) -> list[str]:
        assert process.stdout is not None
        try:
            header = process.stdout.readline().decode("ascii", "replace").split()
        except OSError:
            raise InvalidDocument("git_broken", file=self.repo.name) from None
        if not header:  # git closed its output: it is gone, stopped or failed
            process.wait()
            key = "git_stalled" if WATCHDOG.stopped(process) else "git_broken"
            raise InvalidDocument(key, file=self.repo.name, seconds=int(deadline()))
        return header

    def _start(self) -> subprocess.Popen[bytes]:
        if self._process is None:
            check_config(self.repo)
            exe, env = runtime()
            self._process = subprocess.Popen(
                [exe, "--no-pager", *SAFE_OPTIONS, "cat-file", "--batch"],
                cwd=self.repo,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
            weakref.finalize(self, _stop, self._process)
        return self._process


class Readers:
    """At most `limit` git processes at once for one store: a caller may hold a
    thousand logs (`list(store.logs())`), and each would otherwise keep a process and
    its pipes open. The least recently read one is stopped; it starts again if read."""

    def __init__(self, limit: int = 8) -> None:
        self.limit = limit
        self._open: OrderedDict[int, weakref.ref[Snapshot]] = OrderedDict()

    def touch(self, snapshot: Snapshot) -> None:
        key = id(snapshot)
        self._open[key] = weakref.ref(snapshot)
        self._open.move_to_end(key)
        while len(self._open) > self.limit:
            _, ref = self._open.popitem(last=False)
            oldest = ref()
            if oldest is not None:
                oldest.close()


class Watchdog:
    """Stops a git process that has not answered within the deadline. Anything in
    .git can block git for ever (a FIFO where an object belongs); a command, and
    the agent that runs it for every later command, must not wait for ever. One
    thread serves the whole process; a read only notes when it began."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """A forked report worker has no thread of its parent's and may hold a copy
        of its lock: it starts afresh."""
        self._busy: dict[int, tuple[float, float, subprocess.Popen[bytes]]] = {}
        self._stopped: set[int] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @contextlib.contextmanager
    def guard(self, process: subprocess.Popen[bytes]) -> Iterator[None]:
        with self._lock:
            self._busy[id(process)] = (time.monotonic(), deadline(), process)
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, daemon=True)
                self._thread.start()
        try:
            yield
        finally:
            with self._lock:
                self._busy.pop(id(process), None)

    def stopped(self, process: subprocess.Popen[bytes]) -> bool:
        with self._lock:
            found = id(process) in self._stopped
            self._stopped.discard(id(process))
            return found

    def _watch(self) -> None:
        while True:
            time.sleep(0.5)
            now = time.monotonic()
            with self._lock:
                late = [p for begun, limit, p in self._busy.values() if now - begun > limit]
                self._stopped.update(id(p) for p in late)
            for process in late:
                with contextlib.suppress(OSError):
                    process.kill()


WATCHDOG = Watchdog()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=WATCHDOG.reset)
MAX_ENTRIES = 100_000
SAFE_NAME = re.compile(r"[A-Za-z0-9._-]+")
PREFETCH = 64


def _drain(stream: IO[bytes], size: int, keep: int) -> bytes:
    """Read `size` bytes, keeping at most `keep` of them."""
    kept = stream.read(min(size, keep))
    left = size - len(kept)
    while left > 0:
        chunk = stream.read(min(left, 1 << 20))
        if not chunk:
            break
        left -= len(chunk)
    return kept


def _stop(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(OSError):
        if process.stdin is not None:
            process.stdin.close()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if process.stdout is not None:
        process.stdout.close()
