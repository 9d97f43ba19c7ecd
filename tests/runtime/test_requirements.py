"""Each artifact's ``requirements.txt`` names what its loader imports, with versions, and
``load()`` names a missing required package (and the command that installs it)."""

from __future__ import annotations

import importlib.metadata as md
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def _specs(artifact: Path) -> list[str]:
    lines = (artifact / "requirements.txt").read_text().splitlines()
    return [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]


def test_text_artifact_needs_openvino_tokenizers_pinned(minilm_artifact: Path) -> None:
    specs = _specs(minilm_artifact)
    assert specs[:2] == [f"openvino=={md.version('openvino')}", f"numpy>={md.version('numpy')}"]
    assert f"openvino-tokenizers=={md.version('openvino-tokenizers')}" in specs
    assert not any(s.startswith(("torch", "transformers", "ovbuild")) for s in specs)


def test_onnx_artifact_needs_only_openvino_and_numpy(vad_artifact: Path) -> None:
    assert [s.split("=")[0].split(">")[0] for s in _specs(vad_artifact)] == ["openvino", "numpy"]


def test_missing_required_package_is_named_at_load(minilm_artifact: Path, tmp_path: Path) -> None:
    copy = tmp_path / "minilm"
    shutil.copytree(minilm_artifact, copy)
    code = (
        "import sys; sys.modules['openvino_tokenizers'] = None; sys.path.insert(0, sys.argv[1])\n"
        "from loader import load\n"
        "try:\n    load()\nexcept ImportError as exc:\n    print(type(exc).__name__, exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(copy)], capture_output=True, text=True, timeout=600, cwd=tmp_path
    )
    assert done.stdout.startswith("MissingRequirementError"), done.stdout + done.stderr
    assert f"openvino-tokenizers=={md.version('openvino-tokenizers')}" in done.stdout
    assert f"pip install -r {copy / 'requirements.txt'}" in done.stdout


@pytest.mark.slow
def test_artifact_loads_in_a_venv_holding_only_its_requirements(
    minilm_artifact: Path, tmp_path: Path
) -> None:
    """A venv with nothing but ``pip install -r requirements.txt`` (pip's cache makes it minutes)."""
    copy = tmp_path / "minilm"
    shutil.copytree(minilm_artifact, copy)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=600)
    py = venv / "bin" / "python"
    pip = [
        str(py),
        "-m",
        "pip",
        "--disable-pip-version-check",
        "-q",
        "install",
        "-r",
        str(copy / "requirements.txt"),
    ]
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # nothing but the venv
    subprocess.run(pip, check=True, timeout=1200, env=clean)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); from loader import load\n"
        "v = load()(['a guitar', 'an instrument'])['sentence_embedding']\n"
        "import importlib.util as u\n"
        "print(v.shape, u.find_spec('ovbuild') is None, u.find_spec('torch') is None)"
    )
    done = subprocess.run(
        [str(py), "-c", code, str(copy)], capture_output=True, text=True, timeout=600, cwd=tmp_path, env=clean
    )
    assert done.stdout.strip() == "(2, 384) True True", done.stdout + done.stderr
