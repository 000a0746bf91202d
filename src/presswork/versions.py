"""The versions of what presswork builds with, read without loading it.

In: a distribution's name. Out: its installed version, the version of the Pango
library WeasyPrint lays text out with, and a digest of presswork's own files. The
cache's keys and the release's build record name them; a process of a build asks, so
the answers avoid what is slow to import (``importlib.metadata``, WeasyPrint).
"""

from __future__ import annotations

import ctypes
import hashlib
import importlib.util
from functools import cache
from pathlib import Path


def metadata_version(distribution: str) -> str | None:
    """The version in the distribution's metadata, or None where it is not installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


def installed_version(distribution: str) -> str | None:
    """The installed version of ``distribution`` (named as its import package is), from
    the name of the one ``.dist-info`` folder beside the package (``NAME-VERSION``, as
    installers name it); else from its metadata, whose reader takes a twentieth of a
    second to import, in every process of a build that asks."""
    spec = importlib.util.find_spec(distribution)
    if spec is not None and spec.submodule_search_locations:
        folder = Path(next(iter(spec.submodule_search_locations))).parent
        prefix = f"{distribution.lower()}-"
        found = [
            path.name[len(prefix) : -len(".dist-info")]
            for path in folder.glob("*.dist-info")
            if path.name.lower().startswith(prefix)
        ]
        if len(found) == 1:
            return found[0]
    return metadata_version(distribution)


def pango_version() -> str:
    """The version of the Pango library WeasyPrint lays text out with, read from the
    library itself (the one WeasyPrint loads, by the same name) without loading
    WeasyPrint."""
    try:
        library = ctypes.CDLL("libpango-1.0.so.0")
    except OSError:
        from weasyprint.text.ffi import pango

        number = int(pango.pango_version())
    else:
        library.pango_version.restype = ctypes.c_int
        number = int(library.pango_version())
    return f"{number // 10000}.{number // 100 % 100}.{number % 100}"


@cache
def own_files() -> str:
    """A digest of presswork's own files, its code and templates: what a build keeps is
    reused only by a build with the same presswork, even where two differ under one
    version number (an install from a working copy). About 5 ms."""
    package = Path(__file__).parent
    hashed = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            hashed.update(path.relative_to(package).as_posix().encode("utf-8") + b"\0")
            hashed.update(hashlib.sha256(path.read_bytes()).digest())
    return hashed.hexdigest()
