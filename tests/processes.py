"""The processes of a command under test, read from ``/proc`` (Linux).

In: a process id. Out: its children, every process of its session, whether a process
still runs. A command started with ``start_new_session=True`` leads a session of its
own, and every process it starts stays in it: what is left of the session once the
command is gone is what the command left behind.
"""

from __future__ import annotations

from pathlib import Path

HAS_PROC = Path("/proc/self/task").is_dir()


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status  # a zombie has ended


def in_session(session: int) -> set[int]:
    """The processes still running in ``session``."""
    found: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        # After the name: state, ppid, pgrp, session (proc(5)).
        if int(fields[3]) == session and fields[0] != "Z":
            found.add(int(entry.name))
    return found
