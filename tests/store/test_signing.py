"""Signed artifacts (issue 13, point 6): a signature catches the tampering a sha256 list cannot."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ovbuild import build
from ovbuild.runtime import import_loader
from ovbuild.runtime.signature import SIGNATURE, SignatureError, sign_artifact, verify_signature
from tests.conftest import recipe_for, run_cli


def _key_pair(folder: Path, stem: str) -> tuple[Path, Path]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    private = folder / f"{stem}.pem"
    public = folder / f"{stem}.pub.pem"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return private, public


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("keys")
    private, public = _key_pair(folder, "owner")
    evil_private, evil_public = _key_pair(folder, "attacker")
    return {"private": private, "public": public, "evil_private": evil_private, "evil_public": evil_public}


@pytest.fixture(scope="module")
def signed_store(tmp_path_factory: pytest.TempPathFactory, keys: dict[str, Path]) -> Path:
    """A store whose silero_vad version was signed by the recipe's ``sign:`` section."""
    root = tmp_path_factory.mktemp("signed") / "store"
    result = build(recipe_for("recipe=silero_vad", f"+sign.key={keys['private']}", root=root))
    assert (result.path / SIGNATURE).is_file()
    assert "sign" not in result.manifest.recipe  # the key's path is not part of the artifact
    return root


@pytest.fixture
def artifact(signed_store: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "vad"
    shutil.copytree(signed_store / "artifacts" / "silero_vad" / "1", copy)
    return copy


def _tamper_consistently(artifact: Path) -> None:
    """Change the weights and rewrite the manifest's digests to match, as an attacker would."""
    weights = artifact / "model.bin"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0x55
    weights.unlink()
    weights.write_bytes(bytes(data))
    manifest = json.loads((artifact / "manifest.json").read_text())
    manifest["files"]["model.bin"]["sha256"] = hashlib.sha256(bytes(data)).hexdigest()
    (artifact / "manifest.json").unlink()
    (artifact / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))


def test_recipe_signature_verifies_from_the_cli(signed_store: Path, keys: dict[str, Path]) -> None:
    done = run_cli("verify", "silero_vad", "--key", str(keys["public"]), "--store", str(signed_store))
    assert done.returncode == 0, done.stderr
    assert "signature and sha256" in done.stdout


def test_consistently_recomputed_digests_pass_sha256_but_not_the_signature(
    artifact: Path, keys: dict[str, Path]
) -> None:
    _tamper_consistently(artifact)
    loader = import_loader(artifact)
    loader.load()  # the sha256 check alone is fooled: it only catches damage
    with pytest.raises(
        loader.ArtifactIntegrityError, match=r"changed since signing: manifest.json, model.bin"
    ):
        loader.load(verify_signature=keys["public"])
    done = run_cli("verify", str(artifact), "--key", str(keys["public"]))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "model.bin" in done.stderr and "manifest.json" in done.stderr
    done = run_cli("verify", str(artifact))  # without a key: nothing to catch it with
    assert done.returncode == 0, done.stderr


def test_re_signing_with_another_key_is_refused(artifact: Path, keys: dict[str, Path]) -> None:
    _tamper_consistently(artifact)
    sign_artifact(artifact, keys["evil_private"])
    verify_signature(artifact, keys["evil_public"])  # consistent for the attacker's own key
    with pytest.raises(SignatureError, match="signature check with"):
        verify_signature(artifact, keys["public"])


@pytest.mark.parametrize("change", ["add", "remove", "loader"])
def test_any_file_added_removed_or_changed_is_refused(
    artifact: Path, keys: dict[str, Path], change: str
) -> None:
    if change == "add":
        (artifact / "extra.py").write_text("print('hi')\n")
    elif change == "remove":
        (artifact / "README.md").unlink()
    else:
        text = (artifact / "loader.py").read_text()
        (artifact / "loader.py").unlink()
        (artifact / "loader.py").write_text(text + "\nimport os\n")
    with pytest.raises(SignatureError, match="extra.py|README.md|loader.py"):
        verify_signature(artifact, keys["public"])


def test_cli_sign_then_python_cache_does_not_break_it(signed_store: Path, tmp_path: Path) -> None:
    copy = tmp_path / "vad"
    shutil.copytree(signed_store / "artifacts" / "silero_vad" / "1", copy)
    (copy / SIGNATURE).unlink()
    private, public = _key_pair(tmp_path, "cli")
    done = run_cli("sign", str(copy), "--key", str(private))
    assert done.returncode == 0, done.stderr
    # Importing the loader the ordinary way writes __pycache__ inside the artifact.
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": ""}
    env.pop("PYTHONDONTWRITEBYTECODE")
    code = f"from loader import load; load(verify_signature={str(public)!r})"
    done = subprocess.run([sys.executable, "-c", code], cwd=copy, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert list(copy.rglob("__pycache__"))
    import_loader(copy).load(verify_signature=public)


def test_unsigned_artifact_and_missing_key_are_clear_errors(signed_store: Path, tmp_path: Path) -> None:
    copy = tmp_path / "vad"
    shutil.copytree(signed_store / "artifacts" / "silero_vad" / "1", copy)
    (copy / SIGNATURE).unlink()
    _, public = _key_pair(tmp_path, "k")
    done = run_cli("verify", str(copy), "--key", str(public))
    assert done.returncode == 2 and "not signed" in done.stderr and "Traceback" not in done.stderr
    done = run_cli("sign", str(copy), "--key", str(tmp_path / "nope.pem"))
    assert done.returncode == 2 and "no such file" in done.stderr and "Traceback" not in done.stderr


def _certificate_pair(folder: Path, stem: str) -> tuple[Path, Path, Path]:
    """A root CA and a signing certificate it issued (KeyUsage digital_signature): CA pem, leaf
    private key, leaf certificate."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def name(text: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])

    now = datetime.datetime.now(datetime.UTC)
    ca_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name(f"{stem} root"))
        .issuer_name(name(f"{stem} root"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True
        )
        .sign(ca_key, hashes.SHA256())
    )
    leaf = (
        x509.CertificateBuilder()
        .subject_name(name(f"{stem} release signer"))
        .issuer_name(ca.subject)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=7))
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = folder / f"{stem}-ca.pem", folder / f"{stem}-leaf.key", folder / f"{stem}-leaf.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(
        leaf_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    paths[2].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    return paths


def test_certificate_signature_verifies_against_its_root_only(artifact: Path, tmp_path: Path) -> None:
    ca, key, cert = _certificate_pair(tmp_path, "team")
    other_ca, _, _ = _certificate_pair(tmp_path, "other")
    (artifact / SIGNATURE).unlink()
    done = run_cli("sign", str(artifact), "--key", str(key), "--cert", str(cert))
    assert done.returncode == 0, done.stderr
    verify_signature(artifact, ca)
    import_loader(artifact).load(verify_signature=ca)
    with pytest.raises(SignatureError, match="signature check with"):
        verify_signature(artifact, other_ca)
    _tamper_consistently(artifact)
    done = run_cli("verify", str(artifact), "--key", str(ca))
    assert done.returncode == 2 and "changed since signing: manifest.json, model.bin" in done.stderr
