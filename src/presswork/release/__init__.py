"""What leaves the build: the files written, what proves them, and the release gate.

In: the editions as made and where their sources came from. Out: the files written into
the output folder all at once (:mod:`~presswork.release.output`), ``SHA256SUMS`` and the
build record (:mod:`~presswork.release.record`), and the verdicts of every validator on
built editions (:mod:`~presswork.release.verify`), which loads no layout code.
"""
