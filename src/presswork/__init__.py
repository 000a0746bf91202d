"""presswork: semantic Markdown manuscripts in, a screen PDF, a print PDF and an ePub 3 out."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("presswork")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
