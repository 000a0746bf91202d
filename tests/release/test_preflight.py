"""The print preflight passes a good PDF/X-4 print file, and fails it, naming the page,
where exactly one thing of it is broken."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from fontTools.ttLib import TTFont

from presswork.lengths import MM
from presswork.release.preflight import print_preflight

from conftest import ROOT

FONT = ROOT / "styles" / "fonts" / "charis-sil" / "CharisSIL-Regular.ttf"
FOGRA39 = ROOT / "styles" / "colour" / "FOGRA39L_coated.icc"
SRGB = ROOT / "styles" / "colour" / "sRGB2014.icc"
TRIM_MM = (148.0, 210.0)  # A5
BLEED_MM = 3.0
SLUG_MM = 10.0  # beyond the bleed, where a printer's marks go
CHECKS = [
    "print: output intent",
    "print: PDF/X version",
    "print: no RGB",
    "print: text in black ink",
    "print: page boxes",
    "print: fonts embedded",
    "print: bleed",
    "print: no annotations or actions",
]
XMP = b"""<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    pdfxid:GTS_PDFXVersion="PDF/X-4" pdf:Trapped="False"/>
  <rdf:Description rdf:about="" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
    xmlns:dc="http://purl.org/dc/elements/1.1/">
   <xmpMM:DocumentID>uuid:0b5c7c43-5a0e-4d35-9d3e-8b1c1f2f5d10</xmpMM:DocumentID>
   <xmpMM:VersionID>1</xmpMM:VersionID>
   <xmpMM:RenditionClass>default</xmpMM:RenditionClass>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">A Test of Ink</rdf:li></rdf:Alt></dc:title>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
# Page 1: two runs in K 100 % and a caption in K 80 %; page 2: two runs in K 100 %
# (Tj and '); on both, the folio's form draws one more run in the K 100 % set before it.
PAGE_1 = b"""q 0 0 0 1 K 0.5 w 72 100 m 300 100 l S Q
BT /F1 12 Tf 0 0 0 1 k 100 500 Td (Chapter One) Tj ET
BT /F1 10 Tf 100 480 Td [(Set) -20 (ting)] TJ ET
BT /F1 9 Tf 0 0 0 0.8 k 100 460 Td (A caption) Tj ET
q 20 0 0 20 100 200 cm /Im0 Do Q
0 0 0 1 k /Fm0 Do
"""
PAGE_2 = b"""q 0 0 0 1 K 0.5 w 72 100 m 300 100 l S Q
BT /F1 12 Tf 0 0 0 1 k 100 500 Td 14 TL (Chapter Two) Tj (Next line) ' ET
0 0 0 1 k /Fm0 Do
"""
FOLIO = b"BT /F1 8 Tf 200 40 Td (1) Tj ET q 0 0 0 1 K 100 50 m 200 50 l S Q"


@cache
def font_program() -> tuple[bytes, int, list[int], list[int]]:
    """Charis SIL's TrueType program, compressed, its length, the widths of the
    printable ASCII characters and its bounding box, in thousandths of an em."""
    raw = FONT.read_bytes()
    face = TTFont(FONT)
    scale = 1000 / face["head"].unitsPerEm
    glyphs, metrics = face.getBestCmap(), face["hmtx"]
    widths = [round(metrics[glyphs[c]][0] * scale) if c in glyphs else 0 for c in range(32, 127)]
    head = face["head"]
    box = [round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)]
    return zlib.compress(raw), len(raw), widths, box


def flate(pdf: pikepdf.Pdf, data: bytes, **entries: Any) -> pikepdf.Stream:
    return pdf.make_stream(zlib.compress(data), Filter=pikepdf.Name.FlateDecode, **entries)


def charis(pdf: pikepdf.Pdf) -> pikepdf.Object:
    program, length, widths, box = font_program()
    descriptor = pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor,
        FontName=pikepdf.Name.CharisSIL,
        Flags=34,
        FontBBox=box,
        ItalicAngle=0,
        Ascent=box[3],
        Descent=box[1],
        CapHeight=670,
        StemV=80,
        FontFile2=pdf.make_stream(program, Filter=pikepdf.Name.FlateDecode, Length1=length),
    )
    return pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.TrueType,
            BaseFont=pikepdf.Name.CharisSIL,
            FirstChar=32,
            LastChar=126,
            Widths=widths,
            Encoding=pikepdf.Name.WinAnsiEncoding,
            FontDescriptor=pdf.make_indirect(descriptor),
        )
    )


