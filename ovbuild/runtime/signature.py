"""Signed artifacts, with OpenSSF's ``model-signing`` (imported only when a signature is used).

A signature covers every file of the artifact directory (``manifest.json``, ``loader.py`` and the
runtime included), so it catches deliberate tampering that the manifest's sha256 list cannot:
whoever edits a file can recompute and rewrite those digests, but cannot sign without the key.
Only the artifact's top ``__pycache__`` is left out: Python writes ``loader.py``'s bytecode there
when the loader is imported, and :mod:`.integrity` accepts it only when it is that file's code. Any
other ``__pycache__`` (the runtime's is never written) counts as a file added since signing.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .integrity import SIGNATURE, ArtifactIntegrityError

_LOADER_PYCACHE = "__pycache__"


class SignatureError(ArtifactIntegrityError):
    """The artifact's signature is missing, was made by another key, or no longer matches its files."""


def _model_signing():
    try:
        import model_signing
    except ImportError as exc:
        msg = "signed artifacts need the model-signing package: pip install model-signing"
        raise ImportError(msg) from exc
    return model_signing


def _hashing(artifact_dir: Path):
    ignored = [SIGNATURE] + ([_LOADER_PYCACHE] if (artifact_dir / _LOADER_PYCACHE).is_dir() else [])
    return (
        _model_signing()
        .hashing.Config()
        .use_file_serialization(hashing_algorithm="sha256", allow_symlinks=False)
        .set_ignored_paths(paths=ignored, ignore_git_paths=False)
    )


def sign_artifact(
    artifact_dir: str | Path,
    private_key: str | Path,
    password: str | None = None,
    *,
    certificate: str | Path | None = None,
    chain: tuple[str | Path, ...] = (),
) -> Path:
    """Sign every file of ``artifact_dir`` with an elliptic-curve private key (PEM), or with that
    key's signing ``certificate`` (plus the ``chain`` up to a root); returns the signature's path
    (``signature.sig`` inside the artifact, written atomically)."""
    ms = _model_signing()
    artifact_dir = Path(artifact_dir).resolve()
    target = artifact_dir / SIGNATURE
    # Written beside the artifact, not in it: a kill mid-signing leaves no unlisted file inside
    # (in a store, ``ovbuild gc`` removes ``artifacts/<name>/.tmp-*`` leftovers).
    tmp = artifact_dir.parent / f".tmp-{artifact_dir.name}-{SIGNATURE}.{os.getpid()}"
    if certificate is not None:
        config = ms.signing.Config().use_certificate_signer(
            private_key=Path(private_key), signing_certificate=Path(certificate), certificate_chain=chain
        )
    else:
        config = ms.signing.Config().use_elliptic_key_signer(private_key=Path(private_key), password=password)
    try:
        config.set_hashing_config(_hashing(artifact_dir)).sign(artifact_dir, tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def verify_signature(artifact_dir: str | Path, public_key: str | Path) -> None:
    """Check ``artifact_dir`` against its signature and the signer's public key (PEM), or a PEM of
    trusted certificates (a root CA) when the artifact was signed with a certificate.

    Raises:
        SignatureError: no signature, a signature by another key, or any file added, removed or
            changed since signing (the manifest included), naming what differs.
    """
    ms = _model_signing()
    artifact_dir = Path(artifact_dir).resolve()
    signature = artifact_dir / SIGNATURE
    if not signature.is_file():
        msg = f"{signature}: missing; the artifact is not signed (ovbuild sign ARTIFACT --key KEY)"
        raise SignatureError(msg)
    trusted = Path(public_key)
    if b"BEGIN CERTIFICATE" in trusted.read_bytes():
        config = ms.verifying.Config().use_certificate_verifier(certificate_chain=[trusted])
    else:
        config = ms.verifying.Config().use_elliptic_key_verifier(public_key=trusted)
    try:
        config.set_hashing_config(_hashing(artifact_dir)).verify(artifact_dir, signature)
    except Exception as exc:  # model-signing raises ValueError or a crypto library's own errors
        raise SignatureError(
            f"{artifact_dir}: signature check with {public_key} failed: {_reason(exc)}"
        ) from exc


def _reason(exc: Exception) -> str:
    """model-signing's mismatch report (a list of digest reprs) as the names of the files."""
    text = str(exc)
    if not text.startswith("Signature mismatch"):
        return text or type(exc).__name__
    parts = []
    changed = re.findall(r"Hash mismatch for \\?'([^'\\]+)", text)
    if changed:
        parts.append("changed since signing: " + ", ".join(changed))
    for kind, label in (("Extra", "added"), ("Missing", "removed")):
        found = re.search(kind + r" files (?:found )?in model \\?'[^'\\]*\\?': ([^'\"\]\\]+)", text)
        if found:
            parts.append(f"{label} since signing: {found.group(1).strip()}")
    return "; ".join(parts) or text
