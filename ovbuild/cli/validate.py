"""``ovbuild validate``: compose and check a recipe without building anything."""

from __future__ import annotations

import argparse

from ovbuild.cli.options import add_store_option, hydra_overrides, store_in_environment
from ovbuild.cli.subcommand import Subcommand


class Validate(Subcommand):
    name = "validate"
    order = 20
    help = "check a recipe without building; lists every problem with its key path"
    description = "Compose a recipe from Hydra overrides (as for build) and list every problem at once."
    epilog = "example:\n  ovbuild validate recipe=minilm precision=int8 inputs.input_ids=[1,64]"
    passthrough = True

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("overrides", nargs="*", metavar="OVERRIDE", help="KEY=VALUE Hydra overrides")
        add_store_option(parser)

    def run(self, args: argparse.Namespace) -> int:
        from ovbuild.config import load_recipe
        from ovbuild.preflight import check_recipe

        with store_in_environment(args):
            recipe = load_recipe(hydra_overrides(args))
            check_recipe(recipe)  # what values mean (ranges, regexes, devices), not only their types
        print(
            f"ok: recipe {recipe['name']!r} is valid ({recipe['source']['kind']} source, "
            f"precision {recipe['precision']['default']}, devices {recipe['device']['priorities']})"
        )
        return 0
