"""The book model as markup: HTML for the PDF, XHTML for the ePub.

In: a resolved :class:`~presswork.model.Book`. Out: the HTML documents WeasyPrint lays
out (:mod:`~presswork.render.html`) and the XHTML documents of the ePub
(:mod:`~presswork.render.xhtml`), both from the Jinja2 templates in ``templates/``
(:mod:`~presswork.render.markup`), with the ids of :mod:`presswork.ids`.
"""
