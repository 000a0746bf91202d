"""A printer's preflight of the print edition: what a prepress operator checks in a
PDF/X-4 file (ISO 15930-7) before it goes to plate, and the house's own rules.

In: the print edition (``<slug>-print.pdf``) and the bleed the book asks for, in
millimetres. Out: one :class:`~presswork.release.verdict.Verdict` a check, in this
order: the output intent, the PDF/X version and its metadata, no RGB, text in black ink
alone, the page boxes, embedded fonts, the bleed, and no annotation on the printed area
and no action. A failing verdict names the pages where the problem is. A check that
cannot read what it needs fails and says why; a damaged file raises nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pikepdf
from lxml import etree

from presswork.lengths import MM
from presswork.pdf.pdfx import PDF_VERSION, PDFX_VERSION
from presswork.release.inkwalk import Reach, Reached, inherited, text_inks
from presswork.release.verdict import Verdict

TOLERANCE = 0.01  # points: what two boxes written by different tools may differ by
LISTED = 5  # problems (or runs of pages) a detail names before "and N more"
LONGEST = 200  # characters of a detail
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_PDFXID = "http://www.npes.org/pdfx/ns/id/"
_PDF = "http://ns.adobe.com/pdf/1.3/"
_XMPMM = "http://ns.adobe.com/xap/1.0/mm/"
_DC = "http://purl.org/dc/elements/1.1/"
_MARKS = frozenset({"/PrinterMark", "/TrapNet"})  # annotations PDF/X admits on the sheet

Box = tuple[float, float, float, float]
Outcome = tuple[bool, str]


@dataclass
class _Proof:
    """The print file under preflight, with what more than one check reads of it."""

    pdf: Any  # pikepdf's objects are dynamic: read them as such
    bleed_mm: float

    @cached_property
    def pages(self) -> list[Any]:
        return [page.obj for page in self.pdf.pages]

    @cached_property
    def reached(self) -> tuple[Reach, list[Reached]]:
        reach = Reach()
        return reach, [reach.page(page) for page in self.pages]


def _pages(numbers: Iterable[int]) -> str:
    """``page 2``, ``pages 1, 2`` or ``pages 1–40, 42``."""
    ordered = sorted(set(numbers))
    runs: list[list[int]] = []
    for number in ordered:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    said = [f"{run[0]}–{run[-1]}" if len(run) > 2 else ", ".join(map(str, run)) for run in runs]
    more = f" and {len(runs) - LISTED} more" if len(runs) > LISTED else ""
    return ("page " if len(ordered) == 1 else "pages ") + ", ".join(said[:LISTED]) + more


def _listed(problems: list[str]) -> str:
    unique = list(dict.fromkeys(problems))
    more = [f"and {len(unique) - LISTED} more"] if len(unique) > LISTED else []
    return "; ".join(unique[:LISTED] + more)


def _by_page(problems: list[tuple[str, int]]) -> str:
    """Each problem once, with the pages it is on."""
    pages: dict[str, list[int]] = {}
    for problem, number in problems:
        pages.setdefault(problem, []).append(number)
    return _listed([f"{problem} on {_pages(numbers)}" for problem, numbers in pages.items()])


def _output_intent(proof: _Proof) -> Outcome:
    intents = list(proof.pdf.Root.get("/OutputIntents", []))
    pdfx = [intent for intent in intents if intent.get("/S") == "/GTS_PDFX"]
    others = sorted({str(intent.get("/S")) for intent in intents} - {"/GTS_PDFX"})
    if not intents:
        return False, "no /OutputIntents in the catalog"
    problems = (
        [f"{len(pdfx)} GTS_PDFX output intents, where one is asked"] if len(pdfx) != 1 else []
    )
    problems += [f"a {subtype} output intent beside it" for subtype in others]
    if len(pdfx) != 1:
        return False, _listed(problems)
    intent = pdfx[0]
    condition = str(intent.get("/OutputConditionIdentifier", "")).strip()
    if not condition:
        problems.append("no /OutputConditionIdentifier")
    profile = intent.get("/DestOutputProfile")
    if not isinstance(profile, pikepdf.Stream):
        return False, _listed([*problems, "no embedded /DestOutputProfile"])
    header = profile.read_bytes()[:20]
    device, space = header[12:16].decode("latin-1"), header[16:20].decode("latin-1")
    channels = int(profile.get("/N", 0))
    if device != "prtr":
        problems.append(f"the profile is of device class '{device}', not a printer's ('prtr')")
    if space != "CMYK":
        problems.append(f"the profile's colour space is '{space.strip()}', not CMYK")
    if channels != 4:
        problems.append(f"the profile's /N is {channels}, not 4")
    return not problems, _listed(problems) or f"{condition}, a CMYK printer profile (N=4)"


def _xmp_properties(stream: Any) -> dict[str, str]:
    """Every property of the XMP packet's descriptions, by ``{namespace}name``, written
    as an attribute or as an element (the text of an ``rdf:Alt`` or ``rdf:Seq``)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    root = etree.fromstring(stream.read_bytes(), parser)
    found: dict[str, str] = {}
    for description in root.iter(f"{{{_RDF}}}Description"):
        found.update({str(k): str(v) for k, v in description.attrib.items()})
        for element in description:
            if isinstance(element.tag, str):
                found[element.tag] = "".join(str(t) for t in element.itertext()).strip()
    return found


