"""What a release adds beside the editions, so that anyone can check and rebuild them.

In: the editions (file name, bytes, pages) and the build's provenance. Out: the text of
``SHA256SUMS`` (in ``sha256sum`` format: ``sha256sum -c SHA256SUMS`` checks the files)
and of ``build-record.json``: the versions of presswork and of what it builds with, the
lock of the versions presswork is tested with (``constraints.txt``: its checksum, and
whether those installed are the locked ones), the source commit and date, and each
edition's size, pages and checksum, so that a rebuild can be compared with what was
released.
"""

from __future__ import annotations

import hashlib
import json
import platform
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from presswork import __version__
from presswork.config.provenance import Provenance
from presswork.editions import Edition
from presswork.styles import shipped
from presswork.versions import metadata_version, pango_version

CHECKSUMS = "SHA256SUMS"
RECORD = "build-record.json"
LOCK = "constraints.txt"


@dataclass(frozen=True)
class EditionFile:
    """An edition as made: its file's name, which edition it is, its bytes and pages."""

    file: str
    edition: Edition
    data: bytes
    pages: int | None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def checksums(editions: list[EditionFile]) -> bytes:
    lines = [f"{e.sha256}  {e.file}\n" for e in sorted(editions, key=lambda e: e.file)]
    return "".join(lines).encode("ascii")


def record(editions: list[EditionFile], origin: Provenance) -> bytes:
    data = {
        "presswork": __version__,
        "tools": {
            "python": platform.python_version(),
            "weasyprint": metadata_version("weasyprint"),
            "pango": pango_version(),
            "ebooklib": metadata_version("ebooklib"),
            "pikepdf": metadata_version("pikepdf"),
            "pillow": metadata_version("pillow"),
            "fonttools": metadata_version("fonttools"),
        },
        "constraints": lock_entry(lock_file(), installed_versions()),
        "source": {
            "commit": origin.commit,
            "uncommitted_changes": origin.dirty,
            "date": origin.date.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "date_from": origin.date_from,
        },
        "editions": [
            {
                "file": e.file,
                "edition": e.edition.value,
                "size": len(e.data),
                "pages": e.pages,
                "sha256": e.sha256,
            }
            for e in sorted(editions, key=lambda e: e.file)
        ],
    }
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def lock_file() -> Path | None:
    """The lock presswork was tested with: in its package (a wheel carries it), else at
    the top of the source checkout; None where neither has it."""
    return next((path for path in shipped(LOCK) if path.is_file()), None)


def distribution_key(name: str) -> str:
    """A distribution's name as installers compare names (``Jinja2``, ``jinja2``;
    ``mdit_py_plugins``, ``mdit-py-plugins``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_versions(text: str) -> dict[str, str]:
    """The ``name==version`` lines of a lock, by :func:`distribution_key`; comments and
    blank lines are skipped, and any other line is an error in the lock."""
    locked = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, equals, version = line.partition("==")
        if not equals or not name.strip() or not version.strip():
            raise ValueError(f"{LOCK}:{number}: not name==version: {line}")
        locked[distribution_key(name.strip())] = version.strip()
    return locked


def installed_versions() -> dict[str, str]:
    """Every installed distribution's version, by :func:`distribution_key`; where one
    is installed twice, the one imported (first on ``sys.path``)."""
    from importlib.metadata import distributions

    installed: dict[str, str] = {}
    for distribution in distributions():
        name = distribution.metadata["Name"]
        if name:
            installed.setdefault(distribution_key(name), distribution.version)
    return installed


def lock_entry(lock: Path | None, installed: Mapping[str, str]) -> dict[str, object] | None:
    """The lock's file name and checksum, and whether every locked package that is
    installed has its locked version (``installed_as_locked``); ``differences`` names
    each that has not. A locked package not installed (a tool of the tests) differs in
    nothing the editions are made with."""
    if lock is None:
        return None
    data = lock.read_bytes()
    differences = {
        name: {"locked": version, "installed": installed[name]}
        for name, version in sorted(locked_versions(data.decode("utf-8")).items())
        if name in installed and installed[name] != version
    }
    return {
        "file": lock.name,
        "sha256": hashlib.sha256(data).hexdigest(),
        "installed_as_locked": not differences,
        "differences": differences,
    }
