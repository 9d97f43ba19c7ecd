"""The generated loader: same outputs as OpenVINO, relocatable, tamper-evident, benchmarkable."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ovbuild import build
from ovbuild.runtime import import_loader
from tests.conftest import recipe_for


@pytest.fixture(scope="module")
def vad(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(recipe_for("recipe=silero_vad", root=tmp_path_factory.mktemp("store"))).path


def _vad_inputs(seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "input": (0.1 * rng.standard_normal((1, 512))).astype(np.float32),
        "state": np.zeros((2, 1, 128), np.float32),
        "sr": np.array(16000, dtype=np.int64),
    }


def test_loader_matches_openvino(vad: Path) -> None:
    import openvino as ov

    model = import_loader(vad).load()
    reference = ov.Core().compile_model(str(vad / "model.xml"), "CPU")
    for seed in range(3):
        inputs = _vad_inputs(seed)
        ours = model(inputs)
        theirs = reference(inputs)
        for i, name in enumerate(model.output_names):
            np.testing.assert_allclose(ours[name], theirs[i], rtol=1e-5, atol=1e-6)


def test_loader_uses_precompiled_blob_and_loads_when_copied(vad: Path, tmp_path: Path) -> None:
    copy = tmp_path / "elsewhere" / "vad"
    shutil.copytree(vad, copy)
    moved = import_loader(copy).load()
    original = import_loader(vad).load()
    inputs = _vad_inputs(7)
    for name in original.output_names:
        np.testing.assert_array_equal(moved(inputs)[name], original(inputs)[name])
    assert (copy / "cache" / "CPU.blob").is_file()


def test_loader_runs_without_ovbuild_importable(vad: Path, tmp_path: Path) -> None:
    copy = tmp_path / "vad"
    shutil.copytree(vad, copy)
    code = (
        "import sys; sys.modules['ovbuild'] = None\n"
        "from loader import load\n"
        "m = load()\n"
        "import numpy as np\n"
        "out = m({'input': np.zeros((1, 512), np.float32), 'state': np.zeros((2, 1, 128), np.float32),"
        " 'sr': np.array(16000)})\n"
        "print(sorted(out))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=copy, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "output" in done.stdout


def test_flipped_byte_fails_load_naming_the_file(vad: Path, tmp_path: Path) -> None:
    copy = tmp_path / "vad"
    shutil.copytree(vad, copy)
    data = bytearray((copy / "model.bin").read_bytes())
    data[100] ^= 0x01
    (copy / "model.bin").write_bytes(bytes(data))
    loader = import_loader(copy)
    with pytest.raises(loader.ArtifactIntegrityError, match="model.bin"):
        loader.load()
    loader.load(verify=False)  # the check is what fails, not OpenVINO


def test_truncated_file_fails_load(vad: Path, tmp_path: Path) -> None:
    copy = tmp_path / "vad"
    shutil.copytree(vad, copy)
    blob = copy / "cache" / "CPU.blob"
    blob.write_bytes(blob.read_bytes()[:1000])
    loader = import_loader(copy)
    with pytest.raises(loader.ArtifactIntegrityError, match="CPU.blob"):
        loader.load()


def test_loader_bench_command(vad: Path) -> None:
    done = subprocess.run(
        [sys.executable, "loader.py", "--bench", "--seconds", "0.3"],
        cwd=vad,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    # what was timed, the median with its interval, and the machine it ran on
    assert "timed     inputs " in done.stdout and "95% CI over 9 rounds" in done.stdout, done.stdout
    assert "hint LATENCY" in done.stdout and "load [" in done.stdout


def test_every_benchmark_times_the_same_call_on_the_same_inputs(vad: Path) -> None:
    # issue 23: loader.py --bench, ovbuild bench and sweep reports timed three different things
    from ovbuild.bench import bench_artifact
    from ovbuild.bench.timed import time_artifacts

    loader_what = import_loader(vad).load().bench(0.3)["what"]
    bench_what = bench_artifact(vad, seconds=0.3, print_fn=None)["timed"]
    sweep = time_artifacts({"a": vad}, seconds=0.3)["a"]
    assert loader_what == bench_what == sweep["what"]
    assert loader_what["call"] == "model(example_inputs())" and loader_what["hint"] == "LATENCY"
    assert set(loader_what["inputs"]) == {"input", "state", "sr"} and sweep["rounds"] == 9
    assert sweep["low_ms"] <= sweep["median_ms"] <= sweep["high_ms"]


def test_infer_batch_matches_single_calls(vad: Path) -> None:
    model = import_loader(vad).load()
    items = [_vad_inputs(s) for s in range(4)]
    batch = model.infer_batch(items)
    for item, out in zip(items, batch, strict=True):
        np.testing.assert_allclose(out["output"], model(item)["output"], rtol=1e-5)
