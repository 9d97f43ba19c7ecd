"""Options shared by several subcommands: the store location.

One rule everywhere: ``--store ROOT`` (or ``store.root=ROOT`` for ``build``/``validate``) wins,
else ``$OVBUILD_STORE``, else ``outputs`` relative to the working directory.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

STORE_ENV = "OVBUILD_STORE"
DEFAULT_STORE = "outputs"


def default_store() -> str:
    """``$OVBUILD_STORE`` or ``outputs``."""
    return os.environ.get(STORE_ENV) or DEFAULT_STORE


def add_store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        metavar="ROOT",
        default=None,
        help=f"store root (default: ${STORE_ENV}, else ./{DEFAULT_STORE}); same as store.root=ROOT",
    )


def store_root(args: argparse.Namespace) -> Path:
    """The store root an ``--store`` option (or its absence) means."""
    return Path(args.store or default_store()).expanduser().resolve()


def hydra_overrides(args: argparse.Namespace) -> list[str]:
    """The command's words as typed, minus ovbuild's own options, for Hydra; ``--store ROOT``
    becomes ``store.root=ROOT`` (``$OVBUILD_STORE`` is read by ``conf/store/default.yaml``)."""
    words: list[str] = []
    skip = False
    for word in args.argv:
        if skip:
            skip = False
        elif word == "--store":
            skip = True
        elif word != "--verbose" and not word.startswith("--store="):
            words.append(word)
    if args.store:
        words.append(f"store.root={Path(args.store).expanduser().resolve()}")
    return words


def resolve_artifact(args: argparse.Namespace) -> Path:
    """The artifact ``args.artifact`` names: ``NAME``, ``NAME/VERSION``, a directory, or
    ``NAME@VARIANT``, the newest version of NAME whose variant label is VARIANT (``minilm@int8``;
    ``ovbuild ls`` shows the labels)."""
    from ovbuild.errors import ArtifactError
    from ovbuild.runtime.integrity import ArtifactIntegrityError
    from ovbuild.runtime.manifest import Manifest
    from ovbuild.store import ArtifactStore

    store = ArtifactStore(store_root(args))
    name, at, label = args.artifact.partition("@")
    if not at:
        return store.resolve(args.artifact)
    seen = []
    for entry in sorted(store.versions(name) if name in store.names() else [], key=lambda v: -v["version"]):
        path = store.root / name / str(entry["version"])
        try:
            found = Manifest.read(path).label
        except ArtifactIntegrityError:
            continue
        seen.append(found)
        if found == label:
            return path.resolve()
    known = ", ".join(dict.fromkeys(seen)) or "none"
    raise ArtifactError(f"no artifact {args.artifact!r} in {store.root} (variants of {name!r}: {known})")
