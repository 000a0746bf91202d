"""The book laid out in units, in worker processes, and joined, equals the book laid out
as one document; a rebuild lays out only the units an edit touched; a damaged cache is
never trusted."""

from __future__ import annotations

import json
import multiprocessing
import re
import shutil
import subprocess
import threading
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from PIL import Image, ImageChops
from pypdf import PdfReader

from conftest import BOOKS, Built, run_presswork

CACHE = Path(".presswork-cache")


def apart() -> dict[str, Any]:
    """The build's arguments that set every book apart (as a long report is): the front
    matter and the join in processes of their own."""
    from dataclasses import replace

    from presswork.styles import production, styles_dir

    return {"settings": replace(production(styles_dir()), apart_from=1)}


def build(source: Path, output: Path, *options: str) -> subprocess.CompletedProcess[str]:
    result = run_presswork("build", source, "-o", output, *options)
    assert result.returncode == 0, result.stderr
    return result


def single(built: Built, output: Path) -> Built:
    """The same book laid out as one WeasyPrint document."""
    assert built.source is not None
    return Built(output, built.slug, build(built.source, output, "--single"), built.source)


@pytest.fixture(scope="session")
def reordered(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The three-chapter book with its figure on a left-hand page (and so moved, as the
    figure's chapter was laid out from a right-hand page)."""
    source = tmp_path_factory.mktemp("reordered-source") / "book"
    shutil.copytree(BOOKS / "multi", source)
    config = source / "book.yaml"
    text = config.read_text(encoding="utf-8")
    head = text[: text.index("chapters:")]
    config.write_text(head + "chapters:\n  - gamma.md\n  - alpha.md\n  - beta.md\n", "utf-8")
    output = tmp_path_factory.mktemp("reordered")
    return Built(output, "three-entries", build(source, output, "--jobs", "2"), source)


@pytest.fixture(scope="session", params=["multi", "long_book", "reordered"])
def pair(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A book built in units (in two processes) and the same book as one document."""
    built: Built = request.getfixturevalue(request.param)
    return built, single(built, tmp_path_factory.mktemp(f"{request.param}-single"))


def page_texts(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[:-1]


def page_images(pdf: Path, folder: Path) -> list[Image.Image]:
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(folder / "p")], check=True)
    return [Image.open(p).convert("L") for p in sorted(folder.glob("p-*.png"))]


def differing_pixels(a: Image.Image, b: Image.Image) -> int:
    """Pixels that differ by more than a sixth of the scale. The antialiasing of glyphs
    from two subsets of one font differs in a handful; text moved sideways by the 2 mm
    between a left and a right page's margins, in thousands. (The text of each page,
    folios and running heads included, is compared exactly.)"""
    assert a.size == b.size
    return sum(ImageChops.difference(a, b).point(lambda v: 255 if v > 40 else 0).histogram()[255:])


def structure(pdf_path: Path) -> dict[str, Any]:
    """What a reader of the PDF reaches besides its text: the outline, the links and
    destinations (resolved to page and position), the structure tree with its pages,
    ids, alternative texts and figure boxes, and the notes' ids."""
    with pikepdf.open(pdf_path) as pdf:
        pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
        names: dict[str, Any] = {}

        def name_tree(node: Any) -> None:
            items = list(node.get("/Names", []))
            names.update({str(k): v for k, v in zip(items[::2], items[1::2], strict=True)})
            for kid in node.get("/Kids", []):
                name_tree(kid)

        name_tree(pdf.Root.Names.Dests)

        def where(dest: Any) -> tuple[int, float, float]:
            if isinstance(dest, pikepdf.String):
                dest = names[str(dest)]
            return pages[dest[0].objgen], round(float(dest[2]), 2), round(float(dest[3]), 2)

        outline: list[tuple[int, str, tuple[int, float, float]]] = []

        def walk_outline(item: Any, level: int) -> None:
            while item is not None:
                outline.append((level, str(item.Title), where(item.Dest)))
                walk_outline(item.get("/First"), level + 1)
                item = item.get("/Next")

        walk_outline(pdf.Root.Outlines.get("/First"), 1)
        links = []
        for index, page in enumerate(pdf.pages):
            for annotation in page.obj.get("/Annots", []):
                rect = [round(float(v), 2) for v in annotation.Rect]
                if "/Dest" in annotation:
                    target = (str(annotation.Dest), where(annotation.Dest))
                    links.append((index, rect, target, str(annotation.Contents)))
                else:
                    links.append((index, rect, str(annotation.A.URI)))
        elements = []

        def walk(element: Any, depth: int) -> None:
            kids = element.get("/K")
            kids = [] if kids is None else list(kids) if isinstance(kids, pikepdf.Array) else [kids]
            for kid in kids:
                if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    box = kid.A.get("/BBox") if "/A" in kid else None
                    elements.append(
                        (
                            depth,
                            str(kid.S),
                            pages[kid.Pg.objgen] if "/Pg" in kid else None,
                            str(kid.get("/ID", "")),
                            str(kid.get("/Alt", "")),
                            None if box is None else [round(float(v), 2) for v in box],
                        )
                    )
                    walk(kid, depth + 1)

        tree = pdf.Root.StructTreeRoot
        walk(tree, 0)
        ids = [str(name) for name in list(tree.IDTree.Names)[::2]]
        dests = sorted((name, where(dest)) for name, dest in names.items())
        catalog = {
            key: str(pdf.Root.get(key)) for key in ("/Lang", "/MarkInfo", "/ViewerPreferences")
        }
        return {
            "document information": {str(k): str(v) for k, v in pdf.docinfo.items()},
            "XMP metadata": pdf.Root.Metadata.read_bytes(),
            "catalog": catalog,
            "outline": outline,
            "links": links,
            "structure": elements,
            "note ids": ids,
            "destinations": dests,
        }


def embedded_fonts(pdf_path: Path) -> tuple[Counter[str], int]:
    """How many font descriptors each font name has, and how many font files the PDF
    embeds."""
    with pikepdf.open(pdf_path) as pdf:
        names: Counter[str] = Counter()
        files: set[tuple[int, int]] = set()
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                names[str(obj.FontName)] += 1
                for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                    if key in obj:
                        files.add(obj[key].objgen)
        return names, len(files)


# The joined book equals the book laid out whole -----------------------------------


def test_joined_pages_have_the_text_folios_and_look_of_the_single_layout(
    pair: tuple[Built, Built], tmp_path: Path
) -> None:
    joined, whole = pair
    assert "laid out" in joined.result.stdout
    texts, expected = page_texts(joined.pdf), page_texts(whole.pdf)
    assert len(texts) == len(expected) > 3
    for number, (got, want) in enumerate(zip(texts, expected, strict=True), start=1):
        assert got == want, f"page {number} differs"
    # Folios stand on every chapter page, in sequence, and nowhere in the front matter.
    front = len([t for t in expected if not re.search(r"^\s*\d+\s*$", t, re.M)])
    assert front >= 2
    for number, text in enumerate(texts[front:], start=front + 1):
        assert re.search(rf"^\s*{number}\s*$", text, re.M), f"no folio {number}"
    # Page by page, the same picture: running heads, folios, notes and figures in place.
    images = page_images(joined.pdf, tmp_path / "joined")
    expected_images = page_images(whole.pdf, tmp_path / "whole")
    for number, (got_image, want_image) in enumerate(zip(images, expected_images, strict=True)):
        assert differing_pixels(got_image, want_image) < 30, f"page {number + 1} looks different"


def test_joined_outline_links_destinations_and_structure_equal_the_single_layout(
    pair: tuple[Built, Built],
) -> None:
    joined, whole = pair
    got, want = structure(joined.pdf), structure(whole.pdf)
    for part in want:
        assert got[part] == want[part], part
    chapters = [title for level, title, _ in got["outline"] if level == 1]
    assert len(chapters) >= 3
    # Links between units became links inside the PDF: none is left as a URI.
    assert not [link for link in got["links"] if "presswork-xref" in str(link)]
    assert [link for link in got["links"] if link[0] < 3 and len(link) == 4]  # the contents
    assert Counter(element[1] for element in got["structure"])["/Note"] >= 3


def test_the_single_layout_is_tagged_as_fully_as_the_joined(pair: tuple[Built, Built]) -> None:
    """Laid out as one document, WeasyPrint leaves an element holding a line's empty
    text out of the tree here and there: its marked content would be in no element."""
    from presswork.release.pdfchecks import pdf_structure, structure_against

    joined, whole = pair
    for built in (joined, whole):
        verdicts = [*pdf_structure(built.pdf, False), structure_against(built.pdf, built.epub)]
        assert [v.detail for v in verdicts if v.passed is not True] == [], built.output


def test_each_face_is_embedded_once_and_the_file_is_no_bigger(
    pair: tuple[Built, Built],
) -> None:
    joined, whole = pair
    names, files = embedded_fonts(joined.pdf)
    whole_names, whole_files = embedded_fonts(whole.pdf)
    # One font file for each face, as in the single layout; the fonts are those of the
    # single layout (a font can need two dictionaries where parts rounded its widths at
    # different sizes, never one per part), and no two dictionaries share a name.
    assert files == whole_files

    def faces(counted: Counter[str]) -> Counter[str]:
        return Counter(name.split("+")[-1] for name in counted.elements())

    assert set(faces(names)) == set(faces(whole_names))
    assert all(count <= 2 for count in faces(names).values()), names
    assert all(count == 1 for count in names.values()), names
    assert joined.pdf.stat().st_size <= 1.25 * whole.pdf.stat().st_size
    for built in (joined, whole):
        check = subprocess.run(["qpdf", "--check", str(built.pdf)], capture_output=True)
        assert check.returncode == 0, check.stdout


def test_contents_print_the_pages_the_chapters_begin_on(long_book: Built) -> None:
    texts = page_texts(long_book.pdf)
    contents = next(t for t in texts if "Contents" in t)
    for title in ("Alpha Land", "Beta Land", "Gamma Land", "Delta Land"):
        match = re.search(rf"{title}[ .]+(\d+)", contents)
        assert match, title
        assert title in texts[int(match[1]) - 1], title


@pytest.mark.parametrize("edition", ["joined", "single"])
def test_each_contents_entry_is_one_link_over_its_whole_row(
    pair: tuple[Built, Built], edition: str
) -> None:
    """A contents entry is one link annotation, from its title to its page number,
    whichever way the book was laid out (WeasyPrint would give each element inside a
    link an annotation of its own)."""
    built = pair[0] if edition == "joined" else pair[1]
    texts = page_texts(built.pdf)
    index = next(i for i, t in enumerate(texts) if "Contents" in t)
    entries = re.findall(r"^\s*\S.*?\s(\d+)\s*$", texts[index], re.M)
    words = subprocess.run(
        ["pdftotext", "-f", str(index + 1), "-l", str(index + 1), "-bbox", built.pdf, "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    number_right = max(
        float(m[1])
        for m in re.finditer(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>\d+<', words)
    )
    with pikepdf.open(built.pdf) as pdf:
        page = pdf.pages[index]
        annotations = list(page.obj.get("/Annots", []))
        targets = [str(a.get("/Dest", a.get("/A", {}).get("/D", ""))) for a in annotations]
        left = float(page.obj.MediaBox[0])
        rects = [[float(v) for v in a.Rect] for a in annotations]
    assert entries and len(annotations) == len(entries), (len(annotations), len(entries))
    assert len(set(targets)) == len(targets), targets
    for rect in rects:
        assert rect[2] - left >= number_right - 0.5, (rect, number_right)


def test_the_number_of_processes_does_not_change_a_byte(multi: Built, tmp_path: Path) -> None:
    assert multi.source is not None
    build(multi.source, tmp_path, "--jobs", "1")
    for edition in (multi.pdf, multi.print_pdf, multi.epub):
        assert (tmp_path / edition.name).read_bytes() == edition.read_bytes()


def test_a_book_set_apart_is_the_same_to_the_byte(multi: Built, tmp_path: Path) -> None:
    """A long book's front matter is measured and written in a process of its own, its
    numbers set into the kept layout, and it is joined in a process of its own while the
    ePub is written, its fonts subset in the layout processes: the editions are those of
    a short book's way."""
    from presswork.commands.build import BuildRequest, build
    from presswork.layout.workers import Workers

    assert multi.source is not None
    with Workers(2) as workers:
        build(BuildRequest(multi.source, tmp_path), workers=workers, **apart())
        assert workers.started == ("front", "join", "layout")
        # The fonts were subset in a layout process, not where the whole book is held.
        assert not workers.loaded("join", "fontTools.subset")
        assert workers.loaded("join", "pikepdf")
    for edition in (multi.pdf, multi.print_pdf, multi.epub):
        assert (tmp_path / edition.name).read_bytes() == edition.read_bytes()


def test_a_warm_layout_process_has_loaded_weasyprint_and_the_styles() -> None:
    """The process a build starts while it checks the manuscript has WeasyPrint loaded
    and the styles parsed by the time the first chapter reaches it."""
    from presswork.layout.warmup import load_layout
    from presswork.layout.workers import Workers
    from presswork.styles import styles_dir

    with Workers(2) as workers:
        warming = workers.warm(load_layout, BOOKS / "multi", styles_dir())
        assert warming is not None and warming.result(timeout=60)
        assert workers.warm(load_layout, BOOKS / "multi", styles_dir()) is None  # once is enough
        assert workers.loaded("layout", "presswork.layout.engine")


def test_furniture_laid_out_as_chapters_come_is_the_same_to_the_byte(
    multi: Built, tmp_path: Path
) -> None:
    """With runs of one page, each chapter's furniture is laid out as soon as its page
    count is known, while the chapters after it are laid out (two processes): the
    editions are those of one process, which lays all the furniture out at the end."""
    from presswork.commands.build import BuildRequest, build
    from presswork.layout.workers import Workers
    from presswork.styles import production, styles_dir

    assert multi.source is not None
    settings = replace(production(styles_dir()), furniture_pages=1)
    for jobs in (1, 2):
        with Workers(jobs) as workers:
            request = BuildRequest(multi.source, tmp_path / f"jobs-{jobs}")
            built = build(request, workers=workers, settings=settings)
        assert built.work.furniture_pages > 0
    for edition in (multi.pdf, multi.print_pdf, multi.epub):
        one, two = (tmp_path / f"jobs-{jobs}" / edition.name for jobs in (1, 2))
        assert one.read_bytes() == two.read_bytes()


@pytest.mark.parametrize("run_pages", [1, 5, 12, 64])
def test_the_furniture_of_the_first_chapters_is_the_whole_books(run_pages: int) -> None:
    """The furniture units decided by the first chapters laid out (a unit that a later
    chapter could still join is left for later) are the whole book's, and together
    with the rest once all are laid out, the same units."""
    from presswork.layout.book import _furniture
    from presswork.layout.units import UnitLayout, blanks_before
    from presswork.manuscript.load import load

    book = load(BOOKS / "multi").book
    assert book is not None
    counts = [3, 1, 4, 1, 5, 9, 2, 6]
    book = replace(book, chapters=tuple(book.chapters[i % len(book.chapters)] for i in range(8)))
    chapters = [UnitLayout(b"", n, (), {}, (0.0,) * n) for n in counts]

    def units(upto: int, start: int, whole: bool) -> list[Any]:
        blanks = blanks_before(7, counts[:upto], right=True)
        return _furniture(book, 7, chapters[:upto], blanks, run_pages, start, whole)

    whole = units(len(counts), 0, whole=True)
    made: list[Any] = []
    for upto in range(1, len(counts) + 1):
        made += units(upto, sum(len(u.book.chapters) for u in made), whole=False)
    made += units(len(counts), sum(len(u.book.chapters) for u in made), whole=True)
    assert [(u.name, u.furniture, u.blanks) for u in made] == [
        (u.name, u.furniture, u.blanks) for u in whole
    ]
    assert sum(u.furniture_pages for u in whole) == sum(counts) + sum(
        blanks_before(7, counts, right=True)
    )


def _heap() -> tuple[tuple[int, ...], int]:
    import gc

    return gc.get_threshold(), gc.get_freeze_count()


def test_a_worker_sweeps_its_garbage_seldom_and_not_through_weasyprint() -> None:
    """A layout process collects cycles every 100,000 allocations, not Python's 700,
    and once WeasyPrint is loaded and the styles parsed, what it holds is frozen out of
    every sweep; the process that builds keeps Python's defaults."""
    import gc

    from presswork.layout.warmup import load_layout
    from presswork.layout.workers import Workers
    from presswork.styles import styles_dir

    with Workers(2) as workers:
        threshold, frozen = workers.submit("layout", _heap).result(timeout=60)
        assert threshold[0] >= 10_000
        warming = workers.warm(load_layout, BOOKS / "multi", styles_dir())
        assert warming is not None and warming.result(timeout=60)
        threshold, after = workers.submit("layout", _heap).result(timeout=60)
        assert after > max(frozen, 10_000)  # WeasyPrint's modules, the parsed styles
    assert gc.get_threshold()[0] < 10_000 and gc.get_freeze_count() == 0


def test_a_rebuild_starts_the_join_before_the_chapters_are_read(tmp_path: Path) -> None:
    """A long book whose cache holds pages has its join's process started as soon as the
    number of chapters is known, loading what it needs; a first build, whose cache is
    empty, starts it only when there is something to join."""
    from dataclasses import replace

    from presswork.cache import Store, environment_key
    from presswork.layout.book import UNIT_PDF, Setup
    from presswork.layout.paged import set_apart
    from presswork.layout.workers import Workers
    from presswork.styles import production, styles_dir

    store = Store.of(tmp_path / "output")
    styles = styles_dir()
    setup = Setup(
        BOOKS / "multi",
        styles,
        environment_key(styles),
        store,
        replace(production(styles), apart_from=3),
    )
    with Workers(2) as workers:
        set_apart(2, setup, workers, with_pdf=True)
        assert not workers.apart and workers.started == ()
        set_apart(3, setup, workers, with_pdf=True)  # long, but nothing to open
        assert workers.apart and workers.started == ()
    store.write(UNIT_PDF, "ab" * 32, b"%PDF-")
    with Workers(2) as workers:
        set_apart(3, setup, workers, with_pdf=False)  # no PDF: no join
        assert workers.started == ()
        set_apart(3, setup, workers, with_pdf=True)
        assert workers.started == ("join",)
        assert workers.loaded("join", "presswork.pdf.fontmerge")
        assert not workers.loaded("join", "presswork.render.html")  # no templates to join


def test_a_failed_build_leaves_no_step_of_its_join_to_run(
    multi: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long book's join goes on from step to step in a thread of the build while the
    ePub is written; a build that fails meanwhile waits for it to end, so that nothing of
    it runs on after the build (a watch goes on with the same processes)."""
    from presswork.commands import build as building
    from presswork.errors import OutputError, diagnostic
    from presswork.layout.workers import Workers

    def failing(*args: object) -> bytes:
        raise OutputError(diagnostic("PW902", "the ePub cannot be written"))

    assert multi.source is not None
    request = building.BuildRequest(multi.source, tmp_path)
    monkeypatch.setattr(building, "render_epub", failing)
    with Workers(2) as workers:
        with pytest.raises(OutputError):
            building.build(request, workers=workers, **apart())
        assert not [t for t in threading.enumerate() if t.name == "presswork-join"]
        monkeypatch.undo()
        building.build(request, workers=workers, **apart())  # the same processes
    for edition in (multi.pdf, multi.print_pdf, multi.epub):
        assert (tmp_path / edition.name).read_bytes() == edition.read_bytes()


def test_a_unit_is_laid_out_from_the_html_its_job_carries(tmp_path: Path) -> None:
    """The HTML rendered for a unit's key travels with its job, and the layout process
    lays that out rather than render the templates again; it renders only a layout that
    raises a paragraph's widows setting to keep a note with its call."""
    from dataclasses import replace

    from presswork import cache
    from presswork.layout import units
    from presswork.manuscript.load import load_book
    from presswork.render.html import Refinements
    from presswork.styles import styles_dir

    loaded = load_book(BOOKS / "multi", None)
    book, styles = loaded.book, styles_dir()
    chapter = book.chapters[0]
    unit = units.Unit(f"chapter {chapter.id}", replace(book, chapters=(chapter,)), chapter=chapter)
    rendered = unit.html(Refinements())
    assert "Alpha background paragraph 1." in rendered
    job = units.Job(
        unit,
        loaded.config.root,
        styles,
        cache.environment_key(styles),
        html=rendered.replace("Alpha background paragraph 1.", "Carried paragraph one."),
    )
    laid_out = units.unit_layout(job)
    pdf = tmp_path / "unit.pdf"
    pdf.write_bytes(laid_out.pdf)
    text = " ".join(" ".join(page.split()) for page in page_texts(pdf))
    assert "Carried paragraph one." in text
    assert "Alpha background paragraph 1." not in text
    raised = Refinements(widows={"alpha--_p2": 3})
    assert job.render(unit.html)(raised) == unit.html(raised)  # refined: rendered anew
    assert "widows-3" in unit.html(raised)


def test_a_joined_book_is_let_go_when_the_next_join_starts(multi: Built, tmp_path: Path) -> None:
    """The join hands its editions back before it frees the joined book, which it lets go
    of at the next join: a process that joins book after book holds one at most."""
    from presswork.commands.build import BuildRequest, build
    from presswork.layout import joining

    assert multi.source is not None
    build(BuildRequest(multi.source, tmp_path / "first", jobs=1))
    first = joining._HERE.spent
    assert first is not None and joining._HERE.joining is None
    build(BuildRequest(multi.source, tmp_path / "second", jobs=1))
    assert joining._HERE.spent is not None and joining._HERE.spent is not first


# Rebuilding -----------------------------------------------------------------------


EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}  # copies outside git would take their mtime


@pytest.fixture(scope="session")
def editable(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The three-chapter book, built once from a copy that tests copy again and edit."""
    root = tmp_path_factory.mktemp("editable")
    source, output = root / "source", root / "output"
    shutil.copytree(BOOKS / "multi", source)
    result = run_presswork("build", source, "-o", output, env=EPOCH)
    assert result.returncode == 0, result.stderr
    return Built(output, "three-entries", result, source)


@pytest.fixture
def copy_of_multi(editable: Built, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the book's source and of its built output (the cache with it), in
    another folder, built there once: WeasyPrint names images after their URL, so only
    gamma, the chapter with a figure, is laid out again."""
    assert editable.source is not None
    source, output = tmp_path / "source", tmp_path / "output"
    shutil.copytree(editable.source, source)
    shutil.copytree(editable.output, output)
    assert laid_out(rebuild(source, output)) == work(["gamma"])
    return source, output


def rebuild(source: Path, output: Path, *options: str) -> subprocess.CompletedProcess[str]:
    result = run_presswork("build", source, "-o", output, "--json", *options, env=EPOCH)
    assert result.returncode == 0, result.stderr
    return result


def laid_out(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """What the build summary says was laid out."""
    summary: dict[str, Any] = json.loads(result.stdout)["laid_out"]
    return summary


def work(
    chapters: list[str], front: bool = False, furniture_pages: int = 0, of: int = 3
) -> dict[str, Any]:
    return {
        "chapters": chapters,
        "of_chapters": of,
        "front_matter": front,
        "furniture_pages": furniture_pages,
    }


def test_an_unchanged_book_is_not_laid_out_again(
    editable: Built, copy_of_multi: tuple[Path, Path]
) -> None:
    source, output = copy_of_multi
    before = {p.name: p.read_bytes() for p in output.iterdir() if p.is_file()}
    assert laid_out(rebuild(source, output)) == work([])
    assert {p.name: p.read_bytes() for p in output.iterdir() if p.is_file()} == before


def test_a_one_word_edit_lays_out_only_its_chapter(
    editable: Built, copy_of_multi: tuple[Path, Path], tmp_path: Path
) -> None:
    source, output = copy_of_multi
    before = {e.name: (output / e.name).read_bytes() for e in (editable.pdf, editable.epub)}
    beta = source / "beta.md"
    text = beta.read_text(encoding="utf-8")
    assert "paragraph" in text
    beta.write_text(text.replace("paragraph", "passage", 1), encoding="utf-8")
    assert laid_out(rebuild(source, output)) == work(["beta"])
    # The rebuilt book is the book built afresh.
    fresh = tmp_path / "fresh"
    rebuild(source, fresh)
    for edition in (editable.pdf, editable.print_pdf, editable.epub):
        rebuilt = (output / edition.name).read_bytes()
        assert rebuilt == (fresh / edition.name).read_bytes()
        assert rebuilt != before.get(edition.name)
    assert len(list((output / CACHE / "unit-pdf").iterdir())) == 6  # the old entry is gone


def test_a_longer_chapter_moves_what_follows_without_laying_it_out(
    editable: Built, copy_of_multi: tuple[Path, Path], tmp_path: Path
) -> None:
    source, output = copy_of_multi
    alpha = source / "alpha.md"
    text = alpha.read_text(encoding="utf-8")
    more = "\n\n".join(f"An added paragraph {n} that runs on " * 12 for n in range(30))
    alpha.write_text(text.rstrip() + "\n\n" + more + "\n", encoding="utf-8")
    # The contents' numbers and the folios change: the front matter and furniture are
    # laid out again, the chapters after alpha are not.
    result = laid_out(rebuild(source, output))
    whole = tmp_path / "whole"
    rebuild(source, whole, "--single")
    pdf = output / editable.pdf.name
    # The furniture from alpha's first page (4) to the book's last.
    assert result == work(["alpha"], True, len(PdfReader(pdf).pages) - 3)
    assert page_texts(pdf) == page_texts(whole / editable.pdf.name)
    assert structure(pdf) == structure(whole / editable.pdf.name)


def test_a_one_chapter_rebuild_of_a_long_book(
    editable: Built,
    copy_of_multi: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """After an edit, the one chapter to lay out waits for the layout process that is
    loading WeasyPrint while the manuscript is checked, rather than have the pool start
    a second process to load WeasyPrint again on the same cores; meanwhile the join's
    process opens the chapters found in the cache, which the join then takes by their
    keys. The editions are those of the book built afresh."""
    from presswork.commands.build import BuildRequest, build
    from presswork.layout import joining
    from presswork.layout.workers import Workers

    source, output = copy_of_multi
    for name, value in EPOCH.items():
        monkeypatch.setenv(name, value)
    beta = source / "beta.md"
    beta.write_text(beta.read_text(encoding="utf-8").replace("paragraph", "passage", 1))
    before = set(multiprocessing.active_children())
    requests: list[Any] = []
    with Workers(2) as workers:
        submit = workers.submit

        def recording(kind: Any, function: Any, *args: Any) -> Any:
            if function is joining.start_join:
                requests.append(args[0])
            return submit(kind, function, *args)

        monkeypatch.setattr(workers, "submit", recording)
        built = build(BuildRequest(source, output), workers=workers, **apart())
        assert built.laid_out == ("chapter beta",)
        started = set(multiprocessing.active_children()) - before
        assert workers.started == ("join", "layout")
        assert len(started) == 2  # the join's and one layout process
    # Closed, the pools have waited for every one of their processes to leave.
    assert not set(multiprocessing.active_children()) - before
    (request,) = requests
    # alpha and gamma went by their keys alone, beta (laid out just now) with its PDF
    assert [bool(chapter[0]) for chapter in request.chapters] == [False, True, False]
    fresh = tmp_path / "fresh"
    rebuild(source, fresh)
    for edition in (editable.pdf, editable.print_pdf, editable.epub):
        assert (output / edition.name).read_bytes() == (fresh / edition.name).read_bytes()


def test_the_epub_alone_takes_its_page_numbers_from_the_cache(
    editable: Built, copy_of_multi: tuple[Path, Path]
) -> None:
    source, output = copy_of_multi
    epub = output / editable.epub.name
    before = epub.read_bytes()
    epub.unlink()
    result = rebuild(source, output, "--format", "epub")
    # No furniture: the ePub needs only where the pages begin. A full build after it
    # still finds the furniture in the cache.
    assert laid_out(result) == work([])
    assert epub.read_bytes() == before
    assert laid_out(rebuild(source, output)) == work([])


def _damage_pdf(cache: Path, key: str) -> None:
    pdf = cache / "unit-pdf" / key
    pdf.write_bytes(pdf.read_bytes()[:-100])


def _damage_record(cache: Path, key: str) -> None:
    record = cache / "unit" / key
    record.write_bytes(record.read_bytes().replace(b'"pages":', b'"pages":1', 1))


def _other_format(cache: Path, key: str) -> None:
    from presswork.cache import FORMAT

    record = cache / "unit" / key
    record.write_bytes(record.read_bytes().replace(f" {FORMAT} ".encode(), b" 1 ", 1))


def _not_a_record(cache: Path, key: str) -> None:
    (cache / "unit" / key).write_text("{ not json", encoding="utf-8")


def _another_key(cache: Path, key: str) -> None:
    """A record (whole, its digest right) kept under another unit's key."""
    other = next(p for p in (cache / "unit").iterdir() if p.name != key)
    (cache / "unit" / key).write_bytes(other.read_bytes())


@pytest.mark.parametrize(
    "damage", [_damage_pdf, _damage_record, _other_format, _not_a_record, _another_key]
)
def test_a_damaged_cache_entry_is_laid_out_again(
    editable: Built, copy_of_multi: tuple[Path, Path], damage: Any
) -> None:
    source, output = copy_of_multi
    editions = (editable.pdf, editable.print_pdf, editable.epub)
    before = {e.name: (output / e.name).read_bytes() for e in editions}
    cache = output / CACHE
    entries = sorted((cache / "unit").iterdir())
    assert len(entries) == 6
    (alpha,) = [e for e in entries if b'"anchors":{"alpha' in e.read_bytes()]
    record, pdf = alpha.read_bytes(), (cache / "unit-pdf" / alpha.name).read_bytes()
    damage(cache, alpha.name)
    damaged = alpha.read_bytes(), (cache / "unit-pdf" / alpha.name).read_bytes()
    assert damaged != (record, pdf)
    assert laid_out(rebuild(source, output)) == work(["alpha"])
    assert {e.name: (output / e.name).read_bytes() for e in editions} == before
    assert alpha.read_bytes() == record
    assert (cache / "unit-pdf" / alpha.name).read_bytes() == pdf


def test_the_report_says_what_it_laid_out(north_korea: Built) -> None:
    """In the book's words, with the time the build took: no unit, no internal name."""
    last = north_korea.result.stdout.strip().splitlines()[-1]
    reader = north_korea.pdf_reader
    # The furniture is the chapter's, from the page its bookmark opens on to the end.
    (chapter,) = [entry for entry in reader.outline if not isinstance(entry, list)]
    chapter_pages = len(reader.pages) - reader.get_destination_page_number(chapter)
    assert re.fullmatch(
        r"built in \d+\.\d s: laid out the chapter \(north-korea\), the front matter and "
        rf"the running heads and page numbers of {chapter_pages} pages",
        last,
    ), last


def test_the_cache_key_covers_styles_images_settings_and_html(tmp_path: Path) -> None:
    from presswork.cache import digest, environment_key

    styles, image = tmp_path / "styles", tmp_path / "chart.png"
    (styles / "fonts").mkdir(parents=True)
    (styles / "pdf.css").write_text("p { margin: 0 }", encoding="utf-8")
    image.write_bytes(b"one")
    environment = environment_key(styles)
    key = digest(environment, "urn:uuid:1", "<p>x</p>", files=[image])
    # Another HTML, image, identifier: another key.
    assert digest(environment, "urn:uuid:1", "<p>y</p>", files=[image]) != key
    assert digest(environment, "urn:uuid:2", "<p>x</p>", files=[image]) != key
    image.write_bytes(b"two")
    assert digest(environment, "urn:uuid:1", "<p>x</p>", files=[image]) != key
    image.write_bytes(b"one")
    assert digest(environment, "urn:uuid:1", "<p>x</p>", files=[image]) == key
    # The parts are kept apart: "ab", "c" is not "a", "bc".
    assert digest("ab", "c") != digest("a", "bc")
    # Any file of the styles, a font as much as the CSS: another environment.
    (styles / "pdf.css").write_text("p { margin: 1pt }", encoding="utf-8")
    edited = environment_key(styles)
    (styles / "fonts" / "Face.ttf").write_bytes(b"\0\1\0\0")
    assert len({environment, edited, environment_key(styles)}) == 3


def test_a_damaged_cover_or_coverage_file_is_made_again(
    editable: Built, copy_of_multi: tuple[Path, Path]
) -> None:
    source, output = copy_of_multi
    epub = output / editable.epub.name
    before = epub.read_bytes()
    (cover,) = (output / CACHE / "cover").iterdir()
    (coverage,) = (output / CACHE / "coverage").iterdir()
    kept_cover, kept_coverage = cover.read_bytes(), coverage.read_bytes()
    cover.write_bytes(kept_cover[:-50])
    # Whole, but saying no typeface covers anything: its digest no longer matches.
    header = kept_coverage.split(b"\n", 1)[0]
    coverage.write_bytes(header + b"\n[]")
    rebuild(source, output, "--format", "epub")
    assert epub.read_bytes() == before
    assert cover.read_bytes() == kept_cover
    assert coverage.read_bytes() == kept_coverage


@pytest.mark.parametrize(
    ("laid", "said"),
    [
        (
            {"chapters": ("only",), "of_chapters": 1, "front": True, "furniture_pages": 1},
            "laid out the chapter (only), the front matter and the running heads and"
            " page numbers of 1 page",
        ),
        (
            {"chapters": ("b",), "of_chapters": 3, "front": False, "furniture_pages": 12},
            "laid out 1 of 3 chapters (b) and the running heads and page numbers of 12 pages;"
            " the rest came from the cache",
        ),
        (
            {"chapters": tuple("abcde"), "of_chapters": 5, "front": False, "furniture_pages": 0},
            "laid out all 5 chapters",
        ),
        (
            {"chapters": (), "of_chapters": 5, "front": False, "furniture_pages": 0},
            "nothing laid out: every page came from the cache",
        ),
    ],
)
def test_what_was_laid_out_is_said_in_the_books_words(laid: dict[str, Any], said: str) -> None:
    from presswork.layout.units import LaidOut

    assert LaidOut(**laid).summary() == said
