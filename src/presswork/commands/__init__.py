"""The commands: each strings the stages together for one thing a user asks for.

In: what the command line parsed. Out: the editions built (:mod:`~presswork.commands.build`),
built again on every save (:mod:`~presswork.commands.watch`), or a manuscript's findings
(:mod:`~presswork.commands.check`). Orchestration only: the work is in the stages.
"""