def box(inset_mm: float) -> list[float]:
    width = TRIM_MM[0] + 2 * SLUG_MM + 2 * BLEED_MM
    height = TRIM_MM[1] + 2 * SLUG_MM + 2 * BLEED_MM
    return [inset_mm * MM, inset_mm * MM, (width - inset_mm) * MM, (height - inset_mm) * MM]


def intent(pdf: pikepdf.Pdf, subtype: str, profile: Path, channels: int) -> pikepdf.Dictionary:
    return pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent,
        S=pikepdf.Name(subtype),
        OutputConditionIdentifier=pikepdf.String(profile.stem.split("L_")[0]),
        RegistryName=pikepdf.String("http://www.color.org"),
        DestOutputProfile=flate(pdf, profile.read_bytes(), N=channels),
    )


def pixel(pdf: pikepdf.Pdf, data: bytes, space: pikepdf.Name) -> pikepdf.Stream:
    """An image of one pixel in ``space``."""
    return pdf.make_stream(
        data,
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=1,
        Height=1,
        ColorSpace=space,
        BitsPerComponent=8,
    )


def good_print_file() -> pikepdf.Pdf:
    """Two pages of a PDF/X-4 print file in black ink, 3 mm of bleed, a font embedded."""
    pdf = pikepdf.new()
    font = charis(pdf)
    folio = flate(
        pdf,
        FOLIO,
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Form,
        BBox=box(0),
        Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
    )
    grey = pixel(pdf, b"\x80", pikepdf.Name.DeviceGray)
    for content, drawn in ((PAGE_1, {"/Im0": grey, "/Fm0": folio}), (PAGE_2, {"/Fm0": folio})):
        resources = pikepdf.Dictionary(
            Font=pikepdf.Dictionary(F1=font), XObject=pikepdf.Dictionary(drawn)
        )
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=box(0),
            BleedBox=box(SLUG_MM),
            TrimBox=box(SLUG_MM + BLEED_MM),
            Resources=resources,
            Contents=flate(pdf, content),
        )
        pdf.pages.append(pikepdf.Page(page))
    pdf.Root.OutputIntents = [intent(pdf, "/GTS_PDFX", FOGRA39, 4)]
    pdf.Root.Metadata = pdf.make_stream(XMP, Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML)
    pdf.docinfo[pikepdf.Name.Title] = pikepdf.String("A Test of Ink")
    pdf.docinfo[pikepdf.Name.Trapped] = pikepdf.Name("/False")
    return pdf


def written(
    folder: Path, change: Callable[[pikepdf.Pdf], None] | None = None, version: str = "1.6"
) -> Path:
    path = folder / "test-print.pdf"
    with good_print_file() as pdf:
        if change is not None:
            change(pdf)
        pdf.save(path, force_version=version, fix_metadata_version=False)
    return path


def test_a_good_print_file_passes_every_check(tmp_path: Path) -> None:
    verdicts = print_preflight(written(tmp_path), BLEED_MM)
    assert [v.check for v in verdicts] == CHECKS
    assert {v.file for v in verdicts} == {"test-print.pdf"}
    assert [v.detail for v in verdicts if not v.passed] == []
    details = dict((v.check, v.detail) for v in verdicts)
    assert details == {
        "print: output intent": "FOGRA39, a CMYK printer profile (N=4)",
        "print: PDF/X version": "PDF/X-4 on PDF 1.6, Trapped False, version 1, rendition default",
        # the two pages and the folio's form; the grey image
        "print: no RGB": "2 pages, 3 content streams, 1 image: none in RGB",
        "print: text in black ink": "2 pages, 7 text runs: 6 in K 100 %, 1 in K 80 %",
        "print: page boxes": (
            "2 pages alike: trim 148.0 × 210.0 mm, bleed 154.0 × 216.0 mm, media 174.0 × 236.0 mm"
        ),
        "print: fonts embedded": "1 font, all embedded",
        "print: bleed": "3.0 mm on every side of every page",
        "print: no annotations or actions": (
            "2 pages: no annotation in the bleed, no action, no form"
        ),
    }


def drawn_on_page_2(content: bytes, **resources: pikepdf.Object) -> Callable[[pikepdf.Pdf], None]:
    """A change: ``content`` drawn last on page 2, with ``resources`` added to its own."""

    def change(pdf: pikepdf.Pdf) -> None:
        page = pdf.pages[1]
        for kind, entries in resources.items():
            page.Resources[f"/{kind}"] = entries
        page.contents_add(pdf.make_stream(content))

    return change


