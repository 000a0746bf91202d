"""A missing system library is named, with the package that installs it on each
platform, before anything is laid out; the libraries are those WeasyPrint loads, and the
README and scripts/setup install the packages system.toml names."""

from __future__ import annotations

import ast
import importlib.util
import re
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from presswork import system
from presswork.system import MissingLibrary, check_system, libraries, loads

from conftest import ROOT


def without(*missing: str) -> Callable[[Sequence[str]], bool]:
    """A finder to which the libraries loaded by any of ``missing`` are not there."""

    def finder(names: Sequence[str]) -> bool:
        return not set(names) & set(missing)

    return finder


def test_a_missing_library_is_named_with_its_package_on_each_platform(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(system, "loads", without("libpango-1.0.so.0"))
    with pytest.raises(MissingLibrary) as raised:
        check_system()
    message = raised.value.format_message()
    assert "Pango (pango-1.0)" in message
    assert "sudo apt-get install libpango-1.0-0\n" in message
    assert "sudo dnf install pango\n" in message
    assert "brew install pango\n" in message
    # The libraries that load are not asked for.
    assert "harfbuzz" not in message and "fontconfig" not in message
    assert "pangoft2" not in message
    assert raised.value.exit_code == 3


def test_each_package_is_named_once_for_all_that_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        system, "loads", without("libpango-1.0.so.0", "libpangoft2-1.0.so.0", "fontconfig")
    )
    with pytest.raises(MissingLibrary) as raised:
        check_system()
    message = raised.value.format_message()
    for named in ("(pango-1.0)", "(pangoft2-1.0)", "(fontconfig)"):
        assert named in message
    assert "apt-get install libpango-1.0-0 libpangoft2-1.0-0 libfontconfig1\n" in message
    assert "dnf install pango fontconfig\n" in message  # Fedora's pango has both
    assert "brew install pango fontconfig\n" in message
    missing = [library.library for library in raised.value.missing]
    assert missing == ["pango-1.0", "pangoft2-1.0", "fontconfig"]


def test_every_library_loads_on_this_machine() -> None:
    """scripts/setup installs them all."""
    check_system()


def test_a_library_that_is_not_there_does_not_load() -> None:
    assert loads(["libpango-1.0.so.0"])
    assert not loads(["libpresswork-no-such-library.so.0", "presswork-no-such-library"])


def test_the_check_loads_no_weasyprint() -> None:
    probe = (
        "import sys; from presswork.system import check_system; check_system();"
        "print(sorted(m for m in sys.modules if m.startswith(('weasyprint', 'cffi'))))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def weasyprint_loads() -> dict[str, tuple[list[str], bool]]:
    """What WeasyPrint's ffi module loads: each library's variable, the names it tries
    and whether it goes on without it (``allow_fail``), read from its source."""
    spec = importlib.util.find_spec("weasyprint")
    assert spec is not None and spec.origin is not None
    source = Path(spec.origin).parent / "text" / "ffi.py"
    found = {}
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name)
            and node.value.func.id == "_dlopen"
        ):
            (target,) = node.targets
            assert isinstance(target, ast.Name)
            names = [a.value for a in node.value.args[1:] if isinstance(a, ast.Constant)]
            optional = any(
                k.arg == "allow_fail" and isinstance(k.value, ast.Constant) and k.value.value
                for k in node.value.keywords
            )
            found[target.id] = (names, optional)
    return found


def test_the_names_are_those_weasyprint_loads() -> None:
    loaded = weasyprint_loads()
    assert "pango" in loaded and "fontconfig" in loaded, loaded  # the source was read
    for library in libraries().libraries:
        names, _ = loaded[library.key.replace("-", "_")]
        assert list(library.names) == names, library.key
        assert library.library in names, library.key
    # Every library WeasyPrint cannot do without is looked for, or comes with Pango.
    required = {key for key, (_, optional) in loaded.items() if not optional}
    looked_for = {library.key.replace("-", "_") for library in libraries().libraries}
    assert required - looked_for == {"gobject", "harfbuzz"}


def test_the_readme_and_scripts_setup_install_every_package() -> None:
    known = libraries()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for platform in known.platforms:
        packages = dict.fromkeys(lib.packages[platform.key] for lib in known.libraries)
        command = f"{platform.install} {' '.join(packages)}"
        assert re.search(rf"^{re.escape(command)}$", readme, re.M), command
    setup = (ROOT / "scripts" / "setup").read_text(encoding="utf-8")
    listed = re.search(r"^packages=\(([^)]*)\)", setup, re.M)
    assert listed is not None
    assert {lib.packages["debian"] for lib in known.libraries} <= set(listed.group(1).split())


def test_build_and_watch_name_a_missing_library_before_laying_out(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from presswork.cli import cli

    monkeypatch.setattr(system, "loads", without("libharfbuzz-subset.so.0"))
    runner = CliRunner()
    for command in ("build", "watch"):
        result = runner.invoke(cli, [command, str(ROOT / "manuscript"), "-o", str(tmp_path)])
        assert result.exit_code == 3, (command, result.output)
        assert "HarfBuzz's font subsetter (harfbuzz-subset)" in result.output
        assert "sudo apt-get install libharfbuzz-subset0" in result.output
        assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []
