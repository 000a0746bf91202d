"""``python -m presswork``: the same command line as ``presswork``."""

from presswork.cli import main

main()
