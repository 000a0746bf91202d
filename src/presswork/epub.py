"""Write the ePub 3 edition.

In: a resolved :class:`~presswork.model.Book`, the styles folder and the cover PNG.
Out: the bytes of an ePub 3 that passes EPUBCheck: a cover, a title page, an imprint, a
navigation document (contents and landmarks), an NCX for older reading systems, one
XHTML document per chapter with its notes as popup footnotes, the book's CSS, and
accessibility metadata. The archive is written deterministically (``mimetype`` first
and stored, fixed timestamps and permissions), so the same book gives the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ebooklib import epub
from lxml import etree

from presswork import markup
from presswork.model import (
    IMAGE_MEDIA_TYPES,
    Anchor,
    Book,
    Chapter,
    Figure,
    Note,
    NoteRef,
    TocEntry,
)

XHTML = "application/xhtml+xml"
FRONT = "front"
TEXT = "text"
CSS_NAME = "css/book.css"
COVER_IMAGE = "images/cover.png"


def chapter_file(chapter_id: str) -> str:
    return f"{TEXT}/{chapter_id}.xhtml"


@dataclass(frozen=True)
class EpubLinks:
    """Ids and hrefs inside the ePub, as seen from a document in folder ``base``;
    ``images`` names each figure's file inside the archive. Headings keep the ids the
    manuscript gives them; the ids presswork adds start with ``_``, which no typed id
    can, so the two never collide."""

    base: str
    images: dict[Path, str] = field(default_factory=dict)
    page_markers = True

    def _to(self, name: str) -> str:
        folder, _, file = name.rpartition("/")
        return file if folder == self.base else f"../{name}" if self.base else name

    def href(self, anchor: Anchor) -> str:
        target = self._to(chapter_file(anchor.chapter))
        return target if anchor.fragment is None else f"{target}#{anchor.fragment}"

    def heading_id(self, chapter: Chapter, heading_id: str) -> str:
        return heading_id

    def block_id(self, chapter: Chapter, block_id: str) -> str:
        return f"_{block_id}"

    def block_class(self, chapter: Chapter, block_id: str) -> str:
        return ""

    def note_id(self, note: Note | NoteRef) -> str:
        return f"_note-{note.number}"

    def call_id(self, ref: NoteRef) -> str:
        suffix = "" if ref.call == 1 else f"-{ref.call}"
        return f"_noteref-{ref.number}{suffix}"

    def first_call_id(self, note: Note) -> str:
        return f"_noteref-{note.number}"

    def image_src(self, figure: Figure) -> str:
        assert figure.path is not None, "a book with a missing image is never rendered"
        return self._to(self.images[figure.path])


@dataclass(frozen=True)
class Landmark:
    type: str
    href: str
    label: str


def _document(uid: str, name: str, content: str, properties: tuple[str, ...] = ()) -> epub.EpubItem:
    item = epub.EpubItem(uid=uid, file_name=name, media_type=XHTML, content=content.encode("utf-8"))
    item.properties = list(properties)
    return item


def _ncx_entries(entries: tuple[TocEntry, ...], links: EpubLinks) -> list[object]:
    result: list[object] = []
    for entry in entries:
        uid = f"toc-{entry.anchor.chapter}-{entry.anchor.fragment or 'start'}"
        link = epub.Link(links.href(entry.anchor), entry.plain, uid)
        result.append((link, _ncx_entries(entry.children, links)) if entry.children else link)
    return result


def _images(book: Book) -> dict[Path, str]:
    """Each figure's file, named in the archive by its content, so that the same image
    used twice is packed once and a name never depends on the folder it came from."""
    names: dict[Path, str] = {}
    for chapter in book.chapters:
        for figure in chapter.figures:
            if figure.path is not None and figure.path not in names:
                digest = hashlib.sha256(figure.path.read_bytes()).hexdigest()[:16]
                names[figure.path] = f"images/{digest}{figure.path.suffix.lower()}"
    return names


@dataclass(frozen=True)
class PageLink:
    label: str
    href: str


def _page_list(book: Book) -> list[PageLink]:
    """The page-list, from the page breaks the book carries, in page order."""
    files = {
        "": {
            "title-page": f"{FRONT}/titlepage.xhtml",
            "imprint": f"{FRONT}/imprint.xhtml",
            "contents": "nav.xhtml",
        }
    }
    links: list[PageLink] = []
    for page_name, page in book.front_pages.items():
        links.append(PageLink(page.label, f"{files[''][page_name]}#{page.id}"))
    for chapter_id, page in book.page_breaks():
        if chapter_id:
            links.append(PageLink(page.label, f"{chapter_file(chapter_id)}#{page.id}"))
    return sorted(links, key=lambda link: int(link.label))


def _metadata(out: epub.EpubBook, book: Book, pages: list[PageLink]) -> None:
    meta = book.metadata
    out.set_identifier(meta.identifier)
    out.set_title(meta.title)
    out.set_language(meta.language)
    for author in meta.authors:
        out.add_author(author)
    if meta.publisher:
        out.add_metadata("DC", "publisher", meta.publisher)
    for subject in meta.subjects:
        out.add_metadata("DC", "subject", subject)
    if meta.description:
        out.add_metadata("DC", "description", meta.description)
    if meta.rights:
        out.add_metadata("DC", "rights", meta.rights)
    if pages:
        out.add_metadata("DC", "source", meta.print_identifier, {"id": "print-edition"})
        out.add_metadata(
            None, "meta", "pagination", {"refines": "#print-edition", "property": "source-of"}
        )
    for prop, value in _accessibility(book, pages):
        out.add_metadata(None, "meta", value, {"property": prop})


CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"


def _accessibility(book: Book, pages: list[PageLink]) -> list[tuple[str, str]]:
    """Accessibility metadata stating what this book has, not boilerplate."""
    figures = [f for c in book.chapters for f in c.figures]
    notes = sum(len(c.notes) for c in book.chapters)
    features = ["structuralNavigation", "tableOfContents", "readingOrder"]
    if figures:
        features.append("alternativeText")  # the check refuses a figure without alt text
    if pages:
        features += ["printPageNumbers", "pageNavigation"]
    summary = markup.render(
        "epub/accessibility-summary.txt.j2",
        chapters=len(book.chapters),
        notes=notes,
        figures=len(figures),
        pages=len(pages),
        conformance=CONFORMANCE,
    ).strip()
    entries = [("schema:accessMode", "textual")]
    if figures:
        entries.append(("schema:accessMode", "visual"))
    entries.append(("schema:accessModeSufficient", "textual"))
    entries += [("schema:accessibilityFeature", feature) for feature in features]
    entries += [
        ("schema:accessibilityHazard", "none"),
        ("schema:accessibilitySummary", summary),
        ("dcterms:conformsTo", CONFORMANCE),
    ]
    if book.metadata.publisher:
        entries.append(("a11y:certifiedBy", book.metadata.publisher))
    return entries


def render_epub(book: Book, styles: Path, cover_png: bytes) -> bytes:
    meta = book.metadata
    labels = markup.labels(meta.language)
    page = {"language": meta.language, "labels": labels}
    images = _images(book)
    pages = _page_list(book)
    front_links, text_links, root_links = (EpubLinks(FRONT), EpubLinks(TEXT, images), EpubLinks(""))
    out = epub.EpubBook()
    _metadata(out, book, pages)
    css = epub.EpubItem(
        uid="css",
        file_name=CSS_NAME,
        media_type="text/css",
        content=(styles / "epub.css").read_bytes(),
    )
    out.add_item(css)
    out.set_cover(COVER_IMAGE, cover_png, create_page=False)
    for path, name in images.items():
        out.add_item(
            epub.EpubItem(
                uid=f"image-{Path(name).stem}",
                file_name=name,
                media_type=IMAGE_MEDIA_TYPES[path.suffix.lower()],
                content=path.read_bytes(),
            )
        )

    alt = ", ".join(x for x in (meta.title, meta.subtitle, meta.publisher) if x)
    cover = _document(
        "cover",
        f"{FRONT}/cover.xhtml",
        markup.render(
            "epub/cover.xhtml.j2",
            **page,
            css_href=f"../{CSS_NAME}",
            image_href=f"../{COVER_IMAGE}",
            alt=alt,
        ),
    )
    titlepage = _document(
        "titlepage",
        f"{FRONT}/titlepage.xhtml",
        markup.render(
            "epub/titlepage.xhtml.j2",
            **page,
            css_href=f"../{CSS_NAME}",
            meta=meta,
            page=book.front_pages.get("title-page"),
        ),
    )
    documents = [cover, titlepage]
    if book.notices or meta.rights:
        documents.append(
            _document(
                "imprint",
                f"{FRONT}/imprint.xhtml",
                markup.render(
                    "epub/imprint.xhtml.j2",
                    **page,
                    css_href=f"../{CSS_NAME}",
                    meta=meta,
                    notices=book.notices,
                    links=front_links,
                    page=book.front_pages.get("imprint"),
                ),
            )
        )
    first = book.chapters[0]
    landmarks = [
        Landmark("cover", f"{FRONT}/cover.xhtml", labels["cover"]),
        Landmark("titlepage", f"{FRONT}/titlepage.xhtml", labels["title_page"]),
        Landmark("toc", "nav.xhtml#_toc", labels["contents"]),
        Landmark("bodymatter", chapter_file(first.id), labels["start"]),
    ]
    toc = book.toc()
    nav = _document(
        "nav",
        "nav.xhtml",
        markup.render(
            "epub/nav.xhtml.j2",
            **page,
            css_href=CSS_NAME,
            toc=toc,
            landmarks=landmarks,
            links=root_links,
            page=book.front_pages.get("contents"),
            pages=pages,
        ),
        properties=("nav",),
    )
    documents.append(nav)
    for chapter in book.chapters:
        documents.append(
            _document(
                f"chapter-{chapter.id}",
                chapter_file(chapter.id),
                markup.render(
                    "epub/chapter.xhtml.j2",
                    **page,
                    css_href=f"../{CSS_NAME}",
                    chapter=chapter,
                    links=text_links,
                ),
            )
        )
    for document in documents:
        out.add_item(document)
    out.add_item(epub.EpubNcx())
    out.toc = _ncx_entries(toc, root_links)
    out.spine = documents

    raw = io.BytesIO()
    epub.write_epub(
        raw, out, {"mtime": meta.modified, "epub2_guide": False, "raise_exceptions": True}
    )
    return _deterministic_zip(raw.getvalue(), meta.modified, meta.language)


def _package_language(opf: bytes, language: str) -> bytes:
    """ebooklib writes no xml:lang on the package element; reading systems and Ace use
    it for the language of the metadata."""
    root = etree.fromstring(opf)
    root.set("{http://www.w3.org/XML/1998/namespace}lang", language)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


def _deterministic_zip(data: bytes, stamp: datetime, language: str) -> bytes:
    """Repack the archive: ``mimetype`` first and stored, then every entry in the order
    written, each with the build's date and read-only-for-others permissions."""
    date_time = (
        max(stamp.year, 1980),
        stamp.month,
        stamp.day,
        stamp.hour,
        stamp.minute,
        stamp.second,
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        names = source.namelist()
        ordered = ["mimetype", *(n for n in names if n != "mimetype")]
        for name in ordered:
            info = zipfile.ZipInfo(name, date_time)
            info.external_attr = 0o644 << 16
            info.create_system = 3
            if name == "mimetype":
                info.compress_type = zipfile.ZIP_STORED
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
            content = source.read(name)
            if name.endswith(".opf"):
                content = _package_language(content, language)
            target.writestr(info, content, compresslevel=9)
    return out.getvalue()
