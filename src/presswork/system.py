"""The C libraries a build needs from the system, looked for before anything is laid out.

In: ``system.toml`` beside this module (each library, the names WeasyPrint loads it by
and the package that installs it on each platform). Out: :func:`check_system`, which
returns if every library loads and otherwise raises :class:`MissingLibrary`, whose
message names each missing library and the command that installs it on Debian and
Ubuntu, Fedora and macOS; the command line prints it in place of the traceback WeasyPrint
would end in. WeasyPrint itself is not loaded: the libraries are opened as it opens
them, a few milliseconds in all where they are there.
"""

from __future__ import annotations

import ctypes
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import click

LIBRARIES_FILE = Path(__file__).with_name("system.toml")


@dataclass(frozen=True)
class Platform:
    """Where libraries are installed from: ``name`` as its users know it, ``install``
    the command that installs packages there, ``note`` what else it may take."""

    key: str
    name: str
    install: str
    note: str | None


@dataclass(frozen=True)
class Library:
    """A C library: the name it is known by, the names it is loaded by, and the package
    that installs it on each platform (keyed as the platforms are)."""

    key: str
    title: str
    library: str
    names: tuple[str, ...]
    packages: dict[str, str]


@dataclass(frozen=True)
class Libraries:
    platforms: tuple[Platform, ...]
    libraries: tuple[Library, ...]


@cache
def libraries(path: Path = LIBRARIES_FILE) -> Libraries:
    """The platforms and libraries of ``system.toml``."""
    with path.open("rb") as stream:
        document = tomllib.load(stream)
    platforms = tuple(
        Platform(key, str(table["name"]), str(table["install"]), table.get("note"))
        for key, table in document["platforms"].items()
    )
    found = tuple(
        Library(
            key,
            str(table["title"]),
            str(table["library"]),
            tuple(str(name) for name in table["names"]),
            {p.key: str(table[p.key]) for p in platforms},
        )
        for key, table in document["libraries"].items()
    )
    return Libraries(platforms, found)


def loads(names: Sequence[str]) -> bool:
    """Whether a library loads by one of ``names`` as WeasyPrint (through cffi) loads
    it: a name with a dot or a slash is opened as it is, and any name is looked up with
    ``ctypes.util.find_library``. That lookup runs ldconfig, the C compiler and the
    linker on Linux, a third of a second: it is made only where no name opens."""
    for name in names:
        if "." in name or "/" in name:
            try:
                ctypes.CDLL(name)
            except OSError:
                continue
            return True
    from ctypes.util import find_library

    for name in names:
        path = find_library(name)
        if path is None:
            continue
        try:
            ctypes.CDLL(path)
        except OSError:
            continue
        return True
    return False


class MissingLibrary(click.ClickException):
    """A library a build needs does not load; the message says how to install it. No
    edition can be written without it: the exit status is a build's that wrote none."""

    exit_code = 3

    def __init__(self, missing: Sequence[Library], platforms: Sequence[Platform]) -> None:
        self.missing = tuple(missing)
        super().__init__(install_advice(self.missing, platforms))


def install_advice(missing: Sequence[Library], platforms: Sequence[Platform]) -> str:
    """The libraries missing, and the command that installs them on each platform, each
    package named once."""
    lines = ["presswork needs these system libraries, which could not be loaded:"]
    lines += [f"  {library.title} ({library.library})" for library in missing]
    lines.append("Install them with:")
    width = max(len(p.name) for p in platforms) + 1
    for platform in platforms:
        packages = " ".join(dict.fromkeys(library.packages[platform.key] for library in missing))
        lines.append(f"  {platform.name + ':':<{width}} {platform.install} {packages}")
        if platform.note:
            lines.append(f"  {'':<{width}} ({platform.note})")
    return "\n".join(lines)


def check_system(loaded: Callable[[Sequence[str]], bool] | None = None) -> None:
    """Return if every library a build needs loads, else raise :class:`MissingLibrary`
    naming those that do not. ``loaded`` tells whether a library loads by one of its
    names (by default :func:`loads`)."""
    known = libraries()
    finder = loaded or loads
    missing = [library for library in known.libraries if not finder(library.names)]
    if missing:
        raise MissingLibrary(missing, known.platforms)
