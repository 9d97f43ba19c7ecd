"""``ovbuild`` entry point: an argparse parser built from the registered subcommands.

Every module of ``ovbuild/cli/`` that does not start with ``_`` is imported, which registers its
:class:`~ovbuild.cli.subcommand.Subcommand` classes; their options make the generated ``--help``.
User errors (:class:`~ovbuild.errors.OvbuildError`) become one line and exit code 2; with
``--verbose`` (or ``HYDRA_FULL_ERROR=1``) the whole cause chain is printed first.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import pkgutil
import sys

from ovbuild.cli._errors import print_error
from ovbuild.cli.subcommand import Subcommand
from ovbuild.errors import OvbuildError
from ovbuild.extras import install_hint, missing_package_message

_NOT_COMMANDS = {"main", "subcommand", "options"}
_EPILOG = """\
store: --store ROOT (or store.root=ROOT for build/validate) > $OVBUILD_STORE > ./outputs
run `ovbuild COMMAND --help` for a command's options"""


def load_subcommands() -> dict[str, type[Subcommand]]:
    """Import every subcommand module of this package; the registry by name."""
    import ovbuild.cli as package

    for info in pkgutil.iter_modules(package.__path__):
        if not info.name.startswith("_") and info.name not in _NOT_COMMANDS:
            importlib.import_module(f"ovbuild.cli.{info.name}")
    return dict(Subcommand.registry)


def build_parser() -> argparse.ArgumentParser:
    """The ``ovbuild`` parser with one subparser per registered subcommand."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--verbose",
        action="store_true",
        help="on error, print the whole cause chain (also HYDRA_FULL_ERROR=1)",
    )
    parser = argparse.ArgumentParser(
        prog="ovbuild",
        description="A declarative compiler for OpenVINO models: recipes in, cached versioned artifacts out.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for cls in sorted(load_subcommands().values(), key=lambda c: (c.order, c.name)):
        command = cls()
        child = sub.add_parser(
            cls.name,
            help=cls.help,
            description=cls.description or cls.help,
            epilog=cls.epilog,
            formatter_class=argparse.RawDescriptionHelpFormatter,
            parents=[common],
        )
        command.add_arguments(child)
        child.set_defaults(_command=command, _parser=child)
    return parser


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    command = getattr(args, "_command", None)
    if command is None:
        parser.print_help()
        raise SystemExit(0 if not argv or argv[0] in ("-h", "--help", "help") else 2)
    if extra and not command.passthrough:
        args._parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.extra = extra
    args.argv = argv[argv.index(command.name) + 1 :]
    return args


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["help"]:
        argv = [*argv[1:2], "--help"] if len(argv) > 1 else ["--help"]
    if "--verbose" in argv:
        # Hydra reads this too: a build's own traceback is then printed in full.
        os.environ["HYDRA_FULL_ERROR"] = "1"
    args = _parse(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        return args._command.run(args)
    except OvbuildError as exc:
        print_error(exc)
        return 2
    except ModuleNotFoundError as exc:
        if install_hint(exc.name) is None:
            raise
        print_error(OvbuildError(missing_package_message(exc.name, f"ovbuild {args._command.name}")))
        return 2


if __name__ == "__main__":
    sys.exit(main())
