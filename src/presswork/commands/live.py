"""What a command shows while it builds: a live line in a terminal, lines in a log.

In: the build's steps and counts (:class:`presswork.progress.Progress`), the lines the
command prints meanwhile (warnings), and how much the person asked to see
(:class:`Shown`). Out: on stderr,

- in a terminal, one live line, ``Laying out chapters ━━━━━━━  12/151 0:04``, the time
  counted from the start of the build, with every warning printed above it on a line of
  its own, never into it;
- with ``--verbose``, a line for each step with the time it began
  (``0:04 Laying out chapters (151)``);
- with ``--quiet``, or where stderr is not a terminal, nothing but the warnings.

Either way it records when each step began, for the build summary's timings.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from threading import Lock

from rich.console import Console
from rich.progress import BarColumn, ProgressColumn, SpinnerColumn, Task, TextColumn
from rich.progress import Progress as Bar
from rich.text import Text

from presswork.progress import WORDS, Step


class Shown(StrEnum):
    QUIET = "quiet"
    NORMAL = "normal"
    VERBOSE = "verbose"


class Live:
    """A build's progress as the person running it sees it, and its timings."""

    def __init__(self, console: Console, shown: Shown) -> None:
        self.console = console
        self.started = time.perf_counter()
        self.steps: list[tuple[Step, float]] = []
        self._lock = Lock()
        self._lines = shown is Shown.VERBOSE
        self._bar: Bar | None = None
        if shown is Shown.NORMAL and console.is_terminal:
            self._bar = Bar(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                _Counted(BarColumn(bar_width=20)),
                _Count(),
                _Elapsed(self),
                console=console,
                transient=True,
            )
            self._task = self._bar.add_task("", total=None)

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def step(self, step: Step, total: int | None = None) -> None:
        with self._lock:
            self.steps.append((step, time.perf_counter()))
        if self._bar is not None:
            self._bar.remove_task(self._task)
            self._task = self._bar.add_task(WORDS[step], total=total)
        elif self._lines:
            count = f" ({total})" if total else ""
            self.print(f"{_clock(self.elapsed)} {WORDS[step]}{count}")

    def advance(self) -> None:
        if self._bar is not None:
            self._bar.advance(self._task)

    def print(self, line: str) -> None:
        """A line of its own, above the live line while there is one."""
        self.console.print(line, markup=False, highlight=False, soft_wrap=True)

    def timings(self) -> dict[str, float]:
        """Seconds spent in each step, by the step's name; a step reached more than once
        counts every time."""
        ends = [at for _, at in self.steps[1:]] + [time.perf_counter()]
        spent: dict[str, float] = {}
        for (step, began), ended in zip(self.steps, ends, strict=True):
            spent[step.value] = round(spent.get(step.value, 0.0) + ended - began, 3)
        return spent

    @contextmanager
    def shown(self) -> Iterator[Live]:
        if self._bar is None:
            yield self
            return
        with self._bar:
            yield self


class _Counted(ProgressColumn):
    """A column shown only while the step counts."""

    def __init__(self, column: ProgressColumn) -> None:
        super().__init__()
        self.column = column

    def render(self, task: Task) -> Text:
        return self.column.render(task) if task.total is not None else Text("")  # type: ignore[return-value]


class _Count(ProgressColumn):
    def render(self, task: Task) -> Text:
        if task.total is None:
            return Text("")
        return Text(f"{int(task.completed)}/{int(task.total)}", style="progress.download")


class _Elapsed(ProgressColumn):
    """The time since the build began, not since the step did."""

    def __init__(self, live: Live) -> None:
        super().__init__()
        self.live = live

    def render(self, task: Task) -> Text:
        return Text(_clock(self.live.elapsed), style="progress.elapsed")


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"
