"""``ovbuild init``: start a project that checks its recipes in."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from ovbuild.cli.subcommand import Subcommand


class Init(Subcommand):
    name = "init"
    order = 5
    help = "copy the bundled starter recipes into DIR/recipes (existing files are kept)"
    description = (
        "Copy the bundled recipes into DIR/recipes, where `ovbuild build recipe=NAME` finds them\n"
        "when run from DIR (./recipes comes before the bundled recipes). Edit or add recipes there;\n"
        "existing files are never overwritten."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("dir", nargs="?", default=".", help="project directory (default: .)")

    def run(self, args: argparse.Namespace) -> int:
        from ovbuild.config import BUNDLED

        target = Path(args.dir).expanduser().resolve() / "recipes"
        target.mkdir(parents=True, exist_ok=True)
        copied, kept = [], []
        for recipe in sorted((BUNDLED / "recipes").glob("*.yaml")):
            destination = target / recipe.name
            if destination.exists():
                kept.append(recipe.name)
                continue
            shutil.copyfile(recipe, destination)
            copied.append(recipe.name)
        print(
            f"{len(copied)} recipes copied into {target}" + (f"; kept {len(kept)} existing" if kept else "")
        )
        print(
            f"next: cd {target.parent} && ovbuild build recipe={Path(copied[0]).stem if copied else 'NAME'}"
        )
        return 0
