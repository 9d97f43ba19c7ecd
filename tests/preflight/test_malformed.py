"""Every bad input is stopped before anything is published (issue 13, point 8).

Each case composes a real recipe with one malformed value and builds it through ``build()``, the
function the CLI's build command calls: it must raise an :class:`OvbuildError` (which the CLI prints
as one line and exits 2 on, see :func:`test_the_cli_says_one_line_and_exits_2`) whose message names
the key, and leave the store as it was (only the digest memo may be written).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ovbuild import build
from ovbuild.config import load_recipe
from ovbuild.errors import OvbuildError
from tests.conftest import run_cli

VAD = "recipe=silero_vad"
CAL = "calibration=audio_dir"

# (id, overrides, the key the message must name). {data} is a folder of prepared bad files.
CASES = [
    # names
    ("abs-name", ["name=/tmp/ovbuild-abs/x"], "name:"),
    ("dotdot-name", ["name=../../x"], "name:"),
    ("dot-name", ["name=.."], "name:"),
    ("empty-name", ["name=''"], "name:"),
    ("slash-name", ["name=a/b"], "name:"),
    ("long-name", ["name=" + "x" * 300], "name:"),
    ("space-name", ["name='a b'"], "name:"),
    ("missing-name", ["~name"], "name: missing required value"),
    # schema
    ("unknown-key", ["++source.pth=x.onnx"], "source.pth: unknown key"),
    ("wrong-type", ["device.num_streams=many"], "device.num_streams: expected int"),
    ("bad-enum", ["device.mode=fastest"], "device.mode:"),
    ("bad-precision-group", ["precision=nope"], "precision"),
    ("unknown-recipe", ["recipe=nope"], "unknown recipe 'nope'"),
    ("float-dim", ["inputs.input=[1.5,512]"], "inputs.input"),
    # regexes
    ("regex-paren", ["precision.rules=[{name: '(', precision: fp16}]"], "precision.rules[0].name"),
    (
        "regex-bracket",
        ["precision.rules=[{op_type: MatMul, precision: fp32}, {name: '[a-', precision: fp16}]"],
        "precision.rules[1].name",
    ),
    ("regex-repeat", ["precision.rules=[{name: '*x', precision: fp16}]"], "precision.rules[0].name"),
    # shapes and input names
    ("negative-dim", ["inputs.input=[-5,512]"], "inputs.input"),
    ("zero-dim", ["inputs.input=[0,512]"], "inputs.input"),
    ("rank", ["inputs.input=[1,512,7]"], "inputs.input: [1, 512, 7] has 3 dimensions"),
    ("rank-scalar", ["inputs.sr=[1]"], "inputs.sr"),
    (
        "unknown-input",
        ["++inputs.audio=[1,512]"],
        "inputs.audio: the model has no input 'audio' (its inputs: input",
    ),
    (
        "unknown-input-shape",
        ["device.precompile_shapes=true", "++device.input_shapes.nope=[1,512]"],
        "device.input_shapes.nope",
    ),
    (
        "dynamic-precompile",
        ["device.precompile_shapes=true", "++device.input_shapes.input=[-1,512]"],
        "device.input_shapes.input",
    ),
    ("precompile-without-shapes", ["device.precompile_shapes=true"], "device.precompile_shapes"),
    ("zero-input-shape", ["++device.input_shapes.input=[0,512]"], "device.input_shapes.input"),
    # precision
    # the recipe check names the missing group and says which one to add
    ("int8-no-calibration", ["precision=int8"], "calibration: precision int8 needs calibration data"),
    ("auto-no-calibration", ["precision=auto"], "calibration: precision auto needs calibration data"),
    (
        "int8-rule-no-calibration",
        ["precision.rules=[{layer: matmul, precision: int8}]"],
        "calibration: precision int8 needs calibration data",
    ),
    ("group-size", ["precision.group_size=0"], "precision.group_size"),
    ("ratio-high", ["precision.ratio=1.5"], "precision.ratio"),
    ("ratio-zero", ["precision.ratio=0"], "precision.ratio"),
    (
        "dq-group",
        ["precision.dynamic_quantization_group_size=-4"],
        "precision.dynamic_quantization_group_size",
    ),
    ("smooth-alpha", ["precision.smooth_quant_alpha=2.0"], "precision.smooth_quant_alpha"),
    ("preset", ["precision.preset=fastest"], "precision.preset"),
    (
        "max-drop",
        ["precision=auto", "++precision.accuracy.max_drop=-0.1", "calibration=synthetic"],
        "precision.accuracy.max_drop",
    ),
    (
        "min-speedup",
        ["precision=auto", "++precision.accuracy.min_speedup=0", "calibration=synthetic"],
        "precision.accuracy.min_speedup",
    ),
    (
        "auto-too-few-to-confirm",
        ["precision=auto", "calibration=synthetic", "calibration.samples=20"],
        "precision.accuracy.samples: auto scores 20 calibration samples",
    ),
    # devices
    ("device-weight-text", ["device.priorities=['CPU(abc)']"], "device.priorities"),
    ("device-weight-negative", ["device.priorities=['CPU(-1)']"], "device.priorities"),
    ("device-unknown", ["device.priorities=[TPU]"], "device.priorities"),
    ("device-empty-name", ["device.priorities=['']"], "device.priorities"),
    ("gpu-optimize", ["device.gpu_optimize=ludicrous"], "device.gpu_optimize"),
    ("num-streams", ["device.num_streams=-3"], "device.num_streams"),
    ("num-requests", ["device.num_requests=-2"], "device.num_requests"),
    ("unknown-property", ["++device.properties.NOT_A_PROPERTY=1"], "device.properties.NOT_A_PROPERTY"),
    (
        "property-value",
        ["++device.properties.INFERENCE_PRECISION_HINT=f99"],
        "device.properties.INFERENCE_PRECISION_HINT",
    ),
    (
        "per-device-property",
        ["++device.properties.CPU={NUM_STREAMS: lots}"],
        "device.properties.CPU.NUM_STREAMS",
    ),
    ("cache-dir", ["++device.properties.CACHE_DIR=/tmp/ovbuild-elsewhere"], "device.properties.CACHE_DIR"),
    ("nested-cache-dir", ["++device.properties.CPU={CACHE_DIR: /tmp/x}"], "device.properties.CPU.CACHE_DIR"),
    # validate
    ("validate-min-high", ["validate=cosine", "validate.min=2.0"], "validate.min: 2.0 is outside"),
    ("validate-min-low", ["validate=top1", "validate.min=-0.5"], "validate.min"),
    ("validate-nn-max", ["validate=nn_agreement", "validate.max=1.5"], "validate.max"),
    ("validate-min-above-max", ["validate=cosine", "validate.min=0.9", "validate.max=0.5"], "validate.min"),
    (
        "validate-token-agreement",
        ["validate=cosine", "validate.metric=token_agreement", "validate.min=1.2"],
        "validate.min: 1.2 is outside the range of token_agreement",
    ),
    ("validate-samples", ["validate=cosine", "validate.samples=0"], "validate.samples"),
    ("validate-target-missing", ["validate=cosine", "validate.metric=target"], "validate.target"),
    # calibration
    ("cal-missing-dir", ["precision=int8", CAL, "calibration.path={data}/nowhere"], "calibration.path"),
    ("cal-empty-dir", ["precision=int8", CAL, "calibration.path={data}/empty"], "calibration.path"),
    (
        "cal-junk-audio",
        ["precision=int8", CAL, "calibration.path={data}/junk_audio"],
        "calibration.path: no readable audio",
    ),
    ("cal-wrong-kind-files", ["precision=int8", CAL, "calibration.path={data}/texts"], "calibration.path"),
    ("cal-file-not-dir", ["precision=int8", CAL, "calibration.path={data}/lines.txt"], "calibration.path"),
    (
        "cal-npz-wrong-keys",
        ["precision=int8", "calibration=npz", "calibration.path={data}/wrong.npz"],
        "calibration.path: {data}/wrong.npz holds arrays pixels",
    ),
    (
        "cal-npz-garbage",
        ["precision=int8", "calibration=npz", "calibration.path={data}/garbage.npz"],
        "calibration.path",
    ),
    (
        "cal-text-empty",
        ["precision=int8", "calibration=text_lines", "calibration.path={data}/empty.txt"],
        "calibration.path",
    ),
    (
        "cal-text-binary",
        ["precision=int8", "calibration=text_lines", "calibration.path={data}/binary.txt"],
        "calibration.path",
    ),
    (
        "cal-callable",
        [
            "precision=int8",
            "calibration=synthetic",
            "calibration.kind=callable",
            "++calibration.target=os.path:nope",
        ],
        "calibration.target",
    ),
    (
        "cal-samples",
        ["precision=int8", "calibration=synthetic", "calibration.samples=0"],
        "calibration.samples",
    ),
    ("cal-no-path", ["precision=int8", CAL, "calibration.path=null"], "calibration.path"),
    # audio front-end
    ("fe-sample-rate", ["++frontend={kind: audio, sample_rate: 0}"], "frontend.sample_rate"),
    ("fe-n-fft", ["++frontend={kind: audio, n_fft: -400}"], "frontend.n_fft"),
    ("fe-fmax", ["++frontend={kind: audio, fmax: 12000}"], "frontend.fmax"),
    ("fe-features", ["++frontend={kind: audio, features: spectrogramz}"], "frontend.features"),
    ("fe-pad", ["++frontend={kind: audio, pad_or_chunk: stretch}"], "frontend.pad_or_chunk"),
    # files and the store
    ("missing-model", ["source.path={data}/nope.onnx"], "source.path"),
    ("garbage-model", ["source.path={data}/garbage.onnx"], "source.path"),
    ("garbage-ir", ["source=ir", "source.path={data}/garbage.xml"], "missing mandatory attribute"),
    ("store-is-a-file", ["store.root={data}/lines.txt"], "store.root"),
    ("store-in-proc", ["store.root=/proc/ovbuild-store"], "store.root"),
]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bad")
    (folder / "empty").mkdir()
    (folder / "junk_audio").mkdir()
    for i in range(3):
        (folder / "junk_audio" / f"clip{i}.wav").write_bytes(
            b"RIFF\x00\x00\x00\x00WAVEjunk" + bytes(range(200))
        )
    (folder / "texts").mkdir()
    (folder / "texts" / "notes.txt").write_text("not audio\n")
    (folder / "lines.txt").write_text("a line\n")
    (folder / "empty.txt").write_text("\n# only a comment\n")
    (folder / "binary.txt").write_bytes(b"\xff\xfe\x00\x81" * 50)
    np.savez(folder / "wrong.npz", pixels=np.zeros((4, 3, 8, 8), np.float32))
    (folder / "garbage.npz").write_bytes(b"PK\x03\x04 not a zip at all" * 10)
    (folder / "garbage.onnx").write_bytes(b"\x00\x01 this is not a model" * 100)
    (folder / "garbage.xml").write_text(
        "<net name='x' version='11'><layers><layer id='0' type='Nope'/></layers></net>"
    )
    return folder


def snapshot(store: Path, *, logs: bool = False) -> list[str]:
    """Everything under the store except the digest memo (which may be written) and, with
    ``logs``, Hydra's run logs (``runs/``: a CLI build logs even a build that fails)."""
    if not store.exists():
        return []
    return sorted(
        str(p.relative_to(store))
        for p in store.rglob("*")
        if "_digests" not in p.parts
        and p != store / "cache"
        and not (logs and p.parts[len(store.parts)] == "runs")
    )


