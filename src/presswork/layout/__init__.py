"""Lay the book out into pages with WeasyPrint, in worker processes, through the cache.

In: the resolved book and its HTML (:mod:`presswork.render.html`). Out: the pages
(:mod:`~presswork.layout.paged`): laid out unit by unit (:mod:`~presswork.layout.book`,
:mod:`~presswork.layout.units`) by WeasyPrint (:mod:`~presswork.layout.engine`, which
reads only allowed files, :mod:`~presswork.layout.fetch`), read off for what the rest of
the build needs (:mod:`~presswork.layout.pages`), in the build's processes
(:mod:`~presswork.layout.workers`, warmed by :mod:`~presswork.layout.warmup`), and joined
into the PDFs in the join's process (:mod:`~presswork.layout.joining`, with
:mod:`presswork.pdf`).
"""
