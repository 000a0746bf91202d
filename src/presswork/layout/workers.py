"""The processes a build hands its heavy work to.

In: how many jobs may run at once. Out: :class:`Workers`, which runs a function in one of
three kinds of process and gives back a future of its result:

- ``layout``: a pool of ``jobs`` processes laying out chapters and their furniture;
- ``front``: one process laying out the front matter, measuring it while the chapters
  are laid out and keeping it until their page numbers are known (see
  :mod:`presswork.layout.units`). A report's contents, a thousand entries, is the largest
  layout of the book: in a process of its own it starts from a small heap rather than
  from one that chapters have left in pieces;
- ``join``: one process joining the units into the book's PDFs, so that the joined book's
  objects are never held on top of what the build has gathered, and so that the build
  writes the ePub while the PDFs are joined.

The front matter and the join get processes of their own only for a long book
(:meth:`Workers.set_apart`); until then the front matter is laid out in the layout pool
and the join runs in the calling process. Processes are spawned, not forked (Pango does
not survive a fork). A pool imports none of the work it runs: a build that makes PDFs
hands it a warm-up (:meth:`Workers.warm`, :mod:`presswork.layout.warmup`) that loads
WeasyPrint and parses the styles in a layout process while the manuscript is checked;
a single layout (a rebuild after an edit) waits for that process rather than have the
pool start another.
``presswork watch`` keeps its workers from one build to the next. A worker whose parent
ends, even killed, is stopped (Linux's parent-death signal); a build interrupted or
stopped stops its workers (:meth:`Workers.stop`). A stopped worker leaves at once, in the
middle of a layout as well, and as at the end: no process stays behind, and WeasyPrint's
temporary font folders are removed. With one job, everything runs in the calling process,
one thing after another.
"""

from __future__ import annotations

import atexit
import ctypes
import gc
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from typing import Any, Literal, TypeVar

Kind = Literal["layout", "front", "join", "here"]
_PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent ends
# How often a worker's cycle collector runs (gc.set_threshold): a layout makes and drops
# objects by the hundred thousand, few of them in cycles, and at Python's default (a
# collection every 700) it spends a tenth of its time looking for garbage: this
# collects in a few large sweeps instead, for some megabytes of garbage held meanwhile.
_COLLECT_EVERY = (100_000, 20, 100)
T = TypeVar("T")


def default_jobs() -> int:
    """One process per core this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# The temporary folder of this process, when it is a worker: every temporary file made here
# (WeasyPrint's copies of the fonts) is made in it, and it is removed as the process leaves.
_temporary: list[str] = []


def _start_process() -> None:
    gc.set_threshold(*_COLLECT_EVERY)
    _temporary.append(tempfile.mkdtemp(prefix="presswork-"))
    tempfile.tempdir = _temporary[0]
    atexit.register(_leave)
    # Stopped (by its pool, or because the process that started it is gone, killed or
    # not): leave at once, as at the end, even in the middle of a layout.
    signal.signal(signal.SIGTERM, _stopped)
    # Ctrl-C reaches every process of the terminal's group: the build that owns this
    # process decides what it means, and stops it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform == "linux":
        with suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    parent = multiprocessing.parent_process()
    if parent is not None and not parent.is_alive():  # gone before it could be told
        sys.exit(0)


def _stopped(signum: int, frame: object) -> None:
    # Not an exception: raised inside a running task, the pool would catch it and hand it
    # back through a queue that nobody reads any more, and wait there for good.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once is enough: let the cleanup run
    _leave(128 + signum)


def _leave(status: int = 0) -> None:
    """Leave without the interpreter's teardown, which the build would wait for (a third of
    a second): a worker holds nothing that needs it but its temporary files, which are
    all in its own folder (WeasyPrint would remove its own only once its objects are
    collected, a twentieth of a second more)."""
    for folder in _temporary:
        shutil.rmtree(folder, ignore_errors=True)
    os._exit(status)


def in_worker() -> bool:
    """Whether this process is one of a build's workers (not the process that builds)."""
    return bool(_temporary)


def settle() -> None:
    """In a worker, once it has loaded what layouts need (WeasyPrint, the styles
    parsed): what it holds now lives as long as the process, and the cycle collector
    stops going through it at every sweep of the layouts' garbage (gc.freeze). What an
    earlier settle kept is looked at again first: the styles of a watched book change."""
    if in_worker():
        gc.unfreeze()
        gc.collect()
        gc.freeze()