@pytest.mark.parametrize(("overrides", "key"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_input_is_stopped_before_anything_is_published(
    overrides: list[str], key: str, data: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    store.mkdir()
    words = [w.replace("{data}", str(data)) for w in overrides]
    if not any(w.startswith("recipe=") for w in words):
        words.insert(0, VAD)
    if not any(w.startswith("store.root=") for w in words):
        words.append(f"store.root={store}")
    with pytest.raises(OvbuildError) as caught:
        build(load_recipe(words))
    message = str(caught.value)
    assert key.replace("{data}", str(data)) in message, message
    assert "Traceback" not in message and "Exception from src" not in message
    assert snapshot(store) == [], snapshot(store)


def test_there_are_at_least_sixty_distinct_cases() -> None:
    assert len({c[0] for c in CASES}) == len(CASES) >= 60
    assert len({c[0] for c in CASES + LEGACY}) == len(CASES) + len(LEGACY)


@pytest.mark.parametrize(
    ("words", "key"),
    [
        (["name=../../escape"], "name:"),
        (["inputs.input=[1,512,7]"], "inputs.input"),
        (["device.priorities=['CPU(-1)']"], "device.priorities"),
        (["store.root={data}/lines.txt"], "store.root"),
        (["oops"], "oops"),
    ],
    ids=["name", "rank", "weight", "store-file", "no-equals"],
)
def test_the_cli_says_one_line_and_exits_2(words: list[str], key: str, data: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    store.mkdir()
    words = [w.replace("{data}", str(data)) for w in words]
    extra = [] if any(w.startswith("store.root=") for w in words) else [f"store.root={store}"]
    done = run_cli("build", VAD, *words, *extra)
    assert done.returncode == 2, (done.stdout, done.stderr)
    errors = [line for line in done.stderr.splitlines() if line.startswith("ovbuild: error:")]
    assert len(errors) == 1 and key in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert snapshot(store, logs=True) == []
    verbose = run_cli("build", VAD, *words, *extra, "--verbose")
    assert verbose.returncode == 2 and key in verbose.stderr


def _vad_onnx() -> str:
    return load_recipe([VAD])["source"]["path"]


LEGACY = [
    ("legacy-missing-file", {"model_path": "{data}/nope.onnx", "model_format": "ONNX"}, "model_path"),
    ("legacy-weight", {"model_format": "ONNX", "device": "CPU(-1)"}, "device.priorities"),
    (
        "legacy-rank",
        {"model_format": "ONNX", "input_shapes": {"input": [1, 512, 7]}},
        "device.input_shapes.input",
    ),
    ("legacy-unknown-input", {"model_format": "ONNX", "input_shapes": {"audio": [1, 512]}}, "input_shapes"),
    ("legacy-gpu-optimize", {"model_format": "ONNX", "gpu_optimize": "ludicrous"}, "gpu_optimize"),
    ("legacy-format", {"model_format": "CAFFE"}, "model_format"),
]


@pytest.mark.parametrize(("config", "key"), [c[1:] for c in LEGACY], ids=[c[0] for c in LEGACY])
def test_malformed_legacy_dict_is_an_error_dict_and_publishes_nothing(
    config: dict, key: str, data: Path, tmp_path: Path
) -> None:
    from ovbuild.compat.backend import OpenVINOBackend

    store = tmp_path / "store"
    store.mkdir()
    config = {"model_path": _vad_onnx(), **config}
    config["model_path"] = config["model_path"].replace("{data}", str(data))
    result = OpenVINOBackend({"store_root": str(store)}).load_model("vad", config)
    assert result["status"] == "error" and key in result["error"], result
    assert snapshot(store) == []
