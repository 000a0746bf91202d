"""The editions' output intents, and the print edition's PDF/X-4 claim: its metadata,
nothing a printer's preflight refuses.

In: a :class:`pikepdf.Pdf` whose pages are final and in process inks
(:mod:`presswork.pdf.colour`), and the printing condition
(:class:`~presswork.styles.OutputIntent`); for the screen edition, its colour space.
Out: the screen edition with an output intent naming sRGB; the print edition with that
condition's output intent (``GTS_PDFX``, its profile embedded), the PDF/X version and
``Trapped`` in its XMP metadata and document information, and with no annotation and no
action: links are for screens, and PDF/X admits no annotation on the printed page. The
structure tree keeps each link's text, no longer its annotation; the destinations named
for the links go with them (the outline's are explicit). Saved as PDF 1.6 by
:func:`presswork.pdf.save.deterministic_bytes`.
"""

from __future__ import annotations

import zlib

import pikepdf

from presswork.pdf.outlines import outline_dests, read_outline
from presswork.pdf.trees import kids, number_tree
from presswork.pdf.xmp import with_properties
from presswork.styles import OutputIntent

PDFX_VERSION = "PDF/X-4"
PDF_VERSION = "1.6"  # what PDF/X-4 is based on
ICC_REGISTRY = "http://www.color.org"


def output_intent(pdf: pikepdf.Pdf, intent: OutputIntent, subtype: str) -> None:
    """Make ``intent`` the document's one output intent, of ``subtype`` (``/GTS_PDFX``
    for a printing condition, ``/GTS_PDFA1`` for the screen's colour space), its
    profile embedded."""
    data = intent.profile.read_bytes()
    channels = {b"GRAY": 1, b"RGB ": 3, b"CMYK": 4}[data[16:20]]
    profile = pdf.make_stream(zlib.compress(data), N=channels, Filter=pikepdf.Name.FlateDecode)
    pdf.Root.OutputIntents = pikepdf.Array(
        [
            pikepdf.Dictionary(
                Type=pikepdf.Name.OutputIntent,
                S=pikepdf.Name(subtype),
                OutputConditionIdentifier=pikepdf.String(intent.condition),
                OutputCondition=pikepdf.String(intent.info),
                Info=pikepdf.String(intent.info),
                RegistryName=pikepdf.String(ICC_REGISTRY),
                DestOutputProfile=profile,
            )
        ]
    )


def in_screen_colours(pdf: pikepdf.Pdf, intent: OutputIntent) -> None:
    """Name the screen edition's colour space (sRGB, which WeasyPrint paints in) in its
    output intent."""
    output_intent(pdf, intent, "/GTS_PDFA1")


def as_pdfx(pdf: pikepdf.Pdf, intent: OutputIntent, document_id: str) -> None:
    """Make the print edition a PDF/X-4 file, in place; ``document_id``: the print
    edition's identifier (a ``urn:uuid:``), its XMP document id."""
    output_intent(pdf, intent, "/GTS_PDFX")
    without_annotations(pdf)
    _without_named_destinations(pdf)
    for key in ("/OpenAction", "/AA", "/AcroForm"):
        if key in pdf.Root:
            del pdf.Root[key]
    pdf.docinfo[pikepdf.Name.Trapped] = pikepdf.Name("/False")
    pdf.docinfo[pikepdf.Name.GTS_PDFXVersion] = pikepdf.String(PDFX_VERSION)
    if "/Metadata" in pdf.Root:
        claim = {
            ("pdfxid", "GTS_PDFXVersion"): PDFX_VERSION,
            ("pdf", "Trapped"): "False",
            ("xmpMM", "DocumentID"): document_id.replace("urn:uuid:", "uuid:"),
            ("xmpMM", "VersionID"): "1",
            ("xmpMM", "RenditionClass"): "default",
            ("dc", "identifier"): document_id,
        }
        pdf.Root.Metadata.write(with_properties(pdf.Root.Metadata.read_bytes(), claim))


def _without_named_destinations(pdf: pikepdf.Pdf) -> None:
    """The named destinations were the links' targets; the outline's own are explicit.
    (A destination kept would be one more place to move with the page.)"""
    names = pdf.Root.get("/Names")
    if not isinstance(names, pikepdf.Dictionary) or "/Dests" not in names:
        return
    outline = read_outline(pdf.Root.Outlines) if "/Outlines" in pdf.Root else []
    if not all(isinstance(dest, pikepdf.Array) for dest in outline_dests(outline)):
        return  # an outline that names its destinations needs them
    del names.Dests
    if not names.keys():
        del pdf.Root.Names


def without_annotations(pdf: pikepdf.Pdf) -> None:
    """Remove every annotation and take it out of the structure tree: the element that
    held it keeps its text."""
    tree = pdf.Root.get("/StructTreeRoot")
    entries = dict(number_tree(tree.ParentTree)) if tree is not None else {}
    dropped = set()
    for page in pdf.pages:
        for annotation in page.obj.get("/Annots", []):
            key = int(annotation.get("/StructParent", -1))
            element = entries.get(key)
            if isinstance(element, pikepdf.Dictionary):
                kept = [k for k in kids(element) if not _refers_to(k, annotation)]
                element.K = pikepdf.Array(kept) if len(kept) != 1 else kept[0]
                dropped.add(key)
        if "/Annots" in page.obj:
            del page.obj.Annots
    if tree is not None and dropped:
        nums = [x for key, value in entries.items() if key not in dropped for x in (key, value)]
        tree.ParentTree = pdf.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array(nums)))


def _refers_to(kid: pikepdf.Object, annotation: pikepdf.Object) -> bool:
    return (
        isinstance(kid, pikepdf.Dictionary)
        and kid.get("/Type") == "/OBJR"
        and kid.Obj.objgen == annotation.objgen
    )
