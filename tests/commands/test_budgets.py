"""Manuscripts made to be expensive end, built or refused, in bounded memory: the worst
cases of ``benchmarks/stress.py`` within the limits build, and files over them (a
chapter of 2 GB, a 169-megapixel PNG, an SVG that reads a file, lists nested too deep)
are refused before anything costly, the whole process tree of each build staying under
:data:`BUDGET_MB` and none of its processes left running."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

import processes

from conftest import ROOT

pytestmark = pytest.mark.skipif(not processes.HAS_PROC, reason="reads /proc")

BUDGET_MB = 1_500  # the whole process tree: the CLI, its layout workers, their helpers
SIZE = 40_000  # bytes of chapter text: pathological in shape, quick to lay out


def _stress() -> ModuleType:
    """``benchmarks/stress.py``: its manuscripts and its sampler of a build's processes."""
    if "stress" not in sys.modules:
        spec = importlib.util.spec_from_file_location("stress", ROOT / "benchmarks" / "stress.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["stress"] = module  # before running it: its dataclass looks itself up
        spec.loader.exec_module(module)
    return sys.modules["stress"]


@pytest.mark.parametrize(
    ("case", "size", "status", "code"),
    [
        ("long-paragraph", SIZE, 0, None),
        ("long-words", SIZE, 0, None),  # every other word 199 letters, one short of PW704
        ("deepest-nesting", SIZE, 0, None),  # quotes 17 deep, lists 8: the deepest taken
        ("many-notes", 20_000, 0, None),  # 333 notes: their cost grows faster than their number
        ("unclosed-markers", SIZE, 0, None),
        ("long-note", SIZE, 0, None),  # a note of 40,000 characters, continued after its chapter
        ("deep-nesting", SIZE, 1, "PW604"),
        ("far-over", SIZE, 1, "PW204"),  # a sparse file of 2 GB: never read
        ("image-bomb", SIZE, 1, "PW507"),  # found from the header, never decoded
        ("hostile-svg", SIZE, 1, "PW508"),
    ],
)
def test_a_pathological_manuscript_ends_within_the_memory_budget(
    tmp_path: Path, case: str, size: int, status: int, code: str | None
) -> None:
    stress = _stress()
    manuscript = stress.write_case(case, tmp_path / "manuscript", size)
    done = stress.measure(manuscript, tmp_path / "out", timeout=120)
    assert not done.timed_out, f"{case}: still running after 120 s"
    assert done.returncode == status, done.stderr
    if code is not None:
        assert code in done.codes, done.stderr
    assert done.tree < BUDGET_MB * 2**20, (
        f"{case}: the build's processes held {done.tree / 2**20:.0f} MB at once "
        f"(the budget is {BUDGET_MB:,} MB)"
    )
    assert done.left == 0, f"{case}: {done.left} processes left running after the build"
