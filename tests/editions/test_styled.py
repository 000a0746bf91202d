"""A book with a look of its own: a styles folder beside its book.yaml with a typeface
(a system package's, copied in as a book would ship it), a colour and wider margins,
and a cover image of its own.
Built once; each edition shows the book's look, presswork's own styles folder is left
as it was, and a book without a styles folder of its own is built byte for byte as
with none at all."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

import figures
from presswork.config.look import own_styles, styles_for
from presswork.styles import styles_dir

from conftest import BOOKS, Built, run_presswork

TYPEFACE = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")  # fonts-dejavu-core
MM = 72 / 25.4


def folder_digest(folder: Path) -> str:
    hashed = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        hashed.update(path.relative_to(folder).as_posix().encode() + path.read_bytes())
    return hashed.hexdigest()


@pytest.fixture(scope="module")
def styled(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("styled")
    source, output = root / "source", root / "output"
    shutil.copytree(BOOKS / "styled", source)
    (source / "styles" / "fonts").mkdir()
    shutil.copyfile(TYPEFACE, source / "styles" / "fonts" / "BookSerif.ttf")
    (source / "cover.jpg").write_bytes(figures.cover())
    before = folder_digest(styles_dir())
    result = run_presswork("build", source, "-o", output)
    assert result.returncode == 0, result.stderr
    assert folder_digest(styles_dir()) == before, "presswork's own styles are left alone"
    return Built(output, "a-book-of-its-own-look", result, source)


def test_the_release_gate_passes(styled: Built) -> None:
    result = run_presswork("verify", styled.output)
    assert result.returncode == 0, result.stdout + result.stderr


def words_at(pdf: Path, page: int) -> list[tuple[str, float, str]]:
    """The words of a page with their left edges, in points, from pdftotext's boxes."""
    boxes = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [
        (word, float(x), word)
        for x, word in re.findall(r'<word xMin="([\d.]+)"[^>]*>([^<]*)</word>', boxes)
    ]


def test_the_pdf_sets_the_body_in_the_book_s_typeface_within_its_margins(styled: Built) -> None:
    with pikepdf.open(styled.pdf) as pdf:
        page = pdf.pages[2]
        names = {str(font.BaseFont).split("+")[-1] for font in page.Resources.Font.values()}
        assert "Book-Serif" in names, names
        content = (
            page.obj.Contents.read_bytes()
            if not isinstance(page.obj.Contents, pikepdf.Array)
            else b"".join(c.read_bytes() for c in page.obj.Contents)
        )
    # The rule under the heading, in the book's blue (#0055aa) in the screen edition.
    assert re.search(rb"\b0 0\.33\d* 0\.66\d* (RG|rg)\b", content), "the book's colour"
    lefts = [x for word, x, _ in words_at(styled.pdf, 3) if word[:1].isalpha()]
    assert min(lefts) == pytest.approx(30 * MM, abs=1.0)  # the book's margin, not 20 or 22 mm


def test_the_epub_carries_the_book_s_css_after_presswork_s_and_its_typeface(
    styled: Built,
) -> None:
    files = styled.epub_files
    css = files["EPUB/css/book.css"].decode("utf-8")
    builtin = (styles_dir() / "epub.css").read_text(encoding="utf-8")
    assert styled.source is not None
    own = (styled.source / "styles" / "book.css").read_text(encoding="utf-8")
    assert css.startswith(builtin) and css.rstrip().endswith(own.rstrip())
    assert "margin-left: 30mm" not in css  # the book's pdf.css is the PDF's alone
    assert files["EPUB/css/fonts/BookSerif.ttf"] == TYPEFACE.read_bytes()
    opf = styled.opf
    (item,) = [i for i in opf.iter("{*}item") if i.get("href") == "css/fonts/BookSerif.ttf"]
    assert item.get("media-type") == "font/ttf"


def test_a_character_only_the_book_s_typeface_draws_is_no_error(styled: Built) -> None:
    assert "PW701" not in styled.result.stderr
    assert (
        "ℝ"
        in subprocess.run(
            ["pdftotext", str(styled.pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
    )


def test_a_book_without_styles_of_its_own_is_built_with_presswork_s_alone(
    tmp_path: Path,
) -> None:
    """An empty styles folder is no look of its own: the same bytes as with none."""
    source = tmp_path / "multi"
    shutil.copytree(BOOKS / "multi", source)
    epoch = {"SOURCE_DATE_EPOCH": "1700000000"}
    first = run_presswork("build", source, "-o", tmp_path / "without", env=epoch)
    assert first.returncode == 0, first.stderr
    (source / "styles").mkdir()
    assert own_styles(source) is None and styles_for(source) == styles_dir()
    second = run_presswork("build", source, "-o", tmp_path / "empty", env=epoch)
    assert second.returncode == 0, second.stderr
    for name in ("three-entries.pdf", "three-entries-print.pdf", "three-entries.epub"):
        without = (tmp_path / "without" / name).read_bytes()
        assert without == (tmp_path / "empty" / name).read_bytes(), name


def test_the_book_s_cover_image_is_the_epub_s_cover(styled: Built) -> None:
    assert styled.epub_files["EPUB/images/cover.jpg"] == figures.cover()
    assert "EPUB/images/cover.png" not in styled.epub_files
    (item,) = [i for i in styled.opf.iter("{*}item") if i.get("properties") == "cover-image"]
    assert (item.get("href"), item.get("media-type")) == ("images/cover.jpg", "image/jpeg")
    page = " ".join(styled.epub_files["EPUB/front/cover.xhtml"].decode().split())
    assert 'src="../images/cover.jpg"' in page
