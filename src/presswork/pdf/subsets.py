"""Font subsets for the joined book, made with fontTools and kept in the cache.

In: an original font file of the styles folder and the glyph ids the book uses of it.
Out: the original subset to those glyphs, glyph ids retained and the tables WeasyPrint
drops dropped, as WeasyPrint subsets; kept in the build's cache (kind ``subset``) under a
digest of the original's bytes, the glyphs, the tables dropped and fontTools' version,
so that the next join of the same glyphs (a rebuild after a small edit) takes it, and so
that another process can make it before the join needs it.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import fontTools
from fontTools.ttLib import TTFont

from presswork.cache import Store

KIND = "subset"
# The tables WeasyPrint drops from its subsets (pdf/fonts.py, Font._harfbuzz_subset), and
# Graphite's, which HarfBuzz's subsetter drops too and a PDF never uses.
_DROP = ["GSUB", "GPOS", "SVG ", "BASE", "DSIG", "EBDT", "EBLC", "EBSC", "JSTF", "LTSH", "PCLT"]
_DROP += ["Silf", "Silt", "Glat", "Gloc", "Feat", "Sill"]


def subset_key(path: Path, gids: list[int]) -> str:
    """The key of the subset of the original ``path`` to ``gids``."""
    digest = hashlib.sha256(hashlib.sha256(path.read_bytes()).digest())
    digest.update(f"{fontTools.version}\0{_DROP}\0{gids}".encode())
    return digest.hexdigest()


def kept_subset(path: Path, gids: list[int], store: Store | None) -> bytes | None:
    """The subset as kept in ``store``, or None."""
    return None if store is None else store.read(KIND, subset_key(path, gids))


def is_kept(path: Path, gids: list[int], store: Store) -> bool:
    """Whether ``store`` keeps the subset of the font file ``path`` to ``gids``."""
    return kept_subset(path, gids, store) is not None


def keep_subset(path: Path, gids: list[int], store: Store) -> bool:
    """Make the subset of the font file ``path`` to ``gids`` and keep it in ``store`` for
    a merge to take (run where fontTools' subsetter is loaded anyway: a process that
    lays out pages); False where fontTools cannot subset it or it cannot be kept."""
    if is_kept(path, gids, store):
        return True
    try:
        data = subset(path, gids)
    except Exception:  # the merge will leave the face as the parts wrote it
        return False
    store.write(KIND, subset_key(path, gids), data)
    return is_kept(path, gids, store)


def subset(path: Path, gids: list[int]) -> bytes:
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