def _pdfx_version(proof: _Proof) -> Outcome:
    pdf, problems = proof.pdf, []
    stream = pdf.Root.get("/Metadata")
    said = _xmp_properties(stream) if isinstance(stream, pikepdf.Stream) else {}
    if not isinstance(stream, pikepdf.Stream):
        problems.append("no XMP metadata in the catalog")
    version = said.get(f"{{{_PDFXID}}}GTS_PDFXVersion")
    if version != PDFX_VERSION:
        problems.append(
            f"XMP GTS_PDFXVersion is {version!r}" if version else "no XMP GTS_PDFXVersion"
        )
    trapped = said.get(f"{{{_PDF}}}Trapped")
    if trapped not in ("True", "False"):
        problems.append(f"XMP pdf:Trapped is {trapped!r}, not True or False")
    info = pdf.trailer.get("/Info")
    listed = str(info.get("/Trapped")) if isinstance(info, pikepdf.Dictionary) else "None"
    if listed not in ("/True", "/False"):
        problems.append(f"document information /Trapped is {listed}, not /True or /False")
    elif trapped in ("True", "False") and listed != f"/{trapped}":
        problems.append(f"document information /Trapped is {listed}, XMP says {trapped}")
    if pdf.pdf_version != PDF_VERSION:
        problems.append(f"the file is PDF {pdf.pdf_version}, PDF/X-4 asks {PDF_VERSION}")
    if str(pdf.Root.get("/Version", f"/{PDF_VERSION}")) != f"/{PDF_VERSION}":
        problems.append(f"the catalog's /Version is {pdf.Root.Version}, not {PDF_VERSION}")
    wanted = [
        (_XMPMM, "DocumentID", "xmpMM"),
        (_XMPMM, "VersionID", "xmpMM"),
        (_XMPMM, "RenditionClass", "xmpMM"),
        (_DC, "title", "dc"),
    ]
    for namespace, name, prefix in wanted:
        if not said.get(f"{{{namespace}}}{name}"):
            problems.append(f"no XMP {prefix}:{name}")
    summary = (
        f"{version} on PDF {pdf.pdf_version}, Trapped {trapped}, "
        f"version {said.get(f'{{{_XMPMM}}}VersionID')}, "
        f"rendition {said.get(f'{{{_XMPMM}}}RenditionClass')}"
    )
    return not problems, _listed(problems) or summary


def _no_rgb(proof: _Proof) -> Outcome:
    reach, reached = proof.reached
    pages = [number for number, found in enumerate(reached, start=1) if found.rgb]
    if pages:
        places = sorted(set().union(*(reached[number - 1].rgb for number in pages)))
        return False, f"RGB on {_pages(pages)}: {_listed(places)}"
    images = "1 image" if len(reach.images) == 1 else f"{len(reach.images)} images"
    return True, f"{len(reached)} pages, {reach.streams} content streams, {images}: none in RGB"


