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
(:meth:`Plan.subsets`) may be made in another process
(:func:`~presswork.pdf.subsets.keep_subset`, into the build's cache), so that the
process holding the whole book never loads fontTools'
subsetter, which is a tenth of its memory; a subset not kept is made where it is applied.
"""

from __future__ import annotations

import hashlib
import io
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf
from fontTools.ttLib import TTFont

from presswork.cache import Store
from presswork.pdf.fontcopies import (
    FONT_FILE_KEYS,
    FontCopy,
    ObjGen,
    Read,
    Width,
    font_slots,
    read_copy,
    to_unicode_cmap,
    width_array,
)
from presswork.pdf.subsets import KIND as SUBSET
from presswork.pdf.subsets import kept_subset, subset, subset_key

# How far (in 1/1000 em) a width may be from the glyph's advance in the original: Pango
# rounds positions to 1/1024 pt, WeasyPrint rounds again; both stay under a unit above 1 pt.
_WIDTH_TOLERANCE = 2


@dataclass
class _Cluster:
    """Copies of one font that agree on every glyph they share: one dictionary."""

    copies: list[FontCopy] = field(default_factory=list)
    widths: dict[int, Width] = field(default_factory=dict)
    to_unicode: dict[int, bytes] = field(default_factory=dict)

    def accepts(self, copy: FontCopy) -> bool:
        return all(
            self.widths.get(gid, width) == width for gid, width in copy.widths.items()
        ) and all(self.to_unicode.get(gid, text) == text for gid, text in copy.to_unicode.items())

    def add(self, copy: FontCopy) -> None:
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


def merge_fonts(pdf: pikepdf.Pdf, originals: Sequence[Path], store: Store | None = None) -> None:
    """Give every face one embedded subset: the copies of each font the parts embedded
    become one font dictionary (or as few as agree on widths and Unicode text), and the
    fonts of each face share one font file, ``originals``' file for that face subset to
    every glyph the book uses. Fonts not matched to an original are left as they are.
    ``store``: the cache keeping the subsets of the last merge, for the next merge of the
    same glyphs (a rebuild after a small edit) to reuse."""
    apply_plan(pdf, plan(pdf, originals), store)


@dataclass
class Plan:
    """What a merge will do: the font slots of the pages, and the faces matched to an
    original, each with its fonts' copies (one list per ``/BaseFont``)."""

    slots: list[tuple[Any, str, Any]]
    faces: list[tuple[_Original, list[list[FontCopy]]]]
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
    slots = list(font_slots(pdf))
    copies: dict[ObjGen, FontCopy] = {}
    by_base_font: dict[str, list[FontCopy]] = {}
    for _fonts, _name, font in slots:
        if font.objgen in copies:
            continue
        copy = read_copy(font, (known or {}).get(font.objgen))
        if copy is not None:
            copies[font.objgen] = copy
            by_base_font.setdefault(str(font.BaseFont), []).append(copy)
    if not by_base_font:
        return Plan(slots, [], read=False)

    # One face per original, in the order the book first uses them.
    candidates = _read_originals(originals)
    faces: dict[Path, tuple[_Original, list[list[FontCopy]]]] = {}
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


def apply_plan(pdf: pikepdf.Pdf, planned: Plan, store: Store | None = None) -> None:
    """Merge the fonts as planned, taking each subset from ``store`` where it is kept
    (:func:`~presswork.pdf.subsets.keep_subset` may have made it elsewhere) and making
    it where not; the store then keeps only this merge's subsets."""
    needed = planned.subsets()
    replacements: dict[ObjGen, Any] = {}
    used: set[str] = set()
    for original, fonts in planned.faces:
        face_copies = [copy for base_copies in fonts for copy in base_copies]
        reused = original.path not in needed
        if reused:
            font_file = face_copies[0].file
        else:
            gids = needed[original.path]
            try:
                font_file = _font_file(pdf, original.path, original.metrics.cff, gids, store)
                used.add(subset_key(original.path, gids))
            except Exception:  # a face fontTools cannot subset stays as the parts wrote it
                continue
        for base_copies in fonts:
            for index, cluster in enumerate(_clusters(base_copies)):
                # Dictionaries that differ are different fonts to a printer's RIP, which
                # may cache fonts by name: each after the first gets a name of its own.
                renamed = None if index == 0 else _renamed(cluster)
                if reused and len(cluster.copies) == 1:
                    if renamed is not None:
                        _name(
                            cluster.copies[0].font,
                            cluster.copies[0].cidfont,
                            cluster.copies[0].descriptor,
                            renamed,
                        )
                    continue
                merged = _merged_font(pdf, cluster, font_file, renamed)
                for copy in cluster.copies:
                    replacements[copy.font.objgen] = merged

    for fonts_dictionary, name, font in planned.slots:
        merged = replacements.get(font.objgen)
        if merged is not None:
            fonts_dictionary[name] = merged
    if store is not None and planned.read:
        store.keep_only(SUBSET, used)


def prepare(originals: Sequence[Path]) -> None:
    """Read the originals as a plan will (fontTools loads the code of each table it reads
    on first use), in a process that will merge fonts, before it has to."""
    _read_originals(originals)


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


def _match(copy: FontCopy, candidates: dict[str, list[_Original]]) -> _Original | None:
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


def _fits(copy: FontCopy, metrics: _Metrics) -> bool:
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


def _clusters(copies: list[FontCopy]) -> list[_Cluster]:
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
    pdf: pikepdf.Pdf, path: Path, cff: bool, gids: list[int], store: Store | None
) -> Any:
    """The original subset to ``gids``, glyph ids retained, as a compressed font file
    stream with the keys WeasyPrint gives it."""
    kept = kept_subset(path, gids, store)
    data = kept if kept is not None else subset(path, gids)
    if store is not None and kept is None:
        store.write(SUBSET, subset_key(path, gids), data)
    stream = pikepdf.Stream(pdf, b"")
    stream.write(zlib.compress(data, 9), filter=pikepdf.Name.FlateDecode)
    if cff:
        stream.Subtype = pikepdf.Name.OpenType
    else:
        stream.Length1 = len(data)
    return stream


