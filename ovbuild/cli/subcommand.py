"""The base of every ``ovbuild`` subcommand (torchtune's ``Subcommand``/``TuneCLIParser`` pattern).

Adding a subcommand is one file: ``ovbuild/cli/<name>.py`` with a :class:`Subcommand` subclass.
Defining the class registers it (``__init_subclass__``); ``ovbuild.cli.main`` imports every
public module of this package, so the file is found without editing a list, and ``--help`` is
generated from ``help``, ``description`` and the arguments the class adds.

>>> class Hello(Subcommand):  # doctest: +SKIP
...     name, help, order = "hello", "print a greeting", 90
...     def add_arguments(self, parser):
...         parser.add_argument("who", help="whom to greet")
...     def run(self, args):
...         print(f"hello {args.who}")
...         return 0

Keep module imports light (argparse, stdlib): heavy imports go inside ``run``, so ``ovbuild
--help`` stays fast. Raise :class:`ovbuild.errors.OvbuildError` for a user mistake; ``main``
turns it into one line and exit code 2 (the whole cause chain with ``--verbose``).
"""

from __future__ import annotations

import argparse
from typing import ClassVar


class Subcommand:
    """One ``ovbuild COMMAND``.

    Attributes:
        name: the command word.
        help: one line for the command table of ``ovbuild --help``.
        description: the paragraph at the top of ``ovbuild COMMAND --help`` (default: ``help``).
        order: position in the command table (lower first).
        passthrough: the command takes arguments argparse does not know (Hydra overrides and
            flags); ``run`` then receives them in ``args.extra``, in the order typed.
        registry: every defined subcommand by name.
    """

    name: ClassVar[str] = ""
    help: ClassVar[str] = ""
    description: ClassVar[str | None] = None
    epilog: ClassVar[str | None] = None
    order: ClassVar[int] = 50
    passthrough: ClassVar[bool] = False
    registry: ClassVar[dict[str, type[Subcommand]]] = {}

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if cls.name:
            Subcommand.registry[cls.name] = cls

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Declare the command's options (each with a ``help=``)."""

    def run(self, args: argparse.Namespace) -> int:
        """Do the work; return the exit code."""
        raise NotImplementedError
