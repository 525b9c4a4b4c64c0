"""A progress bar for long runs, on the error stream so output stays clean."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


class ProgressBar:
    """Shown only on a terminal and only once a run lasts `delay` seconds.

    Refreshed by hand (no refresh thread), since reports fork worker processes."""

    def __init__(self, stream: TextIO, *, shown: bool, title: str, delay: float) -> None:
        self._stream = stream
        self._shown = shown
        self._title = title
        self._delay = delay
        self._start = time.monotonic()
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            if not self._shown or time.monotonic() - self._start < self._delay:
                return
            from rich.console import Console
            from rich.progress import Progress

            console = Console(file=self._stream, force_terminal=True)
            self._bar = Progress(console=console, transient=True, auto_refresh=False)
            self._bar.start()
            self._task = self._bar.add_task(self._title, total=total)
        assert self._task is not None
        self._bar.update(self._task, completed=done)
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
