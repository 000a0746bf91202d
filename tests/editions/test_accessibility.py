"""Accessible editions: the PDF's pages carried into the ePub, accessibility metadata
that states what the book has, a tagged PDF whose notes are Note elements, and Ace."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
import yaml
from lxml import etree

from conftest import BOOKS, NS, ROOT, Built, run_presswork, squash, write_book

PAGEBREAK = "{http://www.idpf.org/2007/ops}type"


def marker_texts(built: Built) -> dict[str, tuple[str, str]]:
    """For each page-break marker of the ePub: (document, the text that follows it)."""
    found: dict[str, tuple[str, str]] = {}
    for name in built.spine_documents:
        root = built.xhtml(name)
        markers = [e for e in root.iter("{*}span") if e.get(PAGEBREAK) == "pagebreak"]
        for marker in markers:
            label = marker.get("aria-label")
            marker.text = f"\ue000{label}\ue000"
        body = root.find("{*}body")
        text = "".join(body.itertext()) if body is not None else ""
        for marker in markers:
            label = marker.get("aria-label")
            after = text.split(f"\ue000{label}\ue000", 1)[1]
            found[label] = (name, re.sub(r"\ue000\d+\ue000", "", after)[:300])
    return found


def page_top(page_text: str) -> str:
    """The first line of a page as the extractor gives it: the top of the text block
    (running heads and folios come last)."""
    return page_text.strip().split("\n", 1)[0]


@pytest.fixture(scope="module")
def long_contents(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """A book of 40 short chapters of two sections each: its contents runs over pages."""
    chapters = {
        f"c{n:02}.md": f"# Country {n}\n\n## Background\n\nWhat happened in country {n}.\n\n"
        f"## Findings\n\nWhat was found there.\n"
        for n in range(1, 41)
    }
    root = write_book(tmp_path_factory.mktemp("long-contents") / "book", chapters)
    output = tmp_path_factory.mktemp("long-contents-out")
    result = run_presswork("build", root, "-o", output, "--format", "pdf", "--format", "epub")
    assert result.returncode == 0, result.stderr
    return Built(output, "test-book", result, root)


@pytest.fixture(params=["north_korea", "multi", "long_book"])
def any_book(request: pytest.FixtureRequest) -> Built:
    return request.getfixturevalue(request.param)


def test_a_contents_of_several_pages_has_each_of_them_in_the_page_list(
    long_contents: Built,
) -> None:
    """The print edition's contents runs over several pages; the ePub, whose contents is
    its navigation document, marks each of them where that contents begins."""
    pages = long_contents.pages
    assert pages[1].startswith("Contents")  # after the title page; no imprint
    opening = next(n for n, text in enumerate(pages, 1) if text.startswith("Country 1\n"))
    assert opening > 3, "the contents runs over more than one page"
    nav = long_contents.xhtml("EPUB/nav.xhtml")
    (title,) = list(nav.iter("{*}h1"))
    marked = [e.get("aria-label") for e in title.iter("{*}span")]
    assert marked == [str(n) for n in range(2, opening)]
    (page_list,) = [e for e in nav.iter("{*}nav") if e.get(PAGEBREAK) == "page-list"]
    listed = [a.text for a in page_list.iter("{*}a")]
    assert listed == [str(n) for n in range(1, len(pages) + 1)]


def test_every_page_has_a_marker_before_the_text_that_tops_it(any_book: Built) -> None:
    markers = marker_texts(any_book)
    assert sorted(markers, key=int) == [str(n) for n in range(1, len(any_book.pages) + 1)]
    for number, page in enumerate(any_book.pages, start=1):
        top = squash(page_top(page))
        after = squash(markers[str(number)][1])
        first_word = re.match(r"\S*", markers[str(number)][1].lstrip()).group()  # type: ignore[union-attr]
        position = after.find(top[:40])
        # The marker stands at the start of the word the page begins in.
        assert 0 <= position <= len(squash(first_word)), (number, top[:40], after[:60])


def test_pages_begin_inside_paragraphs_and_are_marked_at_the_word(long_book: Built) -> None:
    inside = [
        n
        for n, (name, _) in marker_texts(long_book).items()
        if _parent_tag(long_book, name, n) == "p"
    ]
    assert len(inside) >= 5, inside
    broken = [n for n, page in enumerate(long_book.pages, start=1) if page_top(page)[:1].islower()]
    assert broken, "no page of the long book begins in the middle of a sentence"


def _parent_tag(built: Built, name: str, label: str) -> str:
    root = built.xhtml(name)
    marker = next(e for e in root.iter("{*}span") if e.get("aria-label") == label)
    return etree.QName(marker.getparent()).localname


def test_page_list_links_every_marker_in_order(any_book: Built) -> None:
    nav_name = next(n for n in any_book.spine_documents if "nav" in n)
    nav = any_book.xhtml(nav_name)
    lists = [e for e in nav.iter("{*}nav") if e.get(PAGEBREAK) == "page-list"]
    assert len(lists) == 1 and lists[0].get("role") == "doc-pagelist"
    links = list(lists[0].iter("{*}a"))
    assert [a.text for a in links] == [str(n) for n in range(1, len(any_book.pages) + 1)]
    for link in links:
        file, fragment = link.get("href").split("#")
        target = any_book.xhtml(str(Path(nav_name).parent / file))
        (element,) = [e for e in target.iter() if e.get("id") == fragment]
        assert element.get(PAGEBREAK) == "pagebreak"
        assert element.get("role") == "doc-pagebreak"
        assert element.get("aria-label") == link.text


def test_package_names_the_print_edition_as_source_of_pagination(north_korea: Built) -> None:
    opf = north_korea.opf
    (source,) = opf.iterfind(".//dc:source", NS)
    refines = [
        m for m in opf.iterfind(".//opf:meta", NS) if m.get("refines") == f"#{source.get('id')}"
    ]
    assert [(m.get("property"), m.text) for m in refines] == [("source-of", "pagination")]
    assert source.text.startswith("urn:uuid:")
    assert opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "en-GB"


def metas(built: Built, prop: str) -> list[str]:
    return [
        m.text or "" for m in built.opf.iterfind(".//opf:meta", NS) if m.get("property") == prop
    ]


def test_accessibility_metadata_states_what_the_book_has(north_korea: Built, multi: Built) -> None:
    # North Korea has no figure; the multi book has one.
    assert metas(north_korea, "schema:accessMode") == ["textual"]
    assert sorted(metas(multi, "schema:accessMode")) == ["textual", "visual"]
    for built, has_figures in ((north_korea, False), (multi, True)):
        features = metas(built, "schema:accessibilityFeature")
        assert {
            "printPageNumbers",
            "pageNavigation",
            "tableOfContents",
            "structuralNavigation",
            "readingOrder",
        } <= set(features)
        assert ("alternativeText" in features) == has_figures
        assert metas(built, "schema:accessModeSufficient") == ["textual"]
        assert metas(built, "schema:accessibilityHazard") == ["none"]
        assert metas(built, "dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
        (summary,) = metas(built, "schema:accessibilitySummary")
        assert f"{len(built.pages)} page numbers of the print edition" in summary
    (summary,) = metas(north_korea, "schema:accessibilitySummary")
    assert "3 notes" in summary and "figure" not in summary


def test_epub_alone_still_gets_the_page_list(tmp_path: Path, north_korea: Built) -> None:
    result = run_presswork("build", ROOT / "manuscript", "-o", tmp_path, "--format", "epub")
    assert result.returncode == 0, result.stderr
    # With no cache in a new folder, the pages are laid out, but no PDF is written.
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["north-korea-2023.epub"]
    assert "laid out the chapter (north-korea) and the front matter" in result.stdout
    alone = Built(tmp_path, "north-korea-2023", result)
    assert marker_texts(alone) == marker_texts(north_korea)


# The tagged PDF ---------------------------------------------------------------------


def struct_elements(pdf: pikepdf.Pdf) -> list[pikepdf.Object]:
    found = []

    def walk(element: pikepdf.Object) -> None:
        if isinstance(element, pikepdf.Dictionary) and "/S" in element:
            found.append(element)
            kids = element.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                walk(kid)

    for kid in pdf.Root.StructTreeRoot.K:
        walk(kid)
    return found


def test_notes_are_note_elements_after_their_paragraphs(any_book: Built) -> None:
    with pikepdf.open(any_book.pdf) as pdf:
        notes = [e for e in struct_elements(pdf) if e.S == "/Note"]
        expected = len(
            re.findall(r"(?m)^\[\^[^\]]+\]:", "".join(p.read_text() for p in _sources(any_book)))
        )
        assert len(notes) == expected
        ids = [str(n.ID) for n in notes]
        assert len(set(ids)) == len(ids) and all(re.search(r"--_note-\d+$", i) for i in ids)
        id_tree = pdf.Root.StructTreeRoot.IDTree.Names
        assert sorted(str(k) for k in id_tree[::2]) == sorted(ids)
        for note in notes:
            siblings = list(note.P.K)
            index = next(i for i, k in enumerate(siblings) if k.objgen == note.objgen)
            before = [k for k in siblings[:index] if k.get("/S") != "/Note"]
            assert before and before[-1].S in ("/P", "/H2", "/Caption"), before[-1:]
            assert "/Lbl" in {str(k.S) for k in _descendants(note)}
        assert not [e for e in struct_elements(pdf) if e.S == "/NonStruct" and not e.get("/K")]


def _descendants(element: pikepdf.Object) -> list[pikepdf.Object]:
    out = []
    kids = element.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            out.append(kid)
            out.extend(_descendants(kid))
    return out


def _sources(built: Built) -> list[Path]:
    assert built.source is not None
    config = yaml.safe_load((built.source / "book.yaml").read_text(encoding="utf-8"))
    return [built.source / name for name in config["chapters"]]


def test_each_call_is_a_link_landing_on_the_page_of_its_note(any_book: Built) -> None:
    with pikepdf.open(any_book.pdf) as pdf:
        pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
        items = iter(_name_tree(pdf.Root.Names.Dests))
        dests = dict(zip(items, items, strict=False))
        calls = 0
        for index, page in enumerate(pdf.pages):
            for annotation in page.get("/Annots", []):
                dest = annotation.get("/Dest")
                if dest is None or not re.search(r"--_note-\d+$", str(dest)):
                    continue
                calls += 1
                target = dests[str(dest)]
                target_page = pages[target[0].objgen]
                assert target_page == index, (str(dest), index, target_page)
        assert calls >= 3


def _name_tree(node: pikepdf.Object) -> list[object]:
    items: list[object] = []
    if "/Names" in node:
        names = list(node.Names)
        for key, value in zip(names[::2], names[1::2], strict=True):
            items += [str(key), value]
    for kid in node.get("/Kids", []):
        items += _name_tree(kid)
    return items


def test_every_marked_content_has_one_element_named_by_the_parent_tree(any_book: Built) -> None:
    """Each marked-content sequence of a page belongs to exactly one element, the one the
    parent tree names for it; lines are not wrapped in spans that say nothing."""
    for path in (any_book.pdf, any_book.print_pdf):
        with pikepdf.open(path) as pdf:
            pages = {page.objgen: number for number, page in enumerate(pdf.pages, start=1)}
            claimed: dict[tuple[int, int], pikepdf.Object] = {}
            elements = struct_elements(pdf)
            for element in elements:
                kids = element.K if isinstance(element.K, pikepdf.Array) else [element.K]
                for kid in kids:
                    if isinstance(kid, int):
                        key = (pages[element.Pg.objgen], kid)
                    elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                        key = (pages[kid.get("/Pg", element.get("/Pg")).objgen], int(kid.MCID))
                    else:
                        continue
                    assert key not in claimed, key
                    claimed[key] = element
            parents = dict(_number_tree(pdf.Root.StructTreeRoot.ParentTree))
            drawn = set()
            for number, page in enumerate(pdf.pages, start=1):
                listed = parents[int(page.StructParents)]
                for operands, _ in pikepdf.parse_content_stream(page, "BDC"):
                    if isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]:
                        key = (number, int(operands[1].MCID))
                        drawn.add(key)
                        assert listed[key[1]].objgen == claimed[key].objgen, key
            assert drawn == set(claimed) and len(drawn) > 50
            bare = [
                e
                for e in elements
                if e.S == "/Span"
                and set(e.keys()) <= {"/Type", "/S", "/P", "/Pg", "/K"}
                and all(isinstance(k, int) for k in e.K)
            ]
            assert not bare
            # Lines are the elements' own content: far fewer elements than sequences.
            assert len(elements) < len(drawn)


def _number_tree(node: pikepdf.Object) -> list[tuple[int, pikepdf.Object]]:
    items = []
    if "/Nums" in node:
        nums = list(node.Nums)
        items += [(int(k), v) for k, v in zip(nums[::2], nums[1::2], strict=True)]
    for kid in node.get("/Kids", []):
        items += _number_tree(kid)
    return items


def test_pdf_declares_ua_language_title_and_figure_alt(multi: Built) -> None:
    with pikepdf.open(multi.pdf) as pdf:
        assert str(pdf.Root.Lang) == "en-GB"
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle)
        with pdf.open_metadata() as xmp:
            assert xmp.get("pdfuaid:part") == "1"
        figures = [e for e in struct_elements(pdf) if e.S == "/Figure"]
        gamma = (BOOKS / "multi" / "gamma.md").read_text()
        alt = re.search(r"!\[([^\]]+)\]", gamma).group(1)  # type: ignore[union-attr]
        assert [str(f.Alt) for f in figures] == [alt]


# Ace by DAISY -----------------------------------------------------------------------

ACE = ROOT / "tools" / "ace" / "node_modules" / ".bin" / "ace-cli"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.mark.skipif(
    not ACE.exists() or not Path(CHROMIUM).exists(),
    reason="Ace by DAISY is not installed (scripts/setup --ace installs it)",
)
@pytest.mark.parametrize("name", ["north_korea", "multi"])
def test_ace_finds_no_violation(name: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    built: Built = request.getfixturevalue(name)
    result = subprocess.run(
        [str(ACE), "--silent", "--outdir", str(tmp_path), "--force", str(built.epub)],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PUPPETEER_EXECUTABLE_PATH": CHROMIUM},
    )
    report = json.loads((tmp_path / "report.json").read_text())
    violations = [
        (a["earl:test"]["dct:title"], a["earl:result"]["dct:description"])
        for group in report["assertions"]
        for a in group.get("assertions", [])
    ]
    assert violations == [], violations
    assert report["earl:result"]["earl:outcome"] == "pass", result.stderr
