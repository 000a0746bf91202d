"""Write a build's files into the output folder, all or none.

In: the output folder and the files a build made (editions, checksums, build record),
by name. Out: the files in the folder, each written to a temporary file beside its
target and renamed into place only once every one of them is written, so that a failed
or interrupted build leaves the folder as it was (and the temporary files of a build
killed outright, the next build removes); or an :class:`~presswork.errors.OutputError`
naming the folder.
"""

from __future__ import annotations

import os
import re
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from presswork.errors import OutputError, diagnostic

# ``.<name>.<pid of the build>.<random>.part``: a build that was killed (SIGKILL, the
# out-of-memory killer) before it could remove its temporary files leaves them named
# after a process that no longer runs, and the next build into the folder removes them.
_TEMPORARY = re.compile(r"\..+\.(?P<pid>[0-9]+)\.[^.]+\.part")
_HELD = {signal.SIGINT, signal.SIGTERM}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def remove_left_behind(folder: Path) -> None:
    """Remove the temporary files that builds killed while writing into ``folder`` left."""
    with suppress(OSError):
        for path in folder.iterdir():
            found = _TEMPORARY.fullmatch(path.name)
            if found and not _alive(int(found["pid"])) and path.is_file():
                with suppress(OSError):
                    path.unlink()


@contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait (a few milliseconds) until every edition is renamed into
    place: the folder holds the old set of editions or the new one, never some of each."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def write_all(output: Path, files: dict[str, bytes]) -> None:
    """Write every file to a temporary file beside its target, then rename them all."""
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            diagnostic("PW902", f"cannot create the output folder: {exc.strerror}", output)
        ) from None
    staged: list[tuple[Path, Path]] = []
    try:
        for folder in {(output / name).parent for name in files}:
            remove_left_behind(folder)
        for name, data in files.items():
            target = output / name
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(
                prefix=f".{target.name}.{os.getpid()}.", suffix=".part", dir=target.parent
            )
            staged.append((Path(temporary), target))
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            Path(temporary).chmod(0o644)
        with _signals_held():
            for temporary_path, target in staged:
                temporary_path.replace(target)
    except OSError as exc:
        raise OutputError(
            diagnostic("PW902", f"cannot write the editions: {exc.strerror}", output)
        ) from None
    finally:
        # Interrupted or failed: no half-written file stays behind. (After the renames
        # the temporary names no longer exist.)
        for temporary_path, _ in staged:
            temporary_path.unlink(missing_ok=True)
