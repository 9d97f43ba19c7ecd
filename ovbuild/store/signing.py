"""Build-side signing: ``ovbuild sign``, ``ovbuild verify`` and a recipe's ``sign:`` section.

The cryptography is OpenSSF ``model-signing`` (through :mod:`ovbuild.runtime.signature`, which the
loader shares); this module turns its failures into :class:`~ovbuild.errors.ArtifactError`.
"""

from __future__ import annotations

import os
from pathlib import Path

from ovbuild.errors import ArtifactError, RecipeError


def _password(password_env: str | None) -> str | None:
    if password_env is None:
        return None
    if password_env not in os.environ:
        raise RecipeError(f"sign.password_env: environment variable {password_env!r} is not set")
    return os.environ[password_env]


def sign(
    artifact_dir: Path,
    key: str | Path,
    *,
    password_env: str | None = None,
    certificate: str | Path | None = None,
    chain: tuple[str | Path, ...] = (),
) -> Path:
    """Sign ``artifact_dir`` with the private key at ``key`` (and its signing ``certificate`` and
    ``chain``, when given); returns the signature's path.

    Raises:
        ArtifactError: the key cannot be read or used, or the artifact is damaged (an artifact
            whose files no longer match its manifest is never signed).
    """
    from ovbuild.runtime.signature import sign_artifact
    from ovbuild.store.verify import artifact_problems

    for what, path in (("key", key), ("certificate", certificate), *(("chain", c) for c in chain)):
        if path is not None and not Path(path).is_file():
            raise ArtifactError(f"--{what} / sign.{what}: no such file: {path}")
    if certificate is not None and not chain:
        chain = (certificate,)  # model-signing 1.1.1 fails to parse an empty chain
    problems = artifact_problems(Path(artifact_dir))
    if problems:
        raise ArtifactError(f"refusing to sign a damaged artifact: {problems[0]}")
    try:
        return sign_artifact(
            artifact_dir, key, _password(password_env), certificate=certificate, chain=tuple(chain)
        )
    except (ValueError, TypeError, OSError) as exc:
        raise ArtifactError(f"sign.key: cannot sign with {key}: {exc}") from exc


def verify(artifact_dir: Path, public_key: str | Path | None) -> int:
    """Check digests (and the signature when ``public_key`` is given); returns the file count.

    Raises:
        ArtifactError: naming the first file or field that does not match.
    """
    from ovbuild.runtime.integrity import ArtifactIntegrityError, verify_artifact
    from ovbuild.runtime.signature import verify_signature
    from ovbuild.runtime.trust import read_manifest

    if public_key is not None and not Path(public_key).is_file():
        raise ArtifactError(f"--key: no such file: {public_key}")
    try:
        if public_key is not None:
            verify_signature(artifact_dir, public_key)
        manifest = read_manifest(Path(artifact_dir))
        verify_artifact(Path(artifact_dir), manifest.files)  # the loader's own check, hashed in parallel
    except ArtifactIntegrityError as exc:
        raise ArtifactError(str(exc)) from exc
    return len(manifest.files)
