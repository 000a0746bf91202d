"""Package the ePub 3 edition.

In: a resolved :class:`~presswork.model.Book` (with its page breaks), the styles folder
and the cover PNG. Out: the bytes of an ePub 3 that passes EPUBCheck: the XHTML
documents of :mod:`presswork.render.xhtml`, the book's CSS, the cover and figures, an
NCX for older reading systems (:mod:`presswork.render.ncx`), and metadata, accessibility
metadata among it. The archive is written deterministically (``mimetype`` first and
stored, fixed timestamps and permissions), so the same book gives the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

from ebooklib import epub
from lxml import etree

from presswork.config import isbn
from presswork.model import IMAGE_MEDIA_TYPES, ROLES, Book, Metadata
from presswork.render import markup
from presswork.render.ncx import ncx_markup
from presswork.render.xhtml import CSS_NAME, PageLink, cover_image, epub_markup
from presswork.styles import css_files

XHTML = "application/xhtml+xml"
NCX = "application/x-dtbncx+xml"
CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
# What a stylesheet may bring into the ePub: fonts and images of its core media types.
STYLE_MEDIA_TYPES = {
    ".otf": "font/otf",
    ".ttf": "font/ttf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    **IMAGE_MEDIA_TYPES,
}


def _metadata(out: epub.EpubBook, book: Book, pages: tuple[PageLink, ...]) -> None:
    meta = book.metadata
    out.set_identifier(meta.identifier)
    out.set_title(meta.title)
    out.set_language(meta.language)
    _contributors(out, meta)
    own_isbn = meta.isbn("epub")
    if own_isbn is not None and isbn.digits(own_isbn) not in meta.identifier:
        out.add_metadata("DC", "identifier", f"urn:isbn:{isbn.digits(own_isbn)}", {"id": "isbn"})
    if meta.date:
        out.add_metadata("DC", "date", meta.date)
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


def _contributors(out: epub.EpubBook, meta: Metadata) -> None:
    """Authors and editors as ``dc:creator``, translators as ``dc:contributor``, each
    with its MARC role; a book without authors or editors is its publisher's."""
    if not meta.named("author") and not meta.named("editor"):
        for number, name in enumerate(meta.creators, start=1):
            out.add_metadata("DC", "creator", name, {"id": f"creator-{number}"})
    for number, person in enumerate(meta.contributors, start=1):
        element = "contributor" if person.role == "translator" else "creator"
        uid = f"{element}-{number}"
        out.add_metadata("DC", element, person.name, {"id": uid})
        role = {"refines": f"#{uid}", "property": "role", "scheme": "marc:relators"}
        out.add_metadata(None, "meta", ROLES[person.role], role)


def _accessibility(book: Book, pages: tuple[PageLink, ...]) -> list[tuple[str, str]]:
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


def render_epub(book: Book, styles: Path, cover: bytes) -> bytes:
    """The ePub of ``book``, with ``styles``' stylesheet and ``cover`` (PNG, or the
    book's own image)."""
    meta = book.metadata
    markup = epub_markup(book)
    out = epub.EpubBook()
    _metadata(out, book, markup.pages)
    stylesheet = (styles / "epub.css").read_bytes()
    css = epub.EpubItem(uid="css", file_name=CSS_NAME, media_type="text/css", content=stylesheet)
    out.add_item(css)
    # The fonts and images the stylesheet names (a book's own look), beside it as in the
    # styles folder, so that its URLs lead to them.
    beside = Path(CSS_NAME).parent
    named = css_files(stylesheet.decode("utf-8"), styles)
    kept = [path for path in named if path.suffix.lower() in STYLE_MEDIA_TYPES]
    for number, path in enumerate(kept, start=1):
        out.add_item(
            epub.EpubItem(
                uid=f"style-{number}",
                file_name=(beside / path.relative_to(styles.resolve())).as_posix(),
                media_type=STYLE_MEDIA_TYPES[path.suffix.lower()],
                content=path.read_bytes(),
            )
        )
    out.set_cover(cover_image(meta), cover, create_page=False)
    for path, name in markup.images.items():
        out.add_item(
            epub.EpubItem(
                uid=f"image-{Path(name).stem}",
                file_name=name,
                media_type=IMAGE_MEDIA_TYPES[path.suffix.lower()],
                content=path.read_bytes(),
            )
        )
    documents = []
    for document in markup.documents:
        item = epub.EpubItem(
            uid=document.uid,
            file_name=document.name,
            media_type=XHTML,
            content=document.content.encode("utf-8"),
        )
        item.properties = list(document.properties)
        documents.append(item)
    for item in documents:
        out.add_item(item)
    # The NCX as presswork writes it (ebooklib's states no depth, pages or order).
    ncx = ncx_markup(book, markup.pages, markup.links)
    out.add_item(
        epub.EpubItem(uid="ncx", file_name="toc.ncx", media_type=NCX, content=ncx.encode())
    )
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
