"""The contents' dot leaders: rows of dots drawn into the written pages.

In: a :class:`Leader` for each row (where the layout says it goes, see
:mod:`presswork.layout.pages`) and the PDF WeasyPrint wrote. Out: the pages with each row
drawn after their own content, as an artifact: one stroked path of round dots each, not
text, not an image, no object of its own (WeasyPrint would draw a background image as a
pattern and a form for every entry: three objects each, a thousand entries in a report's
contents).
"""

from __future__ import annotations

from dataclasses import dataclass

import pikepdf

from presswork.pdf.save import draw_over


@dataclass(frozen=True)
class Leader:
    """A row of dots on page ``page`` (from 0), in PDF points from the page's top left:
    dots ``dot`` wide, ``spacing`` apart, their centres on ``y``, the first no further
    left than ``start`` allows, the last centred half a spacing before ``end``."""

    page: int
    start: float
    end: float
    y: float
    dot: float
    spacing: float
    rgb: tuple[float, float, float]

    def centres(self) -> tuple[float, float] | None:
        """The first and last dot's centre, or None where no whole dot fits."""
        last = self.end - self.spacing / 2
        count = int((last - self.dot / 2 - self.start) // self.spacing)
        if count < 0:
            return None
        return last - count * self.spacing, last


def draw_leaders(pdf: pikepdf.Pdf, leaders: tuple[Leader, ...]) -> None:
    """Draw each leader on its page, after the page's own content, as an artifact: a
    dashed line of zero-length dashes with round caps, one dot per dash."""
    by_page: dict[int, list[Leader]] = {}
    for leader in leaders:
        by_page.setdefault(leader.page, []).append(leader)
    for index, page_leaders in sorted(by_page.items()):
        page = pdf.pages[index]
        left, _, _, top = (float(v) for v in page.obj.MediaBox)
        ops = ["/Artifact BMC", "q", "1 J"]
        for leader in page_leaders:
            centres = leader.centres()
            if centres is None:
                continue
            first, last = centres
            y = top - leader.y
            ops += [
                "{:.4f} {:.4f} {:.4f} RG".format(*leader.rgb),
                f"{leader.dot:.4f} w [0 {leader.spacing:.4f}] 0 d",
                # A quarter spacing past the last dot: rounding cannot lose it.
                f"{left + first:.4f} {y:.4f} m {left + last + leader.spacing / 4:.4f} {y:.4f} l S",
            ]
        ops += ["Q", "EMC", ""]
        draw_over(pdf, page, "\n".join(ops).encode("ascii"))