def rgb_image(pdf: pikepdf.Pdf) -> None:
    image = pixel(pdf, b"\xff\x00\x00", pikepdf.Name.DeviceRGB)
    pdf.pages[1].Resources.XObject.Im1 = image
    pdf.pages[1].contents_add(pdf.make_stream(b"q 5 0 0 5 10 10 cm /Im1 Do Q"))


def rgb_in_the_form(pdf: pikepdf.Pdf) -> None:
    form = pdf.pages[0].Resources.XObject.Fm0
    form.write(b"q /DeviceRGB cs 0 0 1 sc 0 0 5 5 re f Q " + FOLIO)


def registration(pdf: pikepdf.Pdf) -> None:
    tint = pikepdf.Dictionary(FunctionType=2, Domain=[0, 1], C0=[0, 0, 0, 0], C1=[1, 1, 1, 1], N=1)
    space = pikepdf.Array(
        [pikepdf.Name.Separation, pikepdf.Name.All, pikepdf.Name.DeviceCMYK, tint]
    )
    drawn_on_page_2(
        b"BT /F1 10 Tf /CS0 cs 1 scn 100 300 Td (Registration) Tj ET",
        ColorSpace=pikepdf.Dictionary(CS0=space),
    )(pdf)


def rgb_soft_mask(pdf: pikepdf.Pdf) -> None:
    group = pikepdf.Dictionary(S=pikepdf.Name.Transparency, CS=pikepdf.Name.DeviceRGB)
    mask = flate(
        pdf, b"1 g 0 0 10 10 re f", Subtype=pikepdf.Name.Form, BBox=[0, 0, 10, 10], Group=group
    )
    state = pikepdf.Dictionary(SMask=pikepdf.Dictionary(S=pikepdf.Name.Luminosity, G=mask))
    drawn_on_page_2(b"q /GS0 gs 0 0 10 10 re f Q", ExtGState=pikepdf.Dictionary(GS0=state))(pdf)


def no_output_intent(pdf: pikepdf.Pdf) -> None:
    del pdf.Root.OutputIntents


def srgb_as_the_print_intent(pdf: pikepdf.Pdf) -> None:
    pdf.Root.OutputIntents[0].DestOutputProfile = flate(pdf, SRGB.read_bytes(), N=3)


def srgb_intent_beside_it(pdf: pikepdf.Pdf) -> None:
    pdf.Root.OutputIntents.append(intent(pdf, "/GTS_PDFA1", SRGB, 3))


def no_pdfx_version(pdf: pikepdf.Pdf) -> None:
    claim = b' pdfxid:GTS_PDFXVersion="PDF/X-4"'
    assert claim in XMP
    pdf.Root.Metadata.write(XMP.replace(claim, b""))


def trim_moved_on_page_2(pdf: pikepdf.Pdf) -> None:
    # Inwards, so the bleed around it is still 3 mm or more.
    pdf.pages[1].TrimBox = box(SLUG_MM + BLEED_MM + 1)


def media_not_at_the_origin(pdf: pikepdf.Pdf) -> None:
    pdf.pages[1].MediaBox = [v + 10 for v in box(0)]


def font_not_embedded(pdf: pikepdf.Pdf) -> None:
    helvetica = pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
    )
    pdf.pages[1].Resources.Font.F2 = pdf.make_indirect(helvetica)


def bleed_of_2_mm(pdf: pikepdf.Pdf) -> None:
    for page in pdf.pages:
        page.BleedBox = box(SLUG_MM + 1)


def link_on_page_2(pdf: pikepdf.Pdf) -> None:
    link = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.Link,
        Rect=[100, 100, 200, 120],
        Border=[0, 0, 0],
        A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://example.org")),
    )
    pdf.pages[1].Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(link)]))


def javascript_on_opening(pdf: pikepdf.Pdf) -> None:
    pdf.Root.OpenAction = pikepdf.Dictionary(
        S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('printed')")
    )


@dataclass(frozen=True)
class Break:
    change: Callable[[pikepdf.Pdf], None] | None
    check: str
    says: str  # what the failing verdict must say: the problem, and its page(s)
    version: str = "1.6"


