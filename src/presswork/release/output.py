"""Write a build's files into the output folder, all or none.

In: the output folder and the files a build made (editions, checksums, build record),
by name. Out: the files in the folder, each written to a temporary file beside its
target and renamed into place only once every one of them is written, so that a failed
or interrupted build leaves the folder as it was; or an
:class:`~presswork.errors.OutputError` naming the folder.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from presswork.errors import OutputError, diagnostic


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
        for name, data in files.items():
            target = output / name
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(
                prefix=f".{target.name}.", suffix=".part", dir=target.parent
            )
            staged.append((Path(temporary), target))
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            Path(temporary).chmod(0o644)
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
