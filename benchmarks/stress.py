"""Worst cases: build manuscripts made to be expensive, and record what each cost.

Each case is a one-chapter book written into a temporary folder (or ``--keep DIR``), in
``<case>/manuscript/``, and built with ``presswork build`` into ``<case>/out/`` in a
session of its own; the whole session's processes (the CLI, its layout workers, their
helpers) are sampled from ``/proc`` every 50 ms until they have all ended. One line per
case: wall time, peak resident memory of the process tree and of its largest process,
exit status, the codes the build reported, and any process still running 5 s after the
CLI ended. It asserts nothing; ``tests/commands/test_budgets.py`` imports
:func:`write_case` and :func:`measure` and asserts a memory budget.

    .venv/bin/python benchmarks/stress.py                 # every case
    .venv/bin/python benchmarks/stress.py --bytes 1000000 long-paragraph many-notes

``--bytes`` is the size of the chapters the text cases write, title included (default
300,000: the size of a long country entry ten times over); the chapter limit itself is
``presswork.manuscript.chapters.MAX_CHAPTER_BYTES``. Linux only (``/proc``).
"""

from __future__ import annotations

import argparse
import io
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

BOOK = "title: Stress\nlanguage: en-GB\nchapters:\n  - a.md\n"
WORDS = [
    "the",
    "committee",
    "found",
    "that",
    "detention",
    "without",
    "trial",
    "continued",
    "in",
    "every",
    "province",
]
PAGE = os.sysconf("SC_PAGE_SIZE")


def _prose(size: int, word: Callable[[int], str] = lambda i: WORDS[i % len(WORDS)]) -> str:
    """Words separated by spaces, as many as ``size`` characters hold."""
    parts, length, i = [], -1, 0
    while length + 1 + len(word(i)) <= size:
        parts.append(word(i))
        length += len(parts[-1]) + 1
        i += 1
    return " ".join(parts)


HEAD = "# A\n\n"  # every chapter's title: with the text after it, at most ``size`` bytes


def long_paragraph(root: Path, size: int) -> None:
    (root / "a.md").write_text(f"{HEAD}{_prose(size - len(HEAD) - 2)}.\n", encoding="utf-8")


def long_words(root: Path, size: int) -> None:
    text = _prose(size - len(HEAD) - 1, lambda i: "x" * 199 if i % 2 else "and")
    (root / "a.md").write_text(f"{HEAD}{text}\n", encoding="utf-8")