BREAKS = {
    "rg on page 2": Break(
        drawn_on_page_2(b"q 1 0 0 rg 10 10 5 5 re f Q"), "print: no RGB", "RGB on page 2: rg in"
    ),
    "RGB image on page 2": Break(rgb_image, "print: no RGB", "RGB on page 2: RGB image /Im1"),
    "RGB inline image on page 2": Break(
        drawn_on_page_2(b"q BI /W 1 /H 1 /CS /RGB /BPC 8 ID \xff\x00\x00 EI Q"),
        "print: no RGB",
        "RGB on page 2: RGB inline image",
    ),
    # The folio's form is drawn on both pages.
    "DeviceRGB in the form": Break(
        rgb_in_the_form, "print: no RGB", "RGB on pages 1, 2: /DeviceRGB cs in form /Fm0"
    ),
    "yellow text": Break(
        drawn_on_page_2(b"BT /F1 10 Tf 0 0.05 0.95 0 k 100 300 Td (Yellow) Tj ET"),
        "print: text in black ink",
        "text in C 0 M 5 Y 95 K 0 on page 2",
    ),
    "soft mask group in RGB": Break(
        rgb_soft_mask, "print: no RGB", "RGB on page 2: RGB transparency group of soft mask"
    ),
    # Render mode 1 strokes the glyphs: the stroke colour is the ink.
    "text stroked in cyan": Break(
        drawn_on_page_2(b"BT /F1 10 Tf 1 Tr 1 0 0 0 K 100 300 Td (Outline) Tj ET"),
        "print: text in black ink",
        "text in stroke C 100 M 0 Y 0 K 0 on page 2",
    ),
    "registration text": Break(
        registration, "print: text in black ink", "text in registration (All) 100 % on page 2"
    ),
    "no output intent": Break(no_output_intent, "print: output intent", "no /OutputIntents"),
    "sRGB as the print intent": Break(
        srgb_as_the_print_intent, "print: output intent", "colour space is 'RGB', not CMYK"
    ),
    "sRGB intent beside it": Break(
        srgb_intent_beside_it, "print: output intent", "a /GTS_PDFA1 output intent beside it"
    ),
    "no PDF/X version": Break(no_pdfx_version, "print: PDF/X version", "no XMP GTS_PDFXVersion"),
    "PDF 1.7": Break(None, "print: PDF/X version", "the file is PDF 1.7", version="1.7"),
    "TrimBox moved on page 2": Break(
        trim_moved_on_page_2, "print: page boxes", "TrimBox unlike page 1's on page 2"
    ),
    "MediaBox not at 0, 0": Break(
        media_not_at_the_origin,
        "print: page boxes",
        "MediaBox starts at 10, 10, not 0, 0 on page 2",
    ),
    "font not embedded": Break(
        font_not_embedded, "print: fonts embedded", "font /Helvetica not embedded on page 2"
    ),
    "bleed of 2 mm": Break(
        bleed_of_2_mm, "print: bleed", "a bleed of 2.0 mm where 3.0 mm is asked on pages 1, 2"
    ),
    "link on page 2": Break(
        link_on_page_2,
        "print: no annotations or actions",
        "a Link annotation in the bleed on page 2",
    ),
    "JavaScript on opening": Break(
        javascript_on_opening, "print: no annotations or actions", "an /OpenAction (JavaScript)"
    ),
}


@pytest.mark.parametrize("broken", BREAKS.values(), ids=BREAKS.keys())
def test_one_thing_broken_fails_its_check_alone(broken: Break, tmp_path: Path) -> None:
    verdicts = print_preflight(written(tmp_path, broken.change, broken.version), BLEED_MM)
    assert [v.check for v in verdicts] == CHECKS
    failed = {v.check: v.detail for v in verdicts if not v.passed}
    assert list(failed) == [broken.check], failed
    assert broken.says in failed[broken.check]
    assert len(failed[broken.check]) <= 200


def test_a_damaged_file_fails_every_check_without_raising(tmp_path: Path) -> None:
    path = tmp_path / "test-print.pdf"
    path.write_bytes(b"%PDF-1.6\nnot a PDF at all")
    verdicts = print_preflight(path, BLEED_MM)
    assert [v.check for v in verdicts] == CHECKS
    assert all(v.passed is False and v.detail.startswith("could not be read") for v in verdicts)


def test_a_check_that_cannot_read_its_part_fails_alone(tmp_path: Path) -> None:
    def unreadable_metadata(pdf: pikepdf.Pdf) -> None:
        pdf.Root.Metadata.write(b"<x:xmpmeta")

    verdicts = print_preflight(written(tmp_path, unreadable_metadata), BLEED_MM)
    failed = {v.check: v.detail for v in verdicts if not v.passed}
    assert list(failed) == ["print: PDF/X version"]
    assert failed["print: PDF/X version"].startswith("could not be read: XMLSyntaxError")