def _renamed(cluster: _Cluster) -> pikepdf.Name:
    """A name for the cluster's font: its base font's, under a subset tag (six capital
    letters) made from what the cluster holds, so that the same book gets the same."""
    first = cluster.copies[0]
    base = str(first.font.BaseFont).lstrip("/").partition("+")[2] or str(first.font.BaseFont)
    digest = hashlib.sha256(
        f"{base}\0{sorted(cluster.widths.items())}\0{sorted(cluster.to_unicode.items())}".encode()
    ).digest()
    tag = "".join(chr(ord("A") + byte % 26) for byte in digest[:6])
    return pikepdf.Name(f"/{tag}+{base.lstrip('/')}")


def _name(font: Any, cidfont: Any, descriptor: Any, name: pikepdf.Name) -> None:
    """Give a font its name where PDF writes it: the font, its CIDFont, its descriptor."""
    font.BaseFont = name
    cidfont.BaseFont = name
    descriptor.FontName = name


def _merged_font(
    pdf: pikepdf.Pdf, cluster: _Cluster, font_file: Any, name: pikepdf.Name | None = None
) -> Any:
    """A new Type0 font for the cluster's copies: the first copy's keys (and, given, a
    name of its own), the union of the copies' widths and text, and the face's font
    file."""
    first = cluster.copies[0]
    widths = cluster.widths

    descriptor = pikepdf.Dictionary(
        {
            key: value
            for key, value in first.descriptor.items()
            if key not in FONT_FILE_KEYS and key != "/CIDSet"
        }
    )
    descriptor[first.file_key] = font_file
    bbox = first.descriptor.get("/FontBBox")
    if isinstance(bbox, pikepdf.Array) and len(bbox) == 4:
        descriptor.FontBBox = pikepdf.Array(
            [bbox[0], bbox[1], max(widths.values(), default=0), bbox[3]]
        )

    cidfont = pikepdf.Dictionary(dict(first.cidfont.items()))
    cidfont.W = width_array(widths)
    cidfont.FontDescriptor = pdf.make_indirect(descriptor)

    to_unicode = pikepdf.Stream(pdf, b"")
    to_unicode.write(
        zlib.compress(to_unicode_cmap(cluster.to_unicode), 9), filter=pikepdf.Name.FlateDecode
    )
    font = pikepdf.Dictionary(dict(first.font.items()))
    font.ToUnicode = to_unicode
    if name is not None:
        _name(font, cidfont, descriptor, name)
    font.DescendantFonts = pikepdf.Array([pdf.make_indirect(cidfont)])
    return pdf.make_indirect(font)
