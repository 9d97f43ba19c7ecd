"""Options shared by several subcommands: the store location.

One rule everywhere: ``--store ROOT`` (or ``store.root=ROOT`` for ``build``/``validate``) wins,
else ``$OVBUILD_STORE``, else ``outputs`` relative to the working directory.

``--store ROOT`` is a path, taken literally: it never passes through Hydra's override parser as
text, where ``,`` would start a sweep, ``${...}`` would be interpolated and non-ASCII letters
would not lex. ``build`` and ``validate`` put it in ``$OVBUILD_STORE`` for the command's
duration and give Hydra the fixed override :data:`STORE_OVERRIDE`, which reads it from there.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

STORE_ENV = "OVBUILD_STORE"
DEFAULT_STORE = "outputs"
#: Last among the overrides, so it wins over a ``store.root=`` typed before it or set by a recipe.
STORE_OVERRIDE = f"store.root=${{oc.env:{STORE_ENV}}}"


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
    becomes :data:`STORE_OVERRIDE` (run the command inside :func:`store_in_environment`)."""
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
        words.append(STORE_OVERRIDE)
    return words


@contextmanager
def store_in_environment(args: argparse.Namespace) -> Iterator[None]:
    """``$OVBUILD_STORE`` holds ``--store``'s absolute path while the block runs (then is restored),
    for :data:`STORE_OVERRIDE` and for every worker process a sweep starts."""
    if not args.store:
        yield
        return
    before = os.environ.get(STORE_ENV)
    os.environ[STORE_ENV] = str(Path(args.store).expanduser().resolve())
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(STORE_ENV, None)
        else:
            os.environ[STORE_ENV] = before


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
