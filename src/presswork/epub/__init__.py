"""The ePub 3 edition: its package and its cover.

In: the resolved book with its page breaks, the styles folder. Out: the ePub's bytes
(:mod:`~presswork.epub.writer`), with the cover drawn from the book's metadata
(:mod:`~presswork.epub.cover`).
"""
