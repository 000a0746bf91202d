"""Give every face of a book joined from several WeasyPrint documents one embedded subset.

In: a :class:`pikepdf.Pdf` whose pages were joined from several WeasyPrint PDFs (the
parts), each part embedding its own subset of each face it uses, and the paths of the
original font files. Out: the same Pdf, rewritten in place. The copies of one font (one
``/BaseFont``) become one ``/Type0`` font dictionary whose ``/W`` and ``/ToUnicode`` are the
union of the copies'; the fonts of one face (one original file) share one font file, the
original subset to every glyph the book uses, glyph ids retained as WeasyPrint retains them,
so no content stream changes. The result renders and extracts as before.

Copies that disagree (WeasyPrint rounds each part's widths at the first size the part uses a
font at, so one glyph can be 464 wide in one part and 465 in another, and a glyph shared by
two characters maps to the one the part met first) cannot be one dictionary without moving
glyphs or changing the extracted text: they become as few dictionaries as agree, all
sharing the face's one font file. Fonts whose face is not among the originals, that use
another encoding than ``/Identity-H`` (WeasyPrint's for missing glyphs), or that are not
written the way WeasyPrint writes them are left exactly as they are.

A merge is planned (:func:`plan`: the copies read and matched to the originals), then
applied (:func:`apply_plan`). Between the two, the subsets the plan needs
(:meth:`Plan.subsets`) may be made in another process (:func:`keep_subset`, into the folder
that keeps subsets), so that the process holding the whole book never loads fontTools'
subsetter, which is a tenth of its memory; a subset not kept is made where it is applied.
"""

from __future__ import annotations

import hashlib
import io
import re
import zlib
from collections.abc import Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import fontTools
import pikepdf
from fontTools.ttLib import TTFont

from presswork.cache import write_whole

Width = int | Decimal
ObjGen = tuple[int, int]
# What is read from a font dictionary's /W and /ToUnicode: each glyph's width and text.
Read = tuple[dict[int, Width], dict[int, bytes]]

# The tables WeasyPrint drops from its subsets (pdf/fonts.py, Font._harfbuzz_subset), and
# Graphite's, which HarfBuzz's subsetter drops too and a PDF never uses.
_DROP = ["GSUB", "GPOS", "SVG ", "BASE", "DSIG", "EBDT", "EBLC", "EBSC", "JSTF", "LTSH", "PCLT"]
_DROP += ["Silf", "Silt", "Glat", "Gloc", "Feat", "Sill"]
_FONT_FILE_KEYS = ("/FontFile", "/FontFile2", "/FontFile3")
# How far (in 1/1000 em) a width may be from the glyph's advance in the original: Pango
# rounds positions to 1/1024 pt, WeasyPrint rounds again; both stay under a unit above 1 pt.
_WIDTH_TOLERANCE = 2

