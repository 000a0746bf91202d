"""Read a manuscript folder into the book model, and check it.

In: a manuscript folder. Out: the resolved :class:`~presswork.model.Book` and every
finding, each with its file, line and column (:mod:`~presswork.manuscript.load`):
chapters read from Markdown (:mod:`~presswork.manuscript.markdown`,
:mod:`~presswork.manuscript.reader`, :mod:`~presswork.manuscript.chapters`), resolved by
:mod:`presswork.transforms`, their text linted (:mod:`~presswork.manuscript.lint`), what
is slow to learn kept between builds (:mod:`~presswork.manuscript.memo`).
"""
