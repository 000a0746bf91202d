"""The build record names the lock of tested versions (constraints.txt) and says whether
the versions installed are the locked ones; the lock names every package pyproject.toml
asks for, at a version its range admits."""

from __future__ import annotations

import hashlib
import json
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from presswork.config.provenance import Provenance
from presswork.release.record import (
    distribution_key,
    installed_versions,
    lock_entry,
    lock_file,
    locked_versions,
    record,
)

from conftest import ROOT

LOCK = """\
# A comment, then packages as pip freeze names them.
EbookLib==0.20
Jinja2==3.1.6
mdit_py_plugins==0.7.0
pillow==13.0.0  # a comment after a version
ruff==0.17.6

"""


def test_the_lock_is_read_with_names_as_installers_compare_them() -> None:
    assert locked_versions(LOCK) == {
        "ebooklib": "0.20",
        "jinja2": "3.1.6",
        "mdit-py-plugins": "0.7.0",
        "pillow": "13.0.0",
        "ruff": "0.17.6",
    }
    assert distribution_key("Zope.Interface") == "zope-interface"


@pytest.mark.parametrize("line", ["pillow>=13", "pillow", "==13.0.0", "pillow==", "-e ."])
def test_a_line_that_pins_no_version_is_an_error(line: str) -> None:
    with pytest.raises(ValueError, match=r"constraints\.txt:2: "):
        locked_versions(f"jinja2==3.1.6\n{line}\n")


def test_the_entry_names_the_lock_its_checksum_and_what_differs(tmp_path: Path) -> None:
    lock = tmp_path / "constraints.txt"
    lock.write_text(LOCK, encoding="utf-8")
    as_locked = {"ebooklib": "0.20", "jinja2": "3.1.6", "mdit-py-plugins": "0.7.0"}
    entry = lock_entry(lock, {**as_locked, "pillow": "13.0.0", "something-else": "1.0"})
    assert entry == {
        "file": "constraints.txt",
        "sha256": hashlib.sha256(LOCK.encode("utf-8")).hexdigest(),
        "installed_as_locked": True,  # ruff, a test tool, is not installed: no matter
        "differences": {},
    }
    entry = lock_entry(lock, {**as_locked, "pillow": "12.2.0"})
    assert entry is not None
    assert entry["installed_as_locked"] is False
    assert entry["differences"] == {"pillow": {"locked": "13.0.0", "installed": "12.2.0"}}
    assert lock_entry(None, as_locked) is None


def test_the_record_names_the_lock_of_this_checkout() -> None:
    origin = Provenance(
        date=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        date_from="SOURCE_DATE_EPOCH",
        commit=None,
        dirty=False,
    )
    written = json.loads(record([], origin))
    lock = ROOT / "constraints.txt"
    assert lock_file() == lock
    assert written["constraints"]["file"] == "constraints.txt"
    assert written["constraints"]["sha256"] == hashlib.sha256(lock.read_bytes()).hexdigest()


def test_this_environment_is_installed_as_locked() -> None:
    """scripts/setup installs with -c constraints.txt: the tests run, and releases are
    built, with exactly the locked versions."""
    entry = lock_entry(ROOT / "constraints.txt", installed_versions())
    assert entry is not None
    assert entry["differences"] == {}, "run scripts/setup: the versions are not the locked ones"


def declared_requirements() -> list[Requirement]:
    with (ROOT / "pyproject.toml").open("rb") as stream:
        project = tomllib.load(stream)["project"]
    lines = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        lines += extra
    return [Requirement(line) for line in lines]


def test_the_lock_admits_every_range_pyproject_declares() -> None:
    locked = locked_versions((ROOT / "constraints.txt").read_text(encoding="utf-8"))
    requirements = declared_requirements()
    assert any(r.name == "weasyprint" for r in requirements)  # pyproject was read
    for requirement in requirements:
        version = locked.get(distribution_key(requirement.name))
        assert version is not None, f"{requirement.name} is not in constraints.txt"
        assert requirement.specifier.contains(version), f"{requirement} excludes {version}"
        # Every range stops before a release presswork has not been tested with.
        assert any(s.operator == "<" for s in requirement.specifier), requirement
