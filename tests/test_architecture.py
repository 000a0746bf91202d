"""The package tree is the pipeline: every import of src/ goes down the stages that
presswork.stages declares, none goes round in a circle, and every module says what goes
in and what comes out."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from presswork.stages import LEVELS, stage_of

from conftest import ROOT

SOURCE = ROOT / "src"
MAX_LINES = 450


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SOURCE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted((SOURCE / "presswork").rglob("*.py"))}


def imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) for every presswork module ``path`` imports: at the top, inside a
    function or only for type checking alike."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from presswork import ids``: the module ids, where there is one.
            names = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                for alias in node.names
            ]
        else:
            continue
        for name in names:
            if name == "presswork" or name.startswith("presswork."):
                yield node.lineno, name


def graph() -> dict[str, set[str]]:
    return {
        name: {imported for _, imported in imports(path) if imported != name}
        for name, path in MODULES.items()
    }


def test_every_module_belongs_to_a_stage() -> None:
    assert [name for name in MODULES if stage_of(name) is None] == []
    declared = [m for level in LEVELS for stage in level for m in stage.modules]
    assert [m for m in declared if m not in MODULES] == []


def test_no_import_goes_up_a_stage_or_across_to_a_neighbour() -> None:
    wrong = []
    for name, path in MODULES.items():
        found = stage_of(name)
        assert found is not None
        level, stage = found
        for line, imported in imports(path):
            target = stage_of(imported)
            assert target is not None, f"{name} imports {imported}, which is in no stage"
            their_level, their_stage = target
            if their_level > level or (their_level == level and their_stage != stage):
                wrong.append(
                    f"{path.relative_to(ROOT)}:{line}: {stage.name} imports "
                    f"{imported} ({their_stage.name})"
                )
    assert wrong == []


def test_the_checks_see_a_wrong_import() -> None:
    """The rule above fails where it should: pdf and epub are neighbours, layout is
    above pdf, the vocabulary below everything."""
    pdf, epub = stage_of("presswork.pdf.join"), stage_of("presswork.epub.writer")
    layout, model = stage_of("presswork.layout.book"), stage_of("presswork.model")
    assert pdf and epub and layout and model
    assert pdf[0] == epub[0] and pdf[1] != epub[1]
    assert layout[0] > pdf[0] > model[0]
    assert stage_of("presswork.cli")[0] == len(LEVELS) - 1  # type: ignore[index]


def test_the_documented_stages_are_the_declared_ones() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    table = text[text.index("## The stages") : text.index("## What passes")]
    rows = re.findall(r"^\| (\d+) \| ([^|]+) \|", table, re.M)
    documented = [
        (
            int(level),
            [n.strip(" `").removesuffix("/").removesuffix(".py") for n in names.split(",")],
        )
        for level, names in rows
    ]
    declared = [(level, [stage.name for stage in stages]) for level, stages in enumerate(LEVELS)]
    assert documented == declared


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_import_circle() -> None:
    assert circles(graph()) == []


def test_a_circle_is_found_where_there_is_one() -> None:
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_module_opens_with_what_goes_in_and_comes_out(name: str) -> None:
    text = MODULES[name].read_text(encoding="utf-8")
    docstring = ast.get_docstring(ast.parse(text)) or ""
    assert "In:" in docstring and "Out:" in docstring, name
    assert len(text.splitlines()) <= MAX_LINES, f"{name}: {len(text.splitlines())} lines"


def test_verify_loads_no_layout_code(tmp_path: Path) -> None:
    """The release gate reads PDFs and ePubs; WeasyPrint and the layout stay unloaded."""
    probe = (
        "import sys, json;"
        "from presswork.cli import cli;"
        "from presswork.release import verify;"
        f"verify.verify(__import__('pathlib').Path({str(tmp_path)!r}));"
        "print(json.dumps(sorted(m for m in sys.modules"
        " if m.startswith(('weasyprint', 'presswork.layout', 'presswork.render')))))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
