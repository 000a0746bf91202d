"""A build stopped part-way (Ctrl-C, SIGTERM from ``timeout`` or a CI runner, SIGKILL
from the out-of-memory killer) leaves no process running and no file behind, and says
so in one line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import processes
from presswork.release.output import write_all

from conftest import write_entries

pytestmark = pytest.mark.skipif(not processes.HAS_PROC, reason="reads /proc")


def _report(root: Path, entries: int) -> Path:
    """A report of ``entries`` copies of the North Korea entry: long enough that a build
    is still laying out pages a few seconds after it starts."""
    root.mkdir()
    names = write_entries(root, tuple(f"Entry {n}" for n in range(1, entries + 1)))
    listed = "".join(f"  - {name}\n" for name in names)
    (root / "book.yaml").write_text(
        f"title: Report\nlanguage: en-GB\nchapters:\n{listed}", encoding="utf-8"
    )
    return root


def _start(source: Path, output: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "presswork", "build", str(source), "-o", str(output), "-j", "2"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own session: what is left in it, it left behind
    )


def _until_laying_out(build: subprocess.Popen[str]) -> None:
    """Wait until the build has its layout processes and has run for 1.5 s."""
    started = time.monotonic()
    while time.monotonic() - started < 60:
        if build.poll() is not None:
            raise AssertionError(f"the build ended first: {build.communicate()}")
        if len(processes.in_session(build.pid)) >= 3 and time.monotonic() - started > 1.5:
            return
        time.sleep(0.05)
    raise AssertionError("the build started no layout process")


@pytest.mark.parametrize(
    "stop", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=["INT", "TERM", "KILL"]
)
def test_a_stopped_build_leaves_no_process_and_no_file(
    tmp_path: Path, stop: signal.Signals
) -> None:
    source, output = _report(tmp_path / "book", 12), tmp_path / "out"
    build = _start(source, output)
    _until_laying_out(build)
    if stop == signal.SIGINT:
        os.killpg(build.pid, stop)  # Ctrl-C reaches every process of the terminal's group
    else:
        build.send_signal(stop)
    stopped = time.monotonic()
    try:
        _, stderr = build.communicate(timeout=10)
    finally:
        build.kill()
    took = time.monotonic() - stopped
    left = processes.in_session(build.pid)
    while left and time.monotonic() - stopped < 5:
        time.sleep(0.1)
        left = processes.in_session(build.pid)
    assert not left, f"processes left running 5 s after {stop.name}"
    if stop != signal.SIGKILL:
        assert build.returncode == 128 + stop, stderr
        assert took < 1.5, f"{stop.name} took {took:.1f} s to end the build"
        assert stderr.strip().splitlines()[-1] == (
            ("interrupted" if stop == signal.SIGINT else "stopped") + ": no edition was written"
        ), stderr
        assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    editions = [p.name for p in output.iterdir() if p.name != ".presswork-cache"]
    assert editions == [], "an interrupted build wrote into the output folder"


def test_temporary_files_of_a_killed_build_are_removed_by_the_next(tmp_path: Path) -> None:
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    gone = int(ended.stdout)  # a process that has ended: its files are nobody's
    output = tmp_path / "out"
    output.mkdir()
    left = output / f".report.pdf.{gone}.k3j_x8a1.part"
    writing = output / f".report.pdf.{os.getpid()}.q0w9e8r7.part"  # a build still running
    mine = output / f".notes.{gone}.txt"  # not a name builds give their temporary files
    for path in (left, writing, mine):
        path.write_bytes(b"%PDF-1.7 half")
    write_all(output, {"report.pdf": b"%PDF-1.7 whole"})
    assert (output / "report.pdf").read_bytes() == b"%PDF-1.7 whole"
    assert not left.exists()
    assert writing.exists() and mine.exists()
