"""What runs is what was verified (issue 22, point 1): code planted in or beside a signed artifact
never runs.

Every attack below writes a marker file when its code runs. For each, a fresh interpreter does what
a user does (``sys.path.insert(0, artifact); from loader import load; load(verify_signature=...)``)
and ``ovbuild verify ARTIFACT --key`` is run; both must refuse, and the marker must never appear.
"""

from __future__ import annotations

import hashlib
import json
import os
import py_compile
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from ovbuild import build
from ovbuild.cli.main import main as ovbuild_main
from ovbuild.runtime import PACKAGE_DIR
from ovbuild.runtime.signature import sign_artifact
from tests.conftest import recipe_for
from tests.store.test_signing import _key_pair

RUNTIME = PACKAGE_DIR
TAG = sys.implementation.cache_tag


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(a built silero_vad artifact signed by its owner, the owner's private and public key)."""
    folder = tmp_path_factory.mktemp("injection")
    private, public = _key_pair(folder, "owner")
    path = build(recipe_for("recipe=silero_vad", root=folder / "store")).path
    sign_artifact(path, private)
    return path, private, public


@pytest.fixture
def artifact(signed: tuple[Path, Path, Path], tmp_path: Path) -> Path:
    target = tmp_path / "art"
    shutil.copytree(signed[0], target)
    for path in target.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)  # store files are read-only: the attacker's copy is not
    return target


def _payload(marker: Path) -> str:
    return f"\nopen({str(marker)!r}, 'w').write('ran')\n"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rehash_manifest(art: Path, *rels: str) -> None:
    """Rewrite the manifest's digests of ``rels`` as an attacker would (the signature still catches it)."""
    manifest = json.loads((art / "manifest.json").read_text())
    for rel in rels:
        manifest["files"][rel] = {"size": (art / rel).stat().st_size, "sha256": _sha(art / rel)}
    (art / "manifest.json").write_text(json.dumps(manifest))


def planted_pyc(art: Path, marker: Path) -> None:
    """The issue's case: loading.py plus one line, compiled UNCHECKED_HASH into __pycache__."""
    source = art / "evil_src" / "loading.py"
    source.parent.mkdir()
    source.write_text((art / RUNTIME / "loading.py").read_text() + _payload(marker))
    target = art / RUNTIME / "__pycache__" / f"loading.{TAG}.pyc"
    target.parent.mkdir()
    py_compile.compile(
        str(source), cfile=str(target), invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH
    )
    shutil.rmtree(source.parent)


def timestamp_pyc(art: Path, marker: Path) -> None:
    """A timestamp pyc whose recorded mtime and size match the real model.py: Python would use it."""
    real = art / RUNTIME / "model.py"
    evil = art.parent / "model.py"
    evil.write_text(real.read_text() + _payload(marker))
    pyc = art / RUNTIME / "__pycache__" / f"model.{TAG}.pyc"
    pyc.parent.mkdir()
    py_compile.compile(str(evil), cfile=str(pyc))
    data = bytearray(pyc.read_bytes())
    st = real.stat()
    data[8:16] = int(st.st_mtime).to_bytes(4, "little") + (st.st_size & 0xFFFFFFFF).to_bytes(4, "little")
    pyc.write_bytes(bytes(data))


def tampered_py(art: Path, marker: Path) -> None:
    path = art / RUNTIME / "model.py"
    path.write_text(path.read_text() + _payload(marker))


def tampered_py_rehashed(art: Path, marker: Path) -> None:
    tampered_py(art, marker)
    _rehash_manifest(art, f"{RUNTIME}/model.py")


def tampered_lazy_module(art: Path, marker: Path) -> None:
    """A module the runtime imports only when transcribing: still refused at load."""
    path = art / RUNTIME / "transcribe.py"
    path.write_text(path.read_text() + _payload(marker))
    _rehash_manifest(art, f"{RUNTIME}/transcribe.py")


def new_runtime_module(art: Path, marker: Path) -> None:
    (art / RUNTIME / "evil.py").write_text(_payload(marker))
    init = art / RUNTIME / "__init__.py"
    init.write_text(init.read_text() + "\nfrom . import evil  # noqa\n")
    _rehash_manifest(art, f"{RUNTIME}/__init__.py")


def extension_beside_source(art: Path, marker: Path) -> None:
    """An extension module takes precedence over ``devices.py`` in Python's ordinary import."""
    (art / RUNTIME / f"devices.{TAG}-x86_64-linux-gnu.so").write_bytes(b"\x7fELF not really")


def shadow_stdlib(art: Path, marker: Path) -> None:
    """``hashlib.py`` beside the loader: the artifact is on sys.path, ahead of the standard library."""
    (art / "hashlib.py").write_text(_payload(marker) + "from _hashlib import *\n")


def shadow_package(art: Path, marker: Path) -> None:
    """A ``numpy`` package beside the loader would shadow the real one for the runtime."""
    (art / "numpy").mkdir()
    (art / "numpy" / "__init__.py").write_text(_payload(marker))


def pth_file(art: Path, marker: Path) -> None:
    (art / "zz_evil.pth").write_text(f"import os; open({str(marker)!r}, 'w')\n")
    (art / RUNTIME / "zz_evil.pth").write_text(f"import os; open({str(marker)!r}, 'w')\n")


