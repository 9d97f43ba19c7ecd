"""``ovbuild sign`` / ``ovbuild verify``: sign an artifact with model-signing, and check it."""

from __future__ import annotations

import argparse
import time

from ovbuild.cli.options import add_store_option, resolve_artifact
from ovbuild.cli.subcommand import Subcommand


class Sign(Subcommand):
    name = "sign"
    order = 55
    help = "sign every file of an artifact (manifest included) with a private key"
    description = (
        "Write signature.sig into the artifact: an OpenSSF model-signing signature over every file, "
        "made with an elliptic-curve private key (PEM). Check it with `ovbuild verify --key PUB`."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("artifact", help="NAME, NAME/VERSION, NAME@VARIANT or an artifact directory")
        parser.add_argument("--key", required=True, help="elliptic-curve private key (PEM file)")
        parser.add_argument(
            "--password-env", default=None, help="environment variable holding the key's password"
        )
        parser.add_argument("--cert", default=None, help="the key's signing certificate (PEM), optional")
        parser.add_argument(
            "--chain", nargs="*", default=[], help="intermediate/root certificates (PEM) for --cert"
        )
        add_store_option(parser)

    def run(self, args: argparse.Namespace) -> int:
        from ovbuild.store.signing import sign

        path = sign(
            resolve_artifact(args),
            args.key,
            password_env=args.password_env,
            certificate=args.cert,
            chain=tuple(args.chain),
        )
        print(f"signed {path.parent} -> {path}")
        return 0


class Verify(Subcommand):
    name = "verify"
    order = 56
    help = "check an artifact's files against its manifest and, with --key, its signature"
    description = (
        "Recompute the sha256 of every file the manifest lists (catches damage) and, with --key, "
        "check signature.sig against the signer's public key (catches tampering, even when the "
        "manifest's digests were recomputed). Exit code 2 and one line naming the problem on failure."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("artifact", help="NAME, NAME/VERSION, NAME@VARIANT or an artifact directory")
        parser.add_argument(
            "--key", default=None, help="the signer's public key, or trusted root certificates (PEM file)"
        )
        add_store_option(parser)

    def run(self, args: argparse.Namespace) -> int:
        from ovbuild.store.signing import verify

        started = time.perf_counter()
        path = resolve_artifact(args)
        files = verify(path, args.key)
        what = "signature and sha256" if args.key else "sha256 (unsigned check)"
        print(f"ok: {path}: {files} files match ({what}) in {time.perf_counter() - started:.2f}s")
        return 0
