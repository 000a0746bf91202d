"""The units of length the editions are measured in, converted to PDF points.

In: nothing. Out: the size of one CSS pixel (:data:`PX`) and one millimetre (:data:`MM`)
in PDF points (1/72 inch), which WeasyPrint's boxes, the PDF's coordinates and the print
edition's sheet are given in.
"""

from __future__ import annotations

PX = 0.75  # one CSS pixel (1/96 inch) in points
MM = 72 / 25.4  # one millimetre in points
