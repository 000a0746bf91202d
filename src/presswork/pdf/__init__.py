"""Work on PDF files with pikepdf: tag them, join them, merge their fonts, print them.

In: PDFs as WeasyPrint writes them. Out: the same, finished: notes tagged and lines
unwrapped (:mod:`~presswork.pdf.tags`), dot leaders drawn (:mod:`~presswork.pdf.leaders`),
units joined into one book (:mod:`~presswork.pdf.join`) with each face embedded once
(:mod:`~presswork.pdf.fontmerge`, :mod:`~presswork.pdf.fontcopies`,
:mod:`~presswork.pdf.subsets`), the print edition's sheet (:mod:`~presswork.pdf.press`),
saved deterministically (:mod:`~presswork.pdf.save`), and the trees read
(:mod:`~presswork.pdf.trees`). Nothing here loads WeasyPrint.
"""