def _text_in_black(proof: _Proof) -> Outcome:
    totals: Counter[str] = Counter()
    problems: list[tuple[str, int]] = []
    for number, page in enumerate(proof.pages, start=1):
        for (words, black), runs in text_inks(page).items():
            totals[words] += runs
            if not black:
                problems.append((f"text in {words}", number))
    if problems:
        return False, _by_page(problems)
    inks = ", ".join(f"{runs:,} in {words}" for words, runs in totals.most_common())
    count = f"{len(proof.pages)} pages, {sum(totals.values()):,} text runs"
    return True, count + (f": {inks}" if inks else "")


def _box(page: Any, key: str) -> Box | None:
    """A page box, its corners in order; MediaBox and CropBox may be inherited."""
    value = inherited(page, key) if key in ("/MediaBox", "/CropBox") else page.get(key)
    if not isinstance(value, pikepdf.Array) or len(value) != 4:
        return None
    x0, y0, x1, y1 = (float(v) for v in value)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _inside(inner: Box, outer: Box) -> bool:
    return (
        inner[0] >= outer[0] - TOLERANCE
        and inner[1] >= outer[1] - TOLERANCE
        and inner[2] <= outer[2] + TOLERANCE
        and inner[3] <= outer[3] + TOLERANCE
    )


def _alike(one: Box | None, other: Box | None) -> bool:
    if one is None or other is None:
        return one is other
    return all(abs(a - b) <= TOLERANCE for a, b in zip(one, other, strict=True))


def _box_problems(page: Any) -> list[str]:
    media, crop = _box(page, "/MediaBox"), _box(page, "/CropBox")
    trim, bleed = _box(page, "/TrimBox"), _box(page, "/BleedBox")
    problems = []
    if media is None:
        problems.append("no MediaBox")
    elif abs(media[0]) > TOLERANCE or abs(media[1]) > TOLERANCE:
        problems.append(f"MediaBox starts at {media[0]:g}, {media[1]:g}, not 0, 0")
    problems += [f"no {name}" for name, box in (("TrimBox", trim), ("BleedBox", bleed)) if not box]
    if trim is not None and "/ArtBox" in page:
        problems.append("an ArtBox beside the TrimBox")
    if trim is not None and bleed is not None and not _inside(trim, bleed):
        problems.append("TrimBox not inside the BleedBox")
    if bleed is not None and media is not None and not _inside(bleed, media):
        problems.append("BleedBox not inside the MediaBox")
    if bleed is not None and crop is not None and not _inside(bleed, crop):
        problems.append("CropBox smaller than the BleedBox")
    return problems


def _page_boxes(proof: _Proof) -> Outcome:
    if not proof.pages:
        return False, "no pages"
    problems: list[tuple[str, int]] = []
    first = proof.pages[0]
    keys = ("/MediaBox", "/TrimBox", "/BleedBox")
    for number, page in enumerate(proof.pages, start=1):
        problems += [(problem, number) for problem in _box_problems(page)]
        problems += [
            (f"{key[1:]} unlike page 1's", number)
            for key in keys
            if not _alike(_box(page, key), _box(first, key))
        ]
    if problems:
        return False, _by_page(problems)
    sizes = [_box(first, key) for key in ("/TrimBox", "/BleedBox", "/MediaBox")]
    trim, bleed, media = (
        f"{(b[2] - b[0]) / MM:.1f} × {(b[3] - b[1]) / MM:.1f} mm" for b in sizes if b
    )
    return True, f"{len(proof.pages)} pages alike: trim {trim}, bleed {bleed}, media {media}"


def _fonts_embedded(proof: _Proof) -> Outcome:
    _, reached = proof.reached
    names: dict[str, str] = {}
    missing: list[tuple[str, int]] = []
    for number, found in enumerate(reached, start=1):
        for key, name, embedded in sorted(found.fonts):
            names[key] = name
            if not embedded:
                missing.append((f"font {name} not embedded", number))
    if missing:
        return False, _by_page(missing)
    count = "1 font" if len(names) == 1 else f"{len(names)} fonts"
    return True, f"{count}, all embedded"


