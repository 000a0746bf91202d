"""The Jinja2 environment every edition renders its markup with.

In: a template name and a context. Out: markup text. Templates live in
``presswork/render/templates``; the words an edition adds around the report's own text
come from ``templates/labels.yaml`` in the book's language. Every template can name the
book's ids through ``ids`` (:mod:`presswork.ids`).
"""

from __future__ import annotations

from contextlib import suppress
from functools import cache
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


class _CompiledTemplates(FileSystemBytecodeCache):
    """The templates as Jinja compiled them, kept between runs: compiling them is a
    tenth of a second of every run that renders. Jinja keeps them in a folder of the
    user's own, which it checks is no one else's, and compiles a template again when its
    source has changed. A folder that cannot be read or written only costs the time."""

    def load_bytecode(self, bucket: Bucket) -> None:
        with suppress(OSError):
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: Bucket) -> None:
        with suppress(OSError):
            super().dump_bytecode(bucket)


def _compiled_templates() -> FileSystemBytecodeCache | None:
    try:
        return _CompiledTemplates()
    except (OSError, RuntimeError):  # no folder of the user's own
        return None


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
