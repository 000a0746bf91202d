"""The Jinja2 environment every edition renders its markup with.

In: a template name and a context. Out: markup text. Templates live in
``presswork/render/templates``; the words an edition adds around the report's own text
come from ``templates/labels.yaml`` in the book's language. Every template can name the
book's ids through ``ids`` (:mod:`presswork.ids`).
"""

from __future__ import annotations

import os
from contextlib import suppress
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import (
    Environment,
    FileSystemBytecodeCache,
    PackageLoader,
    StrictUndefined,
    select_autoescape,
)
from jinja2.bccache import Bucket

from presswork import ids
from presswork.model import Metadata


class _CompiledTemplates(FileSystemBytecodeCache):
    """The templates as Jinja compiled them, kept between runs: compiling them is a
    tenth of a second of every run that renders. Jinja compiles a template again when
    its source has changed. A folder that cannot be read or written only costs the time."""

    def load_bytecode(self, bucket: Bucket) -> None:
        with suppress(OSError):
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: Bucket) -> None:
        with suppress(OSError):
            super().dump_bytecode(bucket)


def _compiled_templates() -> FileSystemBytecodeCache | None:
    """Where the compiled templates are kept: the user's cache folder
    (``$XDG_CACHE_HOME``, or ``~/.cache``), ``presswork/templates`` in it, a folder no one
    else may write (Jinja runs what it finds there); none where there is no such folder."""
    configured = os.environ.get("XDG_CACHE_HOME", "")
    try:
        base = Path(configured) if Path(configured).is_absolute() else Path.home() / ".cache"
        folder = base / "presswork" / "templates"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        owned = folder.stat()
    except (OSError, RuntimeError):  # no home folder, or none that can be written
        return None
    if owned.st_uid != os.getuid() or owned.st_mode & 0o022:
        return None
    return _CompiledTemplates(str(folder))


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("presswork.render", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # The templates are part of the package: a process never sees them change, so
        # Jinja need not stat each template whenever it is asked for (once per chapter).
        auto_reload=False,
        bytecode_cache=_compiled_templates(),
    )
    env.globals["ids"] = ids
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


@cache
def _all_labels() -> dict[str, dict[str, str]]:
    loader = environment().loader
    assert loader is not None
    text, _, _ = loader.get_source(environment(), "labels.yaml")
    labels: dict[str, dict[str, str]] = yaml.safe_load(text)
    return labels


def labels(language: str) -> dict[str, str]:
    """The edition's own words in ``language`` (``en-GB`` → ``en``), English if unknown."""
    every = _all_labels()
    return every.get(language.split("-")[0].lower(), every["en"])


def byline(meta: Metadata) -> str | None:
    """Who the book is by, in one line, as its cover says it: its authors, else "Edited
    by" its editors (in the book's language), else nothing."""
    if meta.authors:
        return ", ".join(meta.authors)
    if meta.named("editor"):
        return f"{labels(meta.language)['edited_by']} {', '.join(meta.named('editor'))}"
    return None