def symlinked_module(art: Path, marker: Path) -> None:
    outside = art.parent / "outside_model.py"
    outside.write_text((art / RUNTIME / "model.py").read_text() + _payload(marker))
    (art / RUNTIME / "model.py").unlink()
    (art / RUNTIME / "model.py").symlink_to(outside)


def symlinked_package(art: Path, marker: Path) -> None:
    outside = art.parent / "outside_audio"
    shutil.copytree(art / RUNTIME / "audio", outside)
    (outside / "__init__.py").write_text((outside / "__init__.py").read_text() + _payload(marker))
    shutil.rmtree(art / RUNTIME / "audio")
    (art / RUNTIME / "audio").symlink_to(outside, target_is_directory=True)


def extra_in_pycache(art: Path, marker: Path) -> None:
    (art / RUNTIME / "__pycache__").mkdir()
    (art / RUNTIME / "__pycache__" / "notes.txt").write_text("harmless?")


def fifo_in_runtime(art: Path, marker: Path) -> None:
    os.mkfifo(art / RUNTIME / "pipe.py")


def loader_table_rewritten(art: Path, marker: Path) -> None:
    """The runtime tampered and every digest that vouches for it rewritten: only the signature is left."""
    tampered_py(art, marker)
    loader = art / "loader.py"
    old = re.search(r"'model\.py': '([0-9a-f]{64})'", loader.read_text())[1]
    loader.write_text(loader.read_text().replace(old, _sha(art / RUNTIME / "model.py")))
    _rehash_manifest(art, f"{RUNTIME}/model.py", "loader.py")


def loader_pyc(art: Path, marker: Path) -> None:
    """Bytecode for loader.py itself: the user's ``import loader`` would run it."""
    source = art.parent / "loader.py"
    source.write_text((art / "loader.py").read_text() + _payload(marker))
    pyc = art / "__pycache__" / f"loader.{TAG}.pyc"
    pyc.parent.mkdir()
    py_compile.compile(
        str(source), cfile=str(pyc), invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH
    )


def loader_package(art: Path, marker: Path) -> None:
    """A ``loader/`` package is found before ``loader.py`` by the user's own ``import loader``."""
    (art / "loader").mkdir()
    (art / "loader" / "__init__.py").write_text(_payload(marker))


#: attack -> does the artifact's own loader refuse it too? (False: the code runs at the user's
#: ``import loader``, before any ovbuild code: only ``ovbuild verify --key`` beforehand protects.)
ATTACKS: dict[str, tuple[Callable[[Path, Path], None], bool]] = {
    "planted UNCHECKED_HASH pyc": (planted_pyc, True),
    "timestamp pyc matching the source": (timestamp_pyc, True),
    "tampered runtime .py": (tampered_py, True),
    "tampered runtime .py, manifest rehashed": (tampered_py_rehashed, True),
    "tampered lazily imported module": (tampered_lazy_module, True),
    "new module imported by the runtime": (new_runtime_module, True),
    "extension module beside a source module": (extension_beside_source, True),
    "stdlib module beside the loader": (shadow_stdlib, True),
    "package beside the loader": (shadow_package, True),
    ".pth file": (pth_file, True),
    "symlink to code outside": (symlinked_module, True),
    "symlinked runtime subpackage": (symlinked_package, True),
    "extra file in __pycache__": (extra_in_pycache, True),
    "FIFO in the runtime": (fifo_in_runtime, True),
    "loader digest table rewritten": (loader_table_rewritten, False),
    "pyc for loader.py": (loader_pyc, False),
    "loader/ package": (loader_package, False),
}

_USER = """
import sys
sys.path.insert(0, sys.argv[1])
from loader import load
load(verify_signature=sys.argv[2])
print("LOADED")
"""


@pytest.mark.parametrize("attack", ATTACKS, ids=str)
def test_planted_code_never_runs(attack: str, artifact: Path, signed, tmp_path: Path, capsys) -> None:
    plant, loader_refuses = ATTACKS[attack]
    marker = tmp_path / "MARKER"
    public = signed[2]
    plant(artifact, marker)

    assert ovbuild_main(["verify", str(artifact), "--key", str(public)]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("ovbuild: error:") and "\n" not in error, error
    assert not marker.exists(), f"{attack}: `ovbuild verify` ran the planted code"

    if not loader_refuses:
        return
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # the artifact stands alone
    done = subprocess.run(
        [sys.executable, "-c", _USER, str(artifact), str(public)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert not marker.exists(), f"{attack}: the planted code ran under load()\n{done.stderr[-2000:]}"
    assert done.returncode != 0 and "LOADED" not in done.stdout, done.stdout
    last = done.stderr.strip().splitlines()[-1]
    assert "Error" in last and str(artifact) in last, last


def test_untouched_artifact_loads_and_verifies_after_an_ordinary_import(
    artifact: Path, signed, tmp_path
) -> None:
    """Python's own bytecode for loader.py (written by an ordinary import) is accepted; the runtime
    leaves no __pycache__ behind."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE")}
    for _ in range(2):  # the second import reads the loader's own bytecode
        done = subprocess.run(
            [sys.executable, "-c", _USER, str(artifact), str(signed[2])],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )
        assert done.returncode == 0 and "LOADED" in done.stdout, done.stderr[-2000:]
    assert list((artifact / "__pycache__").glob("loader.*.pyc"))
    assert not (artifact / RUNTIME / "__pycache__").exists()
    assert ovbuild_main(["verify", str(artifact), "--key", str(signed[2])]) == 0
