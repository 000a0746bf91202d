"""presswork: semantic Markdown manuscripts in, a screen PDF, a print PDF and an ePub 3 out.

In: nothing (the package's face). Out: its version. The stages are its subpackages, in
the order :mod:`presswork.stages` declares.
"""

# The one place the version is written (pyproject.toml reads it from here): every process
# of a build imports this package, and asking the installed metadata instead would
# import importlib.metadata, a twentieth of a second each time.
__version__ = "0.1.0"
