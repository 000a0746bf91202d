"""A book's styles laid over presswork's: what the folder made holds, that it is made
once per content, and that presswork's numbers and colour profiles stay its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from presswork.config.look import styles_for
from presswork.styles import styles_dir


@pytest.fixture
def book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = tmp_path / "book"
    (root / "styles" / "fonts").mkdir(parents=True)
    (root / "styles" / "book.css").write_text("h2 { color: #0055aa; }\n", encoding="utf-8")
    (root / "styles" / "epub.css").write_text("p { text-indent: 2em; }\n", encoding="utf-8")
    (root / "styles" / "fonts" / "Own.ttf").write_bytes(b"not really a font")
    (root / "styles" / "production.toml").write_text("nonsense = 1\n", encoding="utf-8")
    return root


def test_the_book_s_css_comes_after_presswork_s_in_each_edition(book: Path) -> None:
    made = styles_for(book)
    builtin = styles_dir()
    pdf = (made / "pdf.css").read_text(encoding="utf-8")
    epub = (made / "epub.css").read_text(encoding="utf-8")
    assert pdf.startswith((builtin / "pdf.css").read_text(encoding="utf-8"))
    assert pdf.rstrip().endswith("h2 { color: #0055aa; }")
    assert "text-indent: 2em" not in pdf
    assert epub.startswith((builtin / "epub.css").read_text(encoding="utf-8"))
    assert epub.index("h2 { color: #0055aa; }") < epub.index("p { text-indent: 2em; }")
    assert (made / "fonts" / "Own.ttf").read_bytes() == b"not really a font"
    assert (made / "fonts" / "inter").is_dir()  # presswork's typefaces are still there
    production = (made / "production.toml").read_bytes()
    assert production == (builtin / "production.toml").read_bytes()


def test_the_folder_is_made_once_for_each_content_and_others_cannot_write_it(book: Path) -> None:
    made = styles_for(book)
    assert styles_for(book) == made
    assert made.parent.stat().st_mode & 0o022 == 0
    (book / "styles" / "book.css").write_text("h2 { color: #aa0055; }\n", encoding="utf-8")
    changed = styles_for(book)
    assert changed != made and "#aa0055" in (changed / "pdf.css").read_text(encoding="utf-8")
    assert "#0055aa" in (made / "pdf.css").read_text(encoding="utf-8")  # never changed


def test_a_cover_design_of_the_book_s_replaces_presswork_s(book: Path) -> None:
    (book / "styles" / "cover.toml").write_text("# the book's own\n", encoding="utf-8")
    assert (styles_for(book) / "cover.toml").read_text(encoding="utf-8") == "# the book's own\n"
