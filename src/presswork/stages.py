"""The stages of presswork, bottom to top: which module may import which.

In: nothing. Out: :data:`LEVELS`, the stages in order, each level a tuple of stages side
by side, each stage the modules (or packages) it is made of. A module may import from
its own stage and from any stage of a lower level; never from a higher level, nor from
another stage of its own level. ``tests/test_architecture.py`` holds every import of
``src/`` to this, and finds no circle; ``docs/architecture.md`` draws it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    name: str
    modules: tuple[str, ...]  # a package stands for every module in it
    does: str


LEVELS: tuple[tuple[Stage, ...], ...] = (
    (
        Stage(
            "vocabulary",
            (
                "presswork",
                "presswork.stages",
                "presswork.codes",
                "presswork.errors",
                "presswork.suggest",
                "presswork.progress",
                "presswork.model",
                "presswork.ids",
                "presswork.lengths",
                "presswork.editions",
                "presswork.versions",
                "presswork.styles",
                "presswork.system",
                "presswork.cache",
            ),
            "the book model, diagnostics, their codes and suggestions, ids, units of length, the "
            "editions' names, a build's steps, the styles folder, the cache store",
        ),
    ),
    (Stage("config", ("presswork.config",), "book.yaml, front matter, files read safely"),),
    (Stage("transforms", ("presswork.transforms",), "the ordered, named steps on the model"),),
    (Stage("manuscript", ("presswork.manuscript",), "Markdown into the resolved book"),),
    (Stage("render", ("presswork.render",), "the book as HTML and XHTML, from templates"),),
    (
        Stage("pdf", ("presswork.pdf",), "PDF files: tags, join, fonts, print sheet"),
        Stage("epub", ("presswork.epub",), "the ePub package and its cover"),
    ),
    (Stage("layout", ("presswork.layout",), "pages with WeasyPrint, in processes, cached"),),
    (Stage("release", ("presswork.release",), "files written, checksums, the release gate"),),
    (Stage("commands", ("presswork.commands",), "build, watch, check: the stages in order"),),
    (Stage("cli", ("presswork.cli", "presswork.__main__"), "the command line"),),
)


def stage_of(module: str) -> tuple[int, Stage] | None:
    """The level and stage of ``module`` (its longest listed prefix), or None."""
    best: tuple[int, Stage, str] | None = None
    for level, stages in enumerate(LEVELS):
        for stage in stages:
            for prefix in stage.modules:
                if module == prefix or module.startswith(prefix + "."):
                    if prefix == "presswork" and module != "presswork":
                        continue  # the package's face, not all that is in it
                    if best is None or len(prefix) > len(best[2]):
                        best = (level, stage, prefix)
    return None if best is None else (best[0], best[1])