def _has_loaded(module: str) -> bool:
    return module in sys.modules


class Workers:
    """The build's processes, started as they are first needed (or by :meth:`warm`), and
    stopped on leaving the ``with`` block. Until :meth:`set_apart`,
    the front matter is laid out in the layout pool and the join runs in the calling
    process: for a book of a few chapters, a process of its own costs more to start
    than it saves."""

    def __init__(self, jobs: int) -> None:
        self.jobs = max(1, jobs)
        self.apart = False
        self._pools: dict[Kind, ProcessPoolExecutor] = {}
        self._warmed: set[tuple[object, ...]] = set()
        self._warming: Future[Any] | None = None

    def warm(
        self, function: Callable[..., T], *args: Any, kind: Kind = "layout"
    ) -> Future[T] | None:
        """Have a process of ``kind`` run ``function(*args)``, once for the same
        arguments, while the caller goes on: a warm-up that loads what its work needs
        (None: nothing to do, with one job, for a process not set apart, or once
        done)."""
        key = (kind, function, *args)
        if not self.parallel or key in self._warmed or (kind != "layout" and not self.apart):
            return None
        self._warmed.add(key)
        warming = self.submit(kind, function, *args)
        if kind == "layout":
            self._warming = warming
        return warming

    def expect(self, count: int) -> None:
        """Say that ``count`` layouts are about to be asked for. One layout waits for a
        layout process still warming up (:meth:`warm`): the pool would otherwise
        start another process for it, which could not load WeasyPrint sooner, and would
        take the cores from the one loading it. A rebuild after an edit lays out one
        chapter."""
        warming = self._warming
        if count == 1 and warming is not None and not warming.done():
            wait([warming])

    @property
    def parallel(self) -> bool:
        return self.jobs > 1

    @property
    def started(self) -> tuple[str, ...]:
        """The kinds of process started so far."""
        return tuple(sorted(self._pools))

    def loaded(self, kind: Kind, module: str) -> bool:
        """Whether the process of ``kind`` has loaded ``module`` (what a process holds is
        what it costs in memory)."""
        return self.submit(kind, _has_loaded, module).result()

    def set_apart(self) -> None:
        """Give the front matter and the join processes of their own from now on."""
        if self.parallel:
            self.apart = True

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is not None and not issubclass(kind, Exception):  # interrupted, stopped
            self.stop()
        else:
            self.close()

    def stop(self) -> None:
        """Stop every process at once, whatever it is doing, and wait (a second at most
        each) until it has left: what an interrupted build does."""
        # A pool names its processes nowhere public: its ``_processes`` map is the one
        # record of them (kept by concurrent.futures since Python 3.2).
        processes = [
            process
            for pool in self._pools.values()
            for process in list(getattr(pool, "_processes", {}).values())
        ]
        for process in processes:
            with suppress(OSError, ValueError):
                process.terminate()
        for pool in self._pools.values():
            pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            with suppress(OSError, ValueError, AssertionError):
                process.join(timeout=1)
                if process.is_alive():
                    process.kill()
        self._pools.clear()

    def close(self) -> None:
        # The pools are shut down side by side, so that their processes leave at the same
        # time rather than one pool's after the other's.
        closing = [
            threading.Thread(target=pool.shutdown, kwargs={"wait": True, "cancel_futures": True})
            for pool in self._pools.values()
        ]
        for thread in closing:
            thread.start()
        for thread in closing:
            thread.join()
        self._pools.clear()

    def submit(self, kind: Kind, function: Callable[..., T], *args: Any) -> Future[T]:
        """Run ``function(*args)`` in a process of ``kind``; with one job, or for the join
        of a book not set apart, at once, here."""
        if not self.apart and kind != "layout":
            kind = "layout" if kind == "front" else "here"
        if not self.parallel or kind == "here":
            future: Future[T] = Future()
            try:
                future.set_result(function(*args))
            except Exception as exc:  # handed over as the pool would hand it
                future.set_exception(exc)
            return future
        try:
            return self._pool(kind).submit(function, *args)
        except BrokenProcessPool:  # a process of it died in an earlier build: start anew
            self._pools.pop(kind).shutdown(wait=False, cancel_futures=True)
            return self._pool(kind).submit(function, *args)

    def _pool(self, kind: Kind) -> Executor:
        pool = self._pools.get(kind)
        if pool is None:
            pool = self._pools[kind] = ProcessPoolExecutor(
                max_workers=self.jobs if kind == "layout" else 1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_process,
            )
        return pool
