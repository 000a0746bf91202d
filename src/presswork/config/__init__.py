"""What a manuscript folder says about its book, before any chapter is read.

In: a manuscript folder. Out: the validated manifest (:mod:`~presswork.config.manifest`),
the text of its files (:mod:`~presswork.config.text`), read safely where it is YAML
(:mod:`~presswork.config.safe_yaml`), chapters' front matter split from their Markdown
(:mod:`~presswork.config.front_matter`), and where the build's date and identifier come
from (:mod:`~presswork.config.provenance`).
"""
