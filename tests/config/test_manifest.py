"""What a manuscript folder says before any chapter is read: the manifest's keys as the
documentation lists them, front matter split with the file's line numbers kept, and the
numbers of styles/production.toml checked as they are read."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from presswork.config.front_matter import KEYS as FRONT_MATTER_KEYS
from presswork.config.front_matter import split_front_matter
from presswork.config.manifest import KEYS
from presswork.errors import ManuscriptError
from presswork.styles import (
    PRODUCTION_FILE,
    print_edition,
    production,
    styles_dir,
)

from conftest import ROOT

MANUSCRIPT_DOC = ROOT / "docs" / "manuscript.md"


def test_the_documented_keys_of_book_yaml_are_the_manifest_s() -> None:
    text = MANUSCRIPT_DOC.read_text(encoding="utf-8")
    section = text[text.index("## `book.yaml`") : text.index("## Chapters")]
    documented = re.findall(r"^\| `([a-z_]+)` \|", section, re.M)
    assert documented == list(KEYS)
    required = re.findall(r"^\| `([a-z_]+)` \|[^|]*\| yes \|", section, re.M)
    assert required == [name for name, key in KEYS.items() if key.required]


def test_the_documented_front_matter_keys_are_those_read() -> None:
    text = MANUSCRIPT_DOC.read_text(encoding="utf-8")
    example = text[text.index("## Chapters") : text.index("# North Korea 2023")]
    assert re.findall(r"^([a-z_]+):", example, re.M) == list(FRONT_MATTER_KEYS)


def test_front_matter_is_split_with_the_file_s_line_numbers_kept() -> None:
    text = "---\nid: alpha\nrunning_head: Alpha\n---\n# Alpha\n\nText.\n"
    split = split_front_matter(Path("a.md"), text)
    assert split.front == {"id": ("alpha", 2), "running_head": ("Alpha", 3)}
    assert split.body_line == 5
    assert split.body.split("\n")[4] == "# Alpha"  # line 5 of the file is line 5 here
    plain = split_front_matter(Path("b.md"), "# B\n")
    assert plain.front == {} and plain.body == "# B\n" and plain.body_line == 1
    with pytest.raises(ManuscriptError) as unclosed:
        split_front_matter(Path("c.md"), "---\nid: c\n# C\n")
    (finding,) = unclosed.value.diagnostics
    assert (finding.code, finding.line) == ("PW101", 1)


def test_the_production_numbers_are_read_and_checked(tmp_path: Path) -> None:
    shipped = production(styles_dir())
    assert shipped.sheet.bleed_mm > 0 and shipped.furniture_pages >= 1
    assert shipped.sheet.slug_mm == pytest.approx(
        shipped.sheet.mark_offset_mm + shipped.sheet.mark_length_mm + shipped.sheet.mark_margin_mm
    )
    original = (styles_dir() / PRODUCTION_FILE).read_text(encoding="utf-8")
    shutil.copytree(styles_dir() / "colour", tmp_path / "colour")
    for edit, named in (
        (lambda t: t.replace("bleed_mm = 3.0", "bleed_mm = -1"), "print.bleed_mm"),
        (lambda t: t.replace("furniture_pages = 64", "furniture_pages = 0"), "furniture_pages"),
        (lambda t: re.sub(r"apart_from = \d+\n", "", t), "apart_from"),
        (lambda t: t.replace("mark_offset_mm = 3.0", "mark_offset_mm = 1.0"), "mark_offset_mm"),
        (lambda t: t + "[[not toml", "not valid TOML"),
        (lambda t: t.replace('condition = "FOGRA39"', 'condition = ""'), "print.condition"),
        (lambda t: t.replace("FOGRA39L_coated.icc", "missing.icc"), "missing.icc"),
        (lambda t: t.replace('"colour/sRGB2014.icc"', '"../pdf.css"'), "screen.profile"),
        (lambda t: t.replace("ink = [0, 0, 0, 100]", "ink = [0, 0, 0, 101]"), "colours.ink"),
        (lambda t: t.replace("ink = [0, 0, 0, 100]", "ink = [0, 0, 100]"), "colours.ink"),
    ):
        (tmp_path / PRODUCTION_FILE).write_text(edit(original), encoding="utf-8")
        with pytest.raises(ValueError, match=re.escape(named)) as raised:
            production(tmp_path)
        assert PRODUCTION_FILE in str(raised.value)


def test_the_print_colours_are_those_of_the_stylesheet(tmp_path: Path) -> None:
    """Every colour of pdf.css has its inks in production.toml, and every ink names a
    colour of pdf.css: the print edition's colours are set once, for each colour."""
    edition = print_edition(styles_dir())
    css = (styles_dir() / "pdf.css").read_text(encoding="utf-8")
    named = dict(re.findall(r"--(\w+): #([0-9a-f]{6});", css))
    assert named, "pdf.css names its colours in :root"
    inks = dict(edition.inks)
    for name, digits in named.items():
        rgb = (int(digits[:2], 16), int(digits[2:4], 16), int(digits[4:], 16))
        assert rgb in inks, name
    # Text and hairlines print in black ink alone.
    assert inks[(0x1A, 0x1A, 0x1A)] == (0.0, 0.0, 0.0, 1.0)
    original = (styles_dir() / PRODUCTION_FILE).read_text(encoding="utf-8")
    shutil.copytree(styles_dir() / "colour", tmp_path / "colour")
    for edit, css_edit, said in (
        (
            lambda t: t + "",
            lambda c: c.replace("--accent:", "--brand: #00ff00;\n  --accent:"),
            "--brand",
        ),
        (lambda t: t.replace("accent =", "accents ="), lambda c: c, "accents"),
        (
            lambda t: t.replace("rule = [0, 0, 0, 100]", "rule = [0, 0, 0, 90]"),
            lambda c: c,
            "#1a1a1a",
        ),
    ):
        (tmp_path / PRODUCTION_FILE).write_text(edit(original), encoding="utf-8")
        (tmp_path / "pdf.css").write_text(css_edit(css), encoding="utf-8")
        with pytest.raises(ValueError, match=re.escape(said)):
            print_edition(tmp_path)
