"""Write the book as the XHTML documents of the ePub.

In: a resolved :class:`~presswork.model.Book`, with the page breaks of the print edition
where it has them (:mod:`presswork.transforms.page_breaks`). Out: :class:`EpubMarkup`:
the documents in reading order (cover, title page, imprint, navigation, one per
chapter, each with its notes as popup footnotes), the archive name of every figure's
image, the page-list and the landmarks. Ids are the chapter's own (:mod:`presswork.ids`);
hrefs are relative to the document they are in. Packaging them is
:mod:`presswork.epub.writer`'s.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from presswork import ids
from presswork.model import (
    Anchor,
    Book,
    Chapter,
    Figure,
    Inline,
    Metadata,
    Note,
    NoteRef,
    Paragraph,
)
from presswork.render import markup

FRONT = "front"
TEXT = "text"
NAV = "nav.xhtml"
CSS_NAME = "css/book.css"


def cover_image(meta: Metadata) -> str:
    """The cover image's name in the archive: a JPEG the book gives stays a JPEG."""
    jpeg = meta.cover is not None and meta.cover.suffix.lower() in (".jpg", ".jpeg")
    return "images/cover.jpg" if jpeg else "images/cover.png"


FRONT_FILES = {
    "cover": f"{FRONT}/cover.xhtml",
    "title-page": f"{FRONT}/titlepage.xhtml",
    "imprint": f"{FRONT}/imprint.xhtml",
    "contents": NAV,
}


def chapter_file(chapter_id: str) -> str:
    return f"{TEXT}/{chapter_id}.xhtml"


@dataclass(frozen=True)
class EpubLinks:
    """Ids and hrefs inside the ePub, as seen from a document in folder ``base``;
    ``images`` names each figure's file inside the archive."""

    base: str
    images: dict[Path, str] = field(default_factory=dict)
    page_markers = True
    rewrites_text = False  # the ePub's text is the manuscript's, as written

    def _to(self, name: str) -> str:
        folder, _, file = name.rpartition("/")
        return file if folder == self.base else f"../{name}" if self.base else name

    def href(self, anchor: Anchor) -> str:
        target = self._to(chapter_file(anchor.chapter))
        return target if anchor.fragment is None else f"{target}#{anchor.fragment}"

    def heading_id(self, chapter: Chapter, heading_id: str) -> str:
        return heading_id

    def block_id(self, chapter: Chapter, block_id: str) -> str:
        return ids.own(block_id)

    def block_class(self, chapter: Chapter, block_id: str) -> str:
        return ""

    def paragraph(self, chapter: Chapter, paragraph: Paragraph) -> tuple[Inline, ...]:
        return paragraph.children

    def note_id(self, note: Note | NoteRef) -> str:
        return ids.note(note.number)

    def call_id(self, ref: NoteRef) -> str:
        return ids.call(ref.number, ref.call)

    def first_call_id(self, note: Note) -> str:
        return ids.call(note.number)

    def image_src(self, figure: Figure) -> str:
        assert figure.path is not None, "a book with a missing image is never rendered"
        return self._to(self.images[figure.path])


@dataclass(frozen=True)
class Document:
    """An XHTML document of the ePub: its manifest id, its name in the archive, its
    markup and its manifest properties."""

    uid: str
    name: str
    content: str
    properties: tuple[str, ...] = ()


@dataclass(frozen=True)
class Landmark:
    type: str
    href: str
    label: str


@dataclass(frozen=True)
class PageLink:
    label: str
    href: str


@dataclass(frozen=True)
class EpubMarkup:
    """The ePub's documents in reading order, its figures' images by their names in the
    archive, and its page-list."""

    documents: tuple[Document, ...]
    images: dict[Path, str]
    pages: tuple[PageLink, ...]
    links: EpubLinks  # as seen from the package's own folder (the NCX)


def images(book: Book) -> dict[Path, str]:
    """Each figure's file, named in the archive by its content, so that the same image
    used twice is packed once and a name never depends on the folder it came from."""
    names: dict[Path, str] = {}
    for chapter in book.chapters:
        for figure in chapter.figures:
            if figure.path is not None and figure.path not in names:
                digest = hashlib.sha256(figure.path.read_bytes()).hexdigest()[:16]
                names[figure.path] = f"images/{digest}{figure.path.suffix.lower()}"
    return names


def page_list(book: Book) -> tuple[PageLink, ...]:
    """The page-list, from the page breaks the book carries, in page order."""
    links: list[PageLink] = []
    for page_name, pages in book.front_pages.items():
        for page in pages:
            href = f"{FRONT_FILES[page_name]}#{ids.page(page.label)}"
            links.append(PageLink(page.label, href))
    for chapter_id, page in book.page_breaks():
        if chapter_id:
            links.append(PageLink(page.label, f"{chapter_file(chapter_id)}#{ids.page(page.label)}"))
    return tuple(sorted(links, key=lambda link: int(link.label)))


def epub_markup(book: Book) -> EpubMarkup:
    """Every XHTML document of the ePub, in reading order."""
    meta = book.metadata
    labels = markup.labels(meta.language)
    page = {"language": meta.language, "labels": labels}
    figures = images(book)
    pages = page_list(book)
    front_links, text_links, root_links = EpubLinks(FRONT), EpubLinks(TEXT, figures), EpubLinks("")
    in_front = {**page, "css_href": f"../{CSS_NAME}"}

    alt = ", ".join(x for x in (meta.title, meta.subtitle, meta.publisher) if x)
    documents = [
        Document(
            "cover",
            FRONT_FILES["cover"],
            markup.render(
                "epub/cover.xhtml.j2", **in_front, image_href=f"../{cover_image(meta)}", alt=alt
            ),
        ),
        Document(
            "titlepage",
            FRONT_FILES["title-page"],
            markup.render(
                "epub/titlepage.xhtml.j2",
                **in_front,
                meta=meta,
                pages=book.front_pages.get("title-page", ()),
            ),
        ),
    ]
    if book.notices or meta.imprinted:
        documents.append(
            Document(
                "imprint",
                FRONT_FILES["imprint"],
                markup.render(
                    "epub/imprint.xhtml.j2",
                    **in_front,
                    meta=meta,
                    notices=book.notices,
                    links=front_links,
                    pages=book.front_pages.get("imprint", ()),
                ),
            )
        )
    first = book.chapters[0]
    landmarks = [
        Landmark("cover", FRONT_FILES["cover"], labels["cover"]),
        Landmark("titlepage", FRONT_FILES["title-page"], labels["title_page"]),
        Landmark("toc", f"{NAV}#{ids.FIXED.toc}", labels["contents"]),
        Landmark("bodymatter", chapter_file(first.id), labels["start"]),
    ]
    documents.append(
        Document(
            "nav",
            NAV,
            markup.render(
                "epub/nav.xhtml.j2",
                **page,
                css_href=CSS_NAME,
                toc=book.toc(),
                landmarks=landmarks,
                links=root_links,
                pages_begun=book.front_pages.get("contents", ()),
                pages=pages,
            ),
            properties=("nav",),
        )
    )
    for chapter in book.chapters:
        documents.append(
            Document(
                f"chapter-{chapter.id}",
                chapter_file(chapter.id),
                markup.render(
                    "epub/chapter.xhtml.j2",
                    **in_front,
                    chapter=chapter,
                    links=text_links,
                ),
            )
        )
    return EpubMarkup(tuple(documents), figures, pages, root_links)
