"""`presswork watch` rebuilds on save, says what and how long, and keeps the last good
editions when an edit breaks the manuscript."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import processes

from conftest import BOOKS


class Watcher:
    def __init__(
        self,
        source: Path,
        output: Path,
        formats: tuple[str, ...] = ("epub",),
        env: dict[str, str] | None = None,
    ) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "presswork",
                "watch",
                str(source),
                "-o",
                str(output),
                *(option for name in formats for option in ("--format", name)),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            env=None if env is None else {**os.environ, **env},
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, start: str, timeout: float = 60) -> str:
        """The next line that begins with ``start``."""
        return self.until(start, timeout)[-1]

    def until(self, start: str, timeout: float = 60) -> list[str]:
        """The lines printed up to the next that begins with ``start``, with it."""
        seen = []
        for line in self.printed(timeout):
            seen.append(line)
            if line.startswith(start):
                return seen
        raise AssertionError(f"no line starting {start!r} within {timeout} s: {seen}")

    def quiet_for(self, seconds: float) -> list[str]:
        """The lines printed in the next ``seconds``."""
        return list(self.printed(seconds))

    def printed(self, seconds: float) -> Iterator[str]:
        """Each line printed in the next ``seconds``, as it comes."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                yield self.lines.get(timeout=0.2)
            except queue.Empty:
                continue


@pytest.fixture
def watcher(tmp_path: Path) -> Iterator[tuple[Watcher, Path, Path]]:
    source, output = tmp_path / "book", tmp_path / "out"
    shutil.copytree(BOOKS / "multi", source)
    running = Watcher(source, output)
    yield running, source, output
    running.process.send_signal(signal.SIGINT)
    try:
        running.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        running.process.kill()


def test_an_edit_is_rebuilt_and_a_broken_one_leaves_the_last_good_edition(
    watcher: tuple[Watcher, Path, Path],
) -> None:
    running, source, output = watcher
    first = running.wait_for("built ")
    assert "(start; laid out " in first and "three-entries.epub" in first
    epub = output / "three-entries.epub"
    before = epub.read_bytes()

    beta = source / "beta.md"
    beta.write_text(beta.read_text().replace("Beta opening paragraph", "Beta first paragraph"))
    second = running.wait_for("built ")
    assert "beta.md" in second and " s (" in second
    assert second.endswith("; laid out 1 of 3 chapters (beta); the rest came from the cache)")
    assert epub.read_bytes() != before
    good = epub.read_bytes()

    beta.write_text(beta.read_text() + "\nA call to a note nobody wrote.[^missing]\n")
    running.wait_for("not built")
    assert epub.read_bytes() == good


@pytest.mark.skipif(not processes.HAS_PROC, reason="reads /proc")
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["TERM", "KILL"])
def test_a_stopped_watch_leaves_no_process_and_no_temporary_file(
    tmp_path: Path, stop: signal.Signals
) -> None:
    """A watch keeps its layout processes between builds; stopped, even killed, it
    leaves none of them running and none of WeasyPrint's temporary font folders."""
    source, temporary = tmp_path / "book", tmp_path / "tmp"
    shutil.copytree(BOOKS / "multi", source)
    temporary.mkdir()
    running = Watcher(source, tmp_path / "out", formats=(), env={"TMPDIR": str(temporary)})
    running.wait_for("built ")
    children = processes.children(running.process.pid)
    assert children, "the watch keeps no process between builds"
    assert any(temporary.iterdir()), "WeasyPrint's fonts are not where TMPDIR says"
    running.process.send_signal(stop)
    status = running.process.wait(timeout=20)
    if stop == signal.SIGTERM:
        assert status == 128 + stop
        # One plain line, and nothing else: no word of the watcher's own.
        assert running.quiet_for(1) == ["stopped: the last good editions are left in place"]
    deadline = time.monotonic() + 20
    while any(processes.running(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in children if processes.running(pid)]
    assert not list(temporary.iterdir())


def test_temporary_files_are_not_changes_and_a_warning_is_shown_once(
    watcher: tuple[Watcher, Path, Path],
) -> None:
    running, source, _ = watcher
    running.wait_for("built ")
    # What editors and sed -i leave beside a file while they save it.
    for name in ("sedu8h2Y0", ".beta.md.swp", "beta.md~", "#beta.md#", "4913"):
        (source / name).write_text("scratch", encoding="utf-8")
    (source / "beta.md.tmp").write_text("scratch", encoding="utf-8")
    assert running.quiet_for(3) == []
    beta = source / "beta.md"
    beta.write_text(beta.read_text() + '\nA shelf 5" deep.\n', encoding="utf-8")
    *printed, first = running.until("built ")
    assert [line for line in printed if "PW702" in line and "beta.md:" in line], printed
    assert "as before" not in first
    alpha = source / "alpha.md"
    alpha.write_text(alpha.read_text().replace("paragraph", "passage", 1), encoding="utf-8")
    *printed, again = running.until("built ")
    assert not [line for line in printed if "PW702" in line], printed
    assert again.endswith("; 1 warning as before)"), again
    beta.write_text(beta.read_text().replace('5" deep', "five inches deep"), encoding="utf-8")
    *printed, fixed = running.until("built ")
    assert not printed and "as before" not in fixed