# The ToUnicode CMap exactly as WeasyPrint writes it (pdf/fonts.py, build_fonts_dictionary).
_CMAP_HEAD = (
    b"/CIDInit /ProcSet findresource begin",
    b"12 dict begin",
    b"begincmap",
    b"/CIDSystemInfo",
    b"<< /Registry (Adobe)",
    b"/Ordering (UCS)",
    b"/Supplement 0",
    b">> def",
    b"/CMapName /Adobe-Identity-UCS def",
    b"/CMapType 2 def",
    b"1 begincodespacerange",
    b"<0000> <ffff>",
    b"endcodespacerange",
)
_CMAP_TAIL = (b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end")
_CMAP_BATCH = 100
_CODESPACE = re.compile(rb"1\s+begincodespacerange\s+<0000>\s*<ffff>\s+endcodespacerange", re.I)
_BFCHAR = re.compile(rb"(\d+)\s+beginbfchar\b(.*?)\bendbfchar", re.S)
_PAIR = re.compile(rb"\s*<([0-9A-Fa-f]{4})>\s*<((?:[0-9A-Fa-f]{4})*)>")


@dataclass
class _Copy:
    """One font dictionary, as one part wrote it."""

    font: Any
    cidfont: Any
    descriptor: Any
    file_key: str
    file: Any
    widths: dict[int, Width]
    to_unicode: dict[int, bytes]  # glyph id: UTF-16BE text, as lowercase hex


@dataclass
class _Cluster:
    """Copies of one font that agree on every glyph they share: one dictionary."""

    copies: list[_Copy] = field(default_factory=list)
    widths: dict[int, Width] = field(default_factory=dict)
    to_unicode: dict[int, bytes] = field(default_factory=dict)

    def accepts(self, copy: _Copy) -> bool:
        return all(
            self.widths.get(gid, width) == width for gid, width in copy.widths.items()
        ) and all(self.to_unicode.get(gid, text) == text for gid, text in copy.to_unicode.items())

    def add(self, copy: _Copy) -> None:
        self.copies.append(copy)
        self.widths.update(copy.widths)
        self.to_unicode.update(copy.to_unicode)


@dataclass
class _Metrics:
    """What identifies a face: its names and the metrics a subset keeps from the original."""

    postscript_name: str | None
    cff: bool
    units_per_em: int
    revision: float
    glyph_count: int
    metrics_count: int
    hmtx: bytes

    def advance(self, gid: int) -> int | None:
        index = min(gid, self.metrics_count - 1) * 4
        if index < 0 or index + 2 > len(self.hmtx):
            return None
        return int.from_bytes(self.hmtx[index : index + 2], "big")


@dataclass
class _Original:
    path: Path
    metrics: _Metrics


def merge_fonts(pdf: pikepdf.Pdf, originals: Sequence[Path], subsets: Path | None = None) -> None:
    """Give every face one embedded subset: the copies of each font the parts embedded
    become one font dictionary (or as few as agree on widths and Unicode text), and the
    fonts of each face share one font file, ``originals``' file for that face subset to
    every glyph the book uses. Fonts not matched to an original are left as they are.
    ``subsets``: a folder keeping the subsets of the last merge, for the next merge of the
    same glyphs (a rebuild after a small edit) to reuse."""
    apply_plan(pdf, plan(pdf, originals), subsets)


@dataclass
class Plan:
    """What a merge will do: the font slots of the pages, and the faces matched to an
    original, each with its fonts' copies (one list per ``/BaseFont``)."""

    slots: list[tuple[Any, str, Any]]
    faces: list[tuple[_Original, list[list[_Copy]]]]
    read: bool  # whether any font was one as WeasyPrint writes it

    def subsets(self) -> dict[Path, list[int]]:
        """The subsets the merge needs: each face's original and every glyph id the book
        uses of it, for the faces whose copies do not already share one font file."""
        needed = {}
        for original, fonts in self.faces:
            face_copies = [copy for base_copies in fonts for copy in base_copies]
            if len({copy.file.objgen for copy in face_copies}) > 1:
                needed[original.path] = sorted({0}.union(*(copy.widths for copy in face_copies)))
        return needed


def plan(
    pdf: pikepdf.Pdf, originals: Sequence[Path], known: dict[ObjGen, Read] | None = None
) -> Plan:
    """Read the copies of every font of ``pdf`` and match them to ``originals``;
    ``known``: the widths and text of fonts already read (see :func:`read_fonts`), by
    their objects in ``pdf``."""
    slots = list(_font_slots(pdf))
    copies: dict[ObjGen, _Copy] = {}
    by_base_font: dict[str, list[_Copy]] = {}
    for _fonts, _name, font in slots:
        if font.objgen in copies:
            continue
        copy = _read_copy(font, (known or {}).get(font.objgen))
        if copy is not None:
            copies[font.objgen] = copy
            by_base_font.setdefault(str(font.BaseFont), []).append(copy)
    if not by_base_font:
        return Plan(slots, [], read=False)

    # One face per original, in the order the book first uses them.
    candidates = _read_originals(originals)
    faces: dict[Path, tuple[_Original, list[list[_Copy]]]] = {}
    for base_copies in by_base_font.values():
        original = _match(base_copies[0], candidates)
        if original is None:
            continue
        # The name is read from one copy only; the others must have the face's glyphs.
        first = base_copies[0]
        same = [
            copy
            for copy in base_copies
            if copy.file_key == first.file_key
            and copy.cidfont.Subtype == first.cidfont.Subtype
            and _fits(copy, original.metrics)
        ]
        if same and original.metrics.cff == (first.file_key == "/FontFile3"):
            faces.setdefault(original.path, (original, []))[1].append(same)
    return Plan(slots, list(faces.values()), read=True)


def apply_plan(pdf: pikepdf.Pdf, planned: Plan, subsets: Path | None = None) -> None:
    """Merge the fonts as planned, taking each subset from ``subsets`` where it is kept
    (:func:`keep_subset` may have made it elsewhere) and making it where not."""
    needed = planned.subsets()
    replacements: dict[ObjGen, Any] = {}
    used: set[Path] = set()
    for original, fonts in planned.faces:
        face_copies = [copy for base_copies in fonts for copy in base_copies]
        reused = original.path not in needed
        if reused:
            font_file = face_copies[0].file
        else:
            gids = needed[original.path]
            try:
                font_file = _font_file(pdf, original.path, original.metrics.cff, gids, subsets)
                if subsets is not None:
                    used.add(_subset_path(original.path, gids, subsets))
            except Exception:  # a face fontTools cannot subset stays as the parts wrote it
                continue
        for base_copies in fonts:
            for cluster in _clusters(base_copies):
                if reused and len(cluster.copies) == 1:
                    continue
                merged = _merged_font(pdf, cluster, font_file)
                for copy in cluster.copies:
                    replacements[copy.font.objgen] = merged

    for fonts_dictionary, name, font in planned.slots:
        merged = replacements.get(font.objgen)
        if merged is not None:
            fonts_dictionary[name] = merged
    if subsets is not None and subsets.is_dir() and planned.read:
        for stale in set(subsets.iterdir()) - used:
            stale.unlink(missing_ok=True)


def prepare(originals: Sequence[Path]) -> None:
    """Read the originals as a plan will (fontTools loads the code of each table it reads
    on first use), in a process that will merge fonts, before it has to."""
    _read_originals(originals)


def is_kept(path: Path, gids: list[int], subsets: Path) -> bool:
    """Whether ``subsets`` keeps the subset of the font file ``path`` to ``gids``."""
    return _kept_subset(path, gids, subsets) is not None


def keep_subset(path: Path, gids: list[int], subsets: Path) -> bool:
    """Make the subset of the font file ``path`` to ``gids`` and keep it in ``subsets``
    for a merge to take (run where fontTools' subsetter is loaded anyway: a process that
    lays out pages); False where fontTools cannot subset it or it cannot be kept."""
    if is_kept(path, gids, subsets):
        return True
    try:
        data = _subset(path, gids)
    except Exception:  # the merge will leave the face as the parts wrote it
        return False
    _keep_subset(path, gids, subsets, data)
    return is_kept(path, gids, subsets)


def _font_slots(pdf: pikepdf.Pdf) -> Iterator[tuple[Any, str, Any]]:
    """(font resource dictionary, resource name, font dictionary) for every indirect font
    reachable from the pages, the forms and tiling patterns they draw, their annotations'
    appearances and the AcroForm's default resources, in page order."""
    seen: set[ObjGen] = set()

    def first_visit(obj: Any) -> bool:
        if not obj.is_indirect:
            return True
        if obj.objgen in seen:
            return False
        seen.add(obj.objgen)
        return True

    pending: list[Any] = []
    for page in pdf.pages:
        pending.append(_inherited_resources(page.obj))
        annotations = page.obj.get("/Annots")
        if isinstance(annotations, pikepdf.Array):
            for annotation in annotations:
                appearances = (
                    annotation.get("/AP") if isinstance(annotation, pikepdf.Dictionary) else None
                )
                if isinstance(appearances, pikepdf.Dictionary):
                    for appearance in appearances.values():
                        streams = (
                            appearance.values()
                            if isinstance(appearance, pikepdf.Dictionary)
                            else [appearance]
                        )
                        pending.extend(
                            stream.get("/Resources")
                            for stream in streams
                            if isinstance(stream, pikepdf.Stream) and first_visit(stream)
                        )
    acroform = pdf.Root.get("/AcroForm")
    if isinstance(acroform, pikepdf.Dictionary):
        pending.append(acroform.get("/DR"))

    pending.reverse()
    while pending:
        resources = pending.pop()
        if not isinstance(resources, pikepdf.Dictionary) or not first_visit(resources):
            continue
        fonts = resources.get("/Font")
        if isinstance(fonts, pikepdf.Dictionary) and first_visit(fonts):
            for name, font in fonts.items():
                if font.is_indirect and isinstance(font, pikepdf.Dictionary):
                    yield fonts, name, font
        children: list[Any] = []
        for kind in ("/XObject", "/Pattern"):
            objects = resources.get(kind)
            if isinstance(objects, pikepdf.Dictionary):
                children.extend(
                    obj.get("/Resources")
                    for obj in objects.values()
                    if isinstance(obj, pikepdf.Stream) and first_visit(obj)
                )
        pending.extend(reversed(children))


def _inherited_resources(page: Any) -> Any:
    node, depth = page, 0
    while isinstance(node, pikepdf.Dictionary) and depth < 64:
        resources = node.get("/Resources")
        if resources is not None:
            return resources
        node, depth = node.get("/Parent"), depth + 1
    return None


def read_fonts(pdf: pikepdf.Pdf) -> dict[ObjGen, Read]:
    """The widths and text of every font of ``pdf``'s pages that a plan reads, by their
    objects: read before the pages are joined into a book, so that the book's plan need
    not read them again (see :func:`plan`)."""
    read: dict[ObjGen, Read] = {}
    for _fonts, _name, font in _font_slots(pdf):
        if font.objgen not in read:
            copy = _read_copy(font)
            if copy is not None:
                read[font.objgen] = (copy.widths, copy.to_unicode)
    return read


def _read_copy(font: Any, known: Read | None = None) -> _Copy | None:
    """The copy, if ``font`` is a font dictionary as WeasyPrint writes it for a vector
    font with all its glyphs: Type0, Identity-H, one TrueType or OpenType CIDFont;
    ``known``: its widths and text, read before."""
    try:
        if font.get("/Subtype") != pikepdf.Name.Type0:
            return None
        if font.get("/Encoding") != pikepdf.Name("/Identity-H"):
            return None
        if not isinstance(font.get("/BaseFont"), pikepdf.Name):
            return None
        descendants = font.get("/DescendantFonts")
        if not isinstance(descendants, pikepdf.Array) or len(descendants) != 1:
            return None
        cidfont = descendants[0]
        if not isinstance(cidfont, pikepdf.Dictionary) or "/DW" in cidfont:
            return None
        if cidfont.get("/CIDToGIDMap", pikepdf.Name.Identity) != pikepdf.Name.Identity:
            return None
        descriptor = cidfont.get("/FontDescriptor")
        if not isinstance(descriptor, pikepdf.Dictionary) or not descriptor.is_indirect:
            return None
        files = [key for key in _FONT_FILE_KEYS if key in descriptor]
        if cidfont.get("/Subtype") == pikepdf.Name.CIDFontType2 and files == ["/FontFile2"]:
            file_key = "/FontFile2"
        elif cidfont.get("/Subtype") == pikepdf.Name.CIDFontType0 and files == ["/FontFile3"]:
            file_key = "/FontFile3"
        else:
            return None
        font_file = descriptor[file_key]
        if not isinstance(font_file, pikepdf.Stream):
            return None
        if file_key == "/FontFile3" and font_file.get("/Subtype") != pikepdf.Name.OpenType:
            return None
        to_unicode_stream = font.get("/ToUnicode")
        if not isinstance(to_unicode_stream, pikepdf.Stream):
            return None
        if known is not None:
            widths, to_unicode = known
        else:
            parsed_widths = _parse_widths(cidfont.get("/W"))
            parsed_text = _parse_to_unicode(to_unicode_stream.read_bytes())
            if parsed_widths is None or parsed_text is None:
                return None
            widths, to_unicode = parsed_widths, parsed_text
    except Exception:  # whatever is not as WeasyPrint writes it is left alone
        return None
    return _Copy(font, cidfont, descriptor, file_key, font_file, widths, to_unicode)


def _parse_widths(array: Any) -> dict[int, Width] | None:
    """Glyph id: width, from a CIDFont's ``/W`` (both ``c [w…]`` and ``c1 c2 w`` forms)."""
    if not isinstance(array, pikepdf.Array):
        return None
    items: list[Any] = list(array)
    widths: dict[int, Width] = {}

    def put(gid: int, width: Any) -> bool:
        if not _is_number(width) or not 0 <= gid <= 0xFFFF:
            return False
        return bool(widths.setdefault(gid, width) == width)

    i = 0
    while i < len(items):
        first = items[i]
        following: Any = items[i + 1] if i + 1 < len(items) else None
        if not _is_int(first):
            return None
        if isinstance(following, pikepdf.Array):
            if not all(put(first + offset, width) for offset, width in enumerate(following)):
                return None
            i += 2
        elif _is_int(following) and i + 2 < len(items) and following - first <= 0xFFFF:
            if not all(put(gid, items[i + 2]) for gid in range(first, following + 1)):
                return None
            i += 3
        else:
            return None
    return widths


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return _is_int(value) or isinstance(value, Decimal)


def _parse_to_unicode(data: bytes) -> dict[int, bytes] | None:
    """Glyph id: text, from a ToUnicode CMap of ``bfchar`` entries only, as WeasyPrint
    writes them; None for anything else (ranges, other code spaces)."""
    if not _CODESPACE.search(data) or b"bfrange" in data or b"usecmap" in data:
        return None
    mapping: dict[int, bytes] = {}
    for block in _BFCHAR.finditer(data):
        body, position, count = block[2], 0, 0
        while (pair := _PAIR.match(body, position)) is not None:
            gid, text = int(pair[1], 16), pair[2].lower()
            if mapping.setdefault(gid, text) != text:
                return None
            position, count = pair.end(), count + 1
        if body[position:].strip() or count != int(block[1]):
            return None
    return mapping


def _metrics(font: Any) -> _Metrics:
    """The metrics of a lazily-loaded TTFont that tell faces apart."""
    return _Metrics(
        postscript_name=font["name"].getDebugName(6),
        cff=font.sfntVersion == "OTTO",
        units_per_em=font["head"].unitsPerEm,
        revision=font["head"].fontRevision,
        glyph_count=font["maxp"].numGlyphs,
        metrics_count=font["hhea"].numberOfHMetrics,
        hmtx=font.reader["hmtx"],
    )


def _read_originals(originals: Sequence[Path]) -> dict[str, list[_Original]]:
    """The originals by PostScript name, in the order given; static fonts only (WeasyPrint
    instantiates variable ones, so its subsets cannot be made again from the file)."""
    by_name: dict[str, list[_Original]] = {}
    paths = dict.fromkeys(Path(path).resolve() for path in originals)
    for path in paths:
        try:
            with TTFont(path, lazy=True, recalcTimestamp=False) as font:
                if "fvar" in font or ("glyf" not in font and "CFF " not in font):
                    continue
                metrics = _metrics(font)
        except Exception:  # not a font fontTools reads (a collection, a broken file)
            continue
        if metrics.postscript_name:
            by_name.setdefault(metrics.postscript_name, []).append(_Original(path, metrics))
    return by_name


def _match(copy: _Copy, candidates: dict[str, list[_Original]]) -> _Original | None:
    """The original ``copy``'s embedded subset was made from: same PostScript name, kind
    of outlines, units per em and revision, and the same advance for every glyph used."""
    try:
        with TTFont(io.BytesIO(copy.file.read_bytes()), lazy=True) as font:
            embedded = _metrics(font)
    except Exception:  # an embedded font fontTools cannot read is left alone
        return None
    for original in candidates.get(embedded.postscript_name or "", []):
        metrics = original.metrics
        if (
            metrics.cff == embedded.cff
            and metrics.units_per_em == embedded.units_per_em
            and metrics.revision == embedded.revision
            and embedded.glyph_count <= metrics.glyph_count
            and all(
                embedded.advance(gid) == metrics.advance(gid)
                for gid in copy.widths
                if gid < embedded.glyph_count
            )
        ):
            return original
    return None


def _fits(copy: _Copy, metrics: _Metrics) -> bool:
    """Whether each width of ``copy`` is the advance of the same glyph of the original, as
    WeasyPrint rounds it (Pango's logical width in 1/1000 em, within a unit or two): a
    cheap check, without reading its embedded font, that the copy's glyph ids are the
    original's."""
    scale = 1000 / metrics.units_per_em
    for gid, width in copy.widths.items():
        advance = metrics.advance(gid) if gid < metrics.glyph_count else None
        if advance is None or abs(float(width) - advance * scale) > _WIDTH_TOLERANCE:
            return False
    return True


def _clusters(copies: list[_Copy]) -> list[_Cluster]:
    """The copies of one font grouped, in order, into as few groups as agree."""
    clusters: list[_Cluster] = []
    for copy in copies:
        cluster = next((cluster for cluster in clusters if cluster.accepts(copy)), None)
        if cluster is None:
            cluster = _Cluster()
            clusters.append(cluster)
        cluster.add(copy)
    return clusters


def _font_file(
    pdf: pikepdf.Pdf, path: Path, cff: bool, gids: list[int], subsets: Path | None
) -> Any:
    """The original subset to ``gids``, glyph ids retained, as a compressed font file
    stream with the keys WeasyPrint gives it."""
    kept = _kept_subset(path, gids, subsets)
    data = kept if kept is not None else _subset(path, gids)
    if subsets is not None and kept is None:
        _keep_subset(path, gids, subsets, data)
    stream = pikepdf.Stream(pdf, b"")
    stream.write(zlib.compress(data, 9), filter=pikepdf.Name.FlateDecode)
    if cff:
        stream.Subtype = pikepdf.Name.OpenType
    else:
        stream.Length1 = len(data)
    return stream


def _subset(path: Path, gids: list[int]) -> bytes:
    # The subsetter is loaded only to subset: a join that finds its subsets kept (made
    # by keep_subset elsewhere, or by the last build) never loads it.
    from fontTools import subset

    options = subset.Options(
        retain_gids=True,
        passthrough_tables=True,
        ignore_missing_glyphs=True,
        hinting=False,
        desubroutinize=True,
    )
    options.drop_tables += _DROP
    with TTFont(path, recalcTimestamp=False) as font:
        # Subsetter.subset would parse the layout tables only to drop them: drop them first.
        for tag in _DROP:
            if tag in font:
                del font[tag]
        subsetter = subset.Subsetter(options)
        subsetter.populate(gids=gids)
        subsetter.subset(font)
        output = io.BytesIO()
        font.save(output)
    return output.getvalue()


def _subset_path(path: Path, gids: list[int], subsets: Path) -> Path:
    """Where the subset of the original ``path`` to ``gids`` is kept: named after the
    original's bytes, the glyphs, the tables dropped and fontTools' version."""
    digest = hashlib.sha256(hashlib.sha256(path.read_bytes()).digest())
    digest.update(f"{fontTools.version}\0{_DROP}\0{gids}".encode())
    return subsets / f"{digest.hexdigest()}.font"


def _kept_subset(path: Path, gids: list[int], subsets: Path | None) -> bytes | None:
    """A kept subset whose bytes are whole (they follow their own SHA-256), or None."""
    if subsets is None:
        return None
    try:
        kept = _subset_path(path, gids, subsets).read_bytes()
    except OSError:
        return None
    digest, data = kept[:32], kept[32:]
    return data if hashlib.sha256(data).digest() == digest else None


def _keep_subset(path: Path, gids: list[int], subsets: Path, data: bytes) -> None:
    with suppress(OSError):
        write_whole(_subset_path(path, gids, subsets), hashlib.sha256(data).digest() + data)


def _merged_font(pdf: pikepdf.Pdf, cluster: _Cluster, font_file: Any) -> Any:
    """A new Type0 font for the cluster's copies: the first copy's keys, the union of the
    copies' widths and text, and the face's font file."""
    first = cluster.copies[0]
    widths = cluster.widths

    descriptor = pikepdf.Dictionary(
        {
            key: value
            for key, value in first.descriptor.items()
            if key not in _FONT_FILE_KEYS and key != "/CIDSet"
        }
    )
    descriptor[first.file_key] = font_file
    bbox = first.descriptor.get("/FontBBox")
    if isinstance(bbox, pikepdf.Array) and len(bbox) == 4:
        descriptor.FontBBox = pikepdf.Array(
            [bbox[0], bbox[1], max(widths.values(), default=0), bbox[3]]
        )

    cidfont = pikepdf.Dictionary(dict(first.cidfont.items()))
    cidfont.W = _width_array(widths)
    cidfont.FontDescriptor = pdf.make_indirect(descriptor)

    to_unicode = pikepdf.Stream(pdf, b"")
    to_unicode.write(
        zlib.compress(_to_unicode_cmap(cluster.to_unicode), 9), filter=pikepdf.Name.FlateDecode
    )
    font = pikepdf.Dictionary(dict(first.font.items()))
    font.ToUnicode = to_unicode
    font.DescendantFonts = pikepdf.Array([pdf.make_indirect(cidfont)])
    return pdf.make_indirect(font)


def _width_array(widths: dict[int, Width]) -> Any:
    """``/W`` as WeasyPrint writes it: runs of consecutive glyph ids, ``start [w…]``."""
    array: list[Any] = []
    run: list[Width] = []
    previous = None
    for gid in sorted(widths):
        if previous is None or gid != previous + 1:
            run = []
            array += [gid, run]
        run.append(widths[gid])
        previous = gid
    return pikepdf.Array(array)


def _to_unicode_cmap(mapping: dict[int, bytes]) -> bytes:
    """The ToUnicode CMap as WeasyPrint writes it, glyph ids in order."""
    lines = list(_CMAP_HEAD)
    items = sorted(mapping.items())
    for start in range(0, len(items), _CMAP_BATCH):
        batch = items[start : start + _CMAP_BATCH]
        lines.append(b"%d beginbfchar" % len(batch))
        lines.extend(b"<%04x> <%s>" % (gid, text) for gid, text in batch)
        lines.append(b"endbfchar")
    lines.extend(_CMAP_TAIL)
    return b"\n".join(lines)