def _blocks(root: Path, block: str, size: int) -> None:
    text = HEAD + block * max(1, (size - len(HEAD)) // len(block))
    (root / "a.md").write_text(text, encoding="utf-8")


def deep_nesting(root: Path, size: int) -> None:
    block = "".join("  " * depth + f"- level {depth}\n" for depth in range(19)) + "\n"
    _blocks(root, block, size)


def deepest_nesting(root: Path, size: int) -> None:
    from presswork.manuscript.chapters import MAX_LISTS, MAX_QUOTES

    sentence = _prose(300)
    quote = ">" * MAX_QUOTES + f" {sentence}\n\n"  # 17 × 6 mm of indent: a narrow measure
    items = "".join("  " * depth + f"- {sentence}\n" for depth in range(MAX_LISTS)) + "\n"
    block = quote + items
    _blocks(root, block, size)


def many_notes(root: Path, size: int) -> None:
    from presswork.manuscript.chapters import MAX_NOTE_CALLS

    notes = min(MAX_NOTE_CALLS, size // 60)
    calls = "\n\n".join(f"A fact.[^n{i}]" for i in range(notes))
    definitions = "".join(f"\n[^n{i}]: The source of fact {i}.\n" for i in range(notes))
    (root / "a.md").write_text(f"{HEAD}{calls}\n{definitions}", encoding="utf-8")


def unclosed_markers(root: Path, size: int) -> None:
    def word(i: int) -> str:
        return "[^open" if i % 100 == 0 else WORDS[i % len(WORDS)]

    (root / "a.md").write_text(f"{HEAD}{_prose(size - len(HEAD) - 1, word)}\n", encoding="utf-8")


def far_over(root: Path, size: int) -> None:
    (root / "a.md").write_text("# A\n\nText.\n", encoding="utf-8")
    with (root / "a.md").open("r+b") as stream:  # sparse: takes no disk
        stream.truncate(2_000_000_000)


def image_bomb(root: Path, size: int) -> None:
    from PIL import Image

    data = io.BytesIO()
    Image.new("1", (13_000, 13_000)).save(data, "PNG", optimize=True)  # 169 megapixels
    (root / "bomb.png").write_bytes(data.getvalue())
    (root / "a.md").write_text("# A\n\n![A figure.](bomb.png)\n", encoding="utf-8")


def hostile_svg(root: Path, size: int) -> None:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        ' width="10" height="10"><image xlink:href="file:///etc/passwd"/>'
        "<script>alert(1)</script></svg>"
    )
    (root / "evil.svg").write_text(svg, encoding="utf-8")
    (root / "a.md").write_text("# A\n\n![A figure.](evil.svg)\n", encoding="utf-8")


def long_note(root: Path, size: int) -> None:
    words = _prose(min(size, 200_000))
    (root / "a.md").write_text(f"# A\n\nA call.[^n]\n\n[^n]: {words}\n", encoding="utf-8")


CASES: dict[str, Callable[[Path, int], None]] = {
    "long-paragraph": long_paragraph,
    "long-words": long_words,
    "deep-nesting": deep_nesting,
    "deepest-nesting": deepest_nesting,
    "many-notes": many_notes,
    "unclosed-markers": unclosed_markers,
    "far-over": far_over,
    "image-bomb": image_bomb,
    "hostile-svg": hostile_svg,
    "long-note": long_note,
}


def session_rss(session: int) -> tuple[int, int, int]:
    """The processes still running in ``session``: their count, the sum of their resident
    memory and the largest one's, in bytes."""
    count = total = largest = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # After the name: state, ppid, pgrp, session (proc(5)).
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
            if int(fields[3]) != session or fields[0] == "Z":
                continue
            rss = int((entry / "statm").read_text().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
        count += 1
        total += rss
        largest = max(largest, rss)
    return count, total, largest


@dataclass(frozen=True)
class Measured:
    """What one build cost. Memory in bytes, as the 50 ms samples saw it."""

    wall: float  # seconds, from starting the command to its end
    tree: int  # the peak of the session's resident memory, summed over its processes
    largest: int  # the peak resident memory of its largest process
    returncode: int  # negative: killed by that signal
    codes: tuple[str, ...]  # the diagnostic codes in its stderr
    left: int  # processes of its session still running 5 s after it ended
    timed_out: bool
    stderr: str


def write_case(name: str, root: Path, size: int) -> Path:
    """Write case ``name``'s manuscript into the new folder ``root``; return ``root``."""
    root.mkdir(parents=True)
    (root / "book.yaml").write_text(BOOK, encoding="utf-8")
    CASES[name](root, size)
    return root


def measure(manuscript: Path, output: Path, timeout: float = 1200) -> Measured:
    """Build ``manuscript`` into ``output`` in a session of its own, sampling its processes
    every 50 ms until they have all ended (or 5 s after the command did). Past ``timeout``
    seconds the command gets SIGTERM, and SIGKILL 10 s later."""
    command = [sys.executable, "-m", "presswork", "build", str(manuscript), "-o", str(output)]
    tree = largest = 0
    timed_out = False
    # stderr goes to a file: a pipe nobody reads until the end would stop a build that
    # reports more than the pipe holds (64 KB).
    with tempfile.TemporaryFile() as errors:
        start = time.monotonic()
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            start_new_session=True,
        )
        ended = None
        while True:
            if ended is None and process.poll() is not None:
                ended = time.monotonic()
            count, total, biggest = session_rss(process.pid)
            tree, largest = max(tree, total), max(largest, biggest)
            now = time.monotonic()
            if count == 0 and ended is None:  # it ended between the two looks
                process.wait()
                ended = now
            if count == 0 or (ended is not None and now - ended > 5):
                break
            if ended is None and (
                (not timed_out and now - start > timeout) or now - start > timeout + 10
            ):
                with suppress(ProcessLookupError):  # SIGTERM once, then SIGKILL
                    os.killpg(process.pid, signal.SIGKILL if timed_out else signal.SIGTERM)
                timed_out = True
            time.sleep(0.05)
        left = count if ended is not None else 0
        if left:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # what the build left behind
        errors.seek(0)
        stderr = errors.read().decode("utf-8", "replace")
    assert ended is not None and process.returncode is not None
    return Measured(
        ended - start,
        tree,
        largest,
        process.returncode,
        tuple(sorted(set(re.findall(r"\bPW\d{3}\b", stderr)))),
        left,
        timed_out,
        stderr,
    )


def run(name: str, folder: Path, size: int, timeout: float) -> str:
    """Write and build case ``name`` in ``folder/name``: one line of what it cost."""
    manuscript = write_case(name, folder / name / "manuscript", size)
    done = measure(manuscript, folder / name / "out", timeout)
    notes = [f"{done.left} processes left"] if done.left else []
    notes += ["timed out"] if done.timed_out else []
    return (
        f"{name:18} {done.wall:7.1f} s  tree {done.tree / 2**20:6.0f} MB"
        f"  largest {done.largest / 2**20:6.0f} MB  exit {done.returncode:3}"
        f"  {' '.join(done.codes) or '-'}{''.join(f'  ({n})' for n in notes)}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", metavar="case", help=", ".join(CASES))
    parser.add_argument("--bytes", type=int, default=300_000, dest="size")
    parser.add_argument("--timeout", type=float, default=1200)
    parser.add_argument("--keep", type=Path)
    arguments = parser.parse_args()
    if unknown := set(arguments.cases) - set(CASES):
        parser.error(f"unknown cases: {', '.join(sorted(unknown))}")
    cases = arguments.cases or list(CASES)
    if arguments.keep and (found := [n for n in cases if (arguments.keep / n).exists()]):
        parser.error(f"already in {arguments.keep}: {', '.join(found)}")
    with tempfile.TemporaryDirectory() as scratch:
        folder = arguments.keep or Path(scratch)
        cores = len(os.sched_getaffinity(0))
        print(f"chapters of {arguments.size:,} bytes; {cores} cores", flush=True)
        for name in cases:
            print(run(name, folder, arguments.size, arguments.timeout), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