def _bleed(proof: _Proof) -> Outcome:
    asked = proof.bleed_mm * MM
    problems: list[tuple[str, int]] = []
    sides: list[float] = []
    for number, page in enumerate(proof.pages, start=1):
        trim, bleed = _box(page, "/TrimBox"), _box(page, "/BleedBox")
        if trim is None or bleed is None:
            problems.append(("no TrimBox or BleedBox", number))
            continue
        margins = (trim[0] - bleed[0], trim[1] - bleed[1], bleed[2] - trim[2], bleed[3] - trim[3])
        sides += margins
        if min(margins) < asked - TOLERANCE:
            found = f"{min(margins) / MM:.1f} mm"
            problems.append((f"a bleed of {found} where {proof.bleed_mm:.1f} mm is asked", number))
    if problems or not sides:
        return False, _by_page(problems) or "no pages"
    least, most = min(sides) / MM, max(sides) / MM
    return True, ("" if most - least < 0.05 else "at least ") + (
        f"{least:.1f} mm on every side of every page"
    )


def _overlaps(rect: Box, area: Box) -> bool:
    return rect[0] < area[2] and rect[2] > area[0] and rect[1] < area[3] and rect[3] > area[1]


def _no_annotations_or_actions(proof: _Proof) -> Outcome:
    root = proof.pdf.Root
    problems: list[tuple[str, int]] = []
    for number, page in enumerate(proof.pages, start=1):
        printed = _box(page, "/BleedBox") or _box(page, "/CropBox") or _box(page, "/MediaBox")
        if "/AA" in page:
            problems.append(("an /AA action", number))
        for annotation in page.get("/Annots", []):
            subtype = str(annotation.get("/Subtype", "/nameless"))
            rect = annotation.get("/Rect")
            if subtype in _MARKS or not isinstance(rect, pikepdf.Array) or len(rect) != 4:
                continue
            x0, y0, x1, y1 = (float(v) for v in rect)
            box = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
            if printed is None or _overlaps(box, printed):
                problems.append((f"a {subtype[1:]} annotation in the bleed", number))
    said: list[str] = []
    action = root.get("/OpenAction")
    if action is not None:
        kind = action.get("/S") if isinstance(action, pikepdf.Dictionary) else None
        said.append(f"an /OpenAction ({str(kind)[1:]})" if kind else "an /OpenAction")
    if "/AA" in root:
        said.append("an /AA action in the catalog")
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary) and "/JavaScript" in names:
        said.append("JavaScript in the catalog's /Names")
    if "/AcroForm" in root:
        said.append("an /AcroForm")
    if problems or said:
        return False, _listed([*said, *([_by_page(problems)] if problems else [])])
    return True, f"{len(proof.pages)} pages: no annotation in the bleed, no action, no form"


_CHECKS: list[tuple[str, Callable[[_Proof], Outcome]]] = [
    ("print: output intent", _output_intent),
    ("print: PDF/X version", _pdfx_version),
    ("print: no RGB", _no_rgb),
    ("print: text in black ink", _text_in_black),
    ("print: page boxes", _page_boxes),
    ("print: fonts embedded", _fonts_embedded),
    ("print: bleed", _bleed),
    ("print: no annotations or actions", _no_annotations_or_actions),
]


def _shortened(detail: str) -> str:
    return detail if len(detail) <= LONGEST else detail[: LONGEST - 1] + "…"


def _verdict(check: str, run: Callable[[_Proof], Outcome], proof: _Proof, file: str) -> Verdict:
    try:
        passed, detail = run(proof)
    except Exception as error:  # a damaged file fails the check; the preflight goes on
        passed, detail = False, f"could not be read: {type(error).__name__}: {error}"
    return Verdict(check, file, passed, _shortened(detail))


def print_preflight(path: Path, bleed_mm: float) -> list[Verdict]:
    """The print edition's preflight: one verdict a check, in the order of ``_CHECKS``."""
    try:
        opened = pikepdf.open(path)
    except Exception as error:  # not a PDF at all: every check fails with the reason
        reason = _shortened(f"could not be read: {type(error).__name__}: {error}")
        return [Verdict(check, path.name, False, reason) for check, _ in _CHECKS]
    with opened as pdf:
        proof = _Proof(pdf, bleed_mm)
        return [_verdict(check, run, proof, path.name) for check, run in _CHECKS]
