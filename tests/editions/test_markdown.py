"""A book using the Markdown authors know beyond CommonMark: strikethrough, inline notes
(one called from a definition, one from a table cell), a definition list, heading
attributes ({#id}, {.unnumbered}, {-}, {.unlisted}) and a pipe table. Built once by the
command line, read back from every edition and put through the release gate."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pikepdf
import pytest
from lxml import etree

from presswork.pdf.trees import kids, walk

from conftest import BOOKS, NS, Built, run_presswork

SOURCE = BOOKS / "markdown"
RAW = ("|---", "~~", "{.", "{#", "{-}", "^[", "[^", ":   ")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    output = tmp_path_factory.mktemp("markdown")
    result = run_presswork("build", SOURCE, "-o", output)
    assert result.returncode == 0, result.stderr
    return Built(output, "the-markdown-authors-know", result, SOURCE)


def pdf_pages(pdf: Path, layout: bool = False) -> list[str]:
    """The pages' text; as laid out, or with each run of spaces made one."""
    options = ["-layout"] if layout else []
    text = subprocess.run(
        ["pdftotext", *options, "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return text.split("\f") if layout else [" ".join(page.split()) for page in text.split("\f")]


def epub_text(epub: Path) -> str:
    with zipfile.ZipFile(epub) as archive:
        return " ".join(
            "".join(etree.fromstring(archive.read(name)).itertext())
            for name in archive.namelist()
            if name.endswith(".xhtml")
        )


def test_the_release_gate_passes(built: Built) -> None:
    result = run_presswork("verify", built.output)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_edition_holds_raw_markup(built: Built) -> None:
    texts = {
        "pdf": " ".join(pdf_pages(built.pdf)),
        "print": " ".join(pdf_pages(built.output / f"{built.slug}-print.pdf")),
        "epub": epub_text(built.epub),
    }
    for edition, text in texts.items():
        for raw in RAW:
            assert raw not in text, (edition, raw)
        assert "drafted revised in March" in text, edition


def test_notes_are_numbered_in_reading_order_each_on_its_call_s_page(built: Built) -> None:
    """Inline notes are numbered with the others, in the order of their calls: from the
    text, from a definition, from a table cell."""
    pages = pdf_pages(built.pdf, layout=True)
    expected = [
        ("revised in March.", 1, "An inline note, with emphasis and a link."),
        ("typed below.", 2, "A note defined after its call."),
        ("without trial.", 3, "A note called from a definition."),
        ("threat of a penalty.", 4, "Convention No. 29, Article 2."),
        ("monitoring reports.", 1, "Monitoring reports, 2021–2023."),
        ("12", 2, "Revised from 11 after a second count."),
        ("Province 2", 3, "The second province was split in 2023."),
    ]
    for call, number, note in expected:
        (page,) = [p for p in pages if note in p]
        assert re.search(rf"{re.escape(call)}\s*{number}\b", page), (call, page[:300])
        assert re.search(rf"^\s*{number}\s+{re.escape(note)}", page, re.M), (note, page)


def test_an_unlisted_heading_is_in_the_text_but_not_in_any_contents(built: Built) -> None:
    pages = pdf_pages(built.pdf)
    (contents,) = [p for p in pages if p.startswith("Contents")]
    assert "Glossary" in contents and "Afterword" in contents
    assert "Sources consulted" not in contents
    assert any("Sources consulted The sources are listed" in p for p in pages)
    with pikepdf.open(built.pdf) as pdf, pdf.open_outline() as outline:
        titles = [str(item.title) for item in walk_outline(outline.root)]
    assert "Glossary" in titles and "Sources consulted" not in titles
    nav = built.xhtml("EPUB/nav.xhtml")
    (toc,) = nav.iterfind(".//x:nav[@epub:type='toc']", NS)
    listed = ["".join(a.itertext()) for a in toc.iterfind(".//x:a", NS)]
    assert "Glossary" in listed and "Afterword" in listed
    assert "Sources consulted" not in listed
    ncx = etree.fromstring(built.epub_files["EPUB/toc.ncx"])
    assert "Sources consulted" not in "".join(ncx.itertext())


def walk_outline(items: list[pikepdf.OutlineItem]) -> list[pikepdf.OutlineItem]:
    found = []
    for item in items:
        found += [item, *walk_outline(item.children)]
    return found


def test_the_epub_marks_each_construct_up_as_html_means_it(built: Built) -> None:
    (name,) = [n for n in built.spine_documents if "terms" in n]
    document = built.xhtml(name)
    (struck,) = document.iterfind(".//x:del", NS)
    assert struck.text == "drafted"
    (definitions,) = document.iterfind(".//x:dl", NS)
    parts = [
        (etree.QName(e).localname, " ".join("".join(e.itertext()).split())) for e in definitions
    ]
    assert [kind for kind, _ in parts] == ["dt", "dd", "dt", "dd"]
    assert parts[0][1] == "Detention centre" and parts[2][1] == "Forced labour"
    assert parts[1][1].startswith("A place where") and "same definition" in parts[1][1]
    heading = document.find(".//x:h2[@id='glossary']", NS)
    assert heading is not None and "".join(heading.itertext()) == "Glossary"
    assert document.find(".//x:h2[@id='afterword']", NS) is not None
    calls = document.findall(".//x:a[@epub:type='noteref']", NS)
    assert [c.text for c in calls] == ["1", "2", "3", "4"]
    notes = document.findall(".//x:aside[@epub:type='footnote']", NS)
    assert " ".join("".join(notes[0].itertext()).split()).endswith(
        "An inline note, with emphasis and a link."
    )


def test_the_pdf_tags_the_definition_list_as_a_list(built: Built) -> None:
    with pikepdf.open(built.pdf) as pdf:
        elements = list(walk(kids(pdf.Root.StructTreeRoot)[0]))
        lists = [e for e in elements if e.get("/S") == "/L"]
        # The contents' list, the notes' list and the definitions: a term and each of
        # its definitions an item (WeasyPrint's tagging of dt and dd).
        assert len(lists) == 3
        (definitions,) = [
            e for e in lists if len([k for k in kids(e) if isinstance(k, pikepdf.Dictionary)]) == 4
        ]
        items = [k for k in kids(definitions) if isinstance(k, pikepdf.Dictionary)]
        assert [str(i.S) for i in items] == ["/LI"] * 4
        assert all(str(kids(i)[0].S) == "/LBody" for i in items)


# The book's metadata, from book.yaml: ISBNs are well-known valid ISBN-13s.
PRINT_ISBN, PDF_ISBN, EPUB_ISBN = "978-0-306-40615-7", "978-3-16-148410-0", "978-1-4028-9462-6"
RIGHTS = "© 2024 Test Publisher. Some rights reserved."


def test_the_title_and_imprint_pages_say_who_by_what_edition_and_which_isbn(built: Built) -> None:
    pages = pdf_pages(built.pdf)
    assert (
        "Tables, terms and notes Ada Writer, Ben Author Edited by Cleo Editor "
        "Translated by Dan Translator Test Publisher"
    ) in pages[0]
    imprint = pages[1]
    for line in (
        RIGHTS,
        "Second edition, 2024-04-24",
        f"ISBN {PDF_ISBN} (PDF)",
        f"ISBN {PRINT_ISBN} (print)",
        f"ISBN {EPUB_ISBN} (ePub)",
    ):
        assert line in imprint, (line, imprint)
    title = " ".join("".join(built.xhtml("EPUB/front/titlepage.xhtml").itertext()).split())
    assert "Ada Writer, Ben Author Edited by Cleo Editor Translated by Dan Translator" in title
    imprint_xhtml = " ".join("".join(built.xhtml("EPUB/front/imprint.xhtml").itertext()).split())
    assert f"ISBN {EPUB_ISBN} (ePub)" in imprint_xhtml.replace("\u00a0", " ")


def test_the_opf_names_each_contributor_with_a_marc_role_and_the_isbn(built: Built) -> None:
    opf = built.opf
    metadata = opf.find("opf:metadata", NS)
    assert metadata is not None
    roles = {
        m.get("refines"): m.text
        for m in metadata.iterfind("opf:meta[@property='role']", NS)
        if m.get("scheme") == "marc:relators"
    }
    people = [
        (etree.QName(e).localname, e.text, roles.get(f"#{e.get('id')}"))
        for e in metadata
        if etree.QName(e).localname in ("creator", "contributor")
    ]
    assert people == [
        ("creator", "Ada Writer", "aut"),
        ("creator", "Ben Author", "aut"),
        ("creator", "Cleo Editor", "edt"),
        ("contributor", "Dan Translator", "trl"),
    ]
    identifier = metadata.find(f"dc:identifier[@id='{opf.get('unique-identifier')}']", NS)
    assert identifier is not None and identifier.text == "urn:isbn:" + EPUB_ISBN.replace("-", "")
    assert metadata.findtext("dc:date", namespaces=NS) == "2024-04-24"
    assert metadata.findtext("dc:rights", namespaces=NS) == RIGHTS
    source = metadata.find("dc:source", NS)
    assert source is not None and source.text == "urn:isbn:" + PRINT_ISBN.replace("-", "")


def test_each_pdf_s_xmp_names_its_own_isbn_the_rights_and_the_creators(built: Built) -> None:
    for path, own in (
        (built.pdf, PDF_ISBN),
        (built.output / f"{built.slug}-print.pdf", PRINT_ISBN),
    ):
        with pikepdf.open(path) as pdf:
            meta = pdf.open_metadata()
            assert meta.get("dc:identifier") == "urn:isbn:" + own.replace("-", "")
            assert meta.get("dc:rights") == RIGHTS
            assert list(meta.get("dc:creator")) == ["Ada Writer", "Ben Author", "Cleo Editor"]
