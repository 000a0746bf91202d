"""``python -m presswork``: the same command line as ``presswork``.

In: ``argv``. Out: what :func:`presswork.cli.main` does with it.
"""

from presswork.cli import main

main()
