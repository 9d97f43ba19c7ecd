"""``ovbuild bench ARTIFACT --data``: real sentences end to end, latency percentiles and items/s,
nn-agreement against sentence-transformers; bad data is one clear error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ovbuild import build
from ovbuild.bench.data import make_batches, read_data
from ovbuild.errors import OvbuildError
from tests.conftest import REPO, recipe_for, run_cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def minilm(shared_store: Path):
    return build(recipe_for("recipe=minilm", "device.inference_precision=f32", root=shared_store))


def test_bench_data_runs_sentences_and_compares_with_sentence_transformers(minilm) -> None:
    done = run_cli(
        "bench", str(minilm.path), "--data", "data/sentences.txt", "--batch-size", "8",
        "--rounds", "2", "--limit", "40", "--compare", "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout[done.stdout.index("{") :])
    assert report["kind"] == "text" and report["machine"]["cores"] >= 1
    ours = report["results"]["ovbuild"]
    assert ours["items"] == 40 and ours["batch_size"] == 8 and ours["rounds"] == 2
    assert 0 < ours["latency_p50_ms"] <= ours["latency_p99_ms"] and ours["items_per_s"] > 0
    assert "sentence-transformers (OpenVINO)" in report["results"], report["errors"]
    # f32 artifact vs sentence-transformers FP32 on the same 40 sentences
    assert report["nn_agreement"]["ovbuild"] >= 0.95


def test_bad_data_is_one_clear_error(minilm, tmp_path: Path) -> None:
    done = run_cli("bench", str(minilm.path), "--data", str(tmp_path / "missing.txt"))
    assert done.returncode == 2
    assert "--data" in done.stderr and "Traceback" not in done.stderr
    (tmp_path / "clip.wav").write_bytes(b"RIFF")
    done = run_cli("bench", str(minilm.path), "--data", str(tmp_path))
    assert done.returncode == 2 and "takes text" in done.stderr


def test_text_batches_are_longest_first_and_cover_every_item() -> None:
    kind, items = read_data(REPO / "data" / "sentences.txt")
    assert kind == "text" and len(items) == 402
    batches = make_batches(kind, items, 32)
    assert sorted(i for b in batches for i in b) == list(range(402))
    assert len(items[batches[0][0]]) == max(len(s) for s in items)
    with pytest.raises(OvbuildError, match="--batch-size"):
        make_batches(kind, items, 0)


def test_read_data_tells_audio_from_images_and_text(tmp_path: Path) -> None:
    import numpy as np
    import soundfile as sf
    from PIL import Image

    sf.write(tmp_path / "a.wav", np.zeros(1600, np.float32), 16000)
    sf.write(tmp_path / "b.flac", np.zeros(1600, np.float32), 16000)
    Image.new("RGB", (8, 8)).save(tmp_path / "c.png")
    assert read_data(tmp_path) == ("audio", [tmp_path / "a.wav", tmp_path / "b.flac"])
    assert read_data(tmp_path / "c.png") == ("image", [tmp_path / "c.png"])
    (tmp_path / "lines.txt").write_text("one\n\n two \n")
    assert read_data(tmp_path / "lines.txt") == ("text", ["one", "two"])
    (tmp_path / "blank.txt").write_text("\n\n")
    with pytest.raises(OvbuildError, match="no usable items"):
        read_data(tmp_path / "blank.txt")


def test_compare_runs_pytorch_for_a_plain_hf_model(shared_store: Path, tmp_path_factory) -> None:
    from ovbuild.bench.e2e import TORCH, bench_data
    from ovbuild.config import load_recipe
    from tests.stages._tiny_bert import make_tiny_bert, tiny_overrides

    model_dir = make_tiny_bert(tmp_path_factory.mktemp("tiny"))
    result = build(load_recipe([*tiny_overrides(model_dir), f"store.root={shared_store}"]))
    report = bench_data(
        result.path, REPO / "data" / "sentences.txt", batch_size=4, rounds=1, compare=True, limit=12,
        print_fn=None,
    )  # fmt: skip
    assert TORCH in report["results"], report["errors"]
    assert report["results"][TORCH]["items"] == 12


def test_text_runner_times_a_model_without_pooling() -> None:
    """A text artifact whose only output is per-token (no pooling): every batch has its own
    sequence length, so the outputs are timed but not stacked (before: a concatenate error)."""
    import numpy as np

    from ovbuild.bench.e2e import artifact_runner

    def per_token_model(batch: list[str]) -> dict[str, np.ndarray]:
        longest = max(len(s.split()) for s in batch)
        return {"last_hidden_state": np.ones((len(batch), longest, 8), np.float32)}

    items = ["one", "two words", "three words here", "four words are here"]
    outputs, latencies = artifact_runner(per_token_model, "text")(items, make_batches("text", items, 2))
    assert outputs is None and len(latencies) == 2


@pytest.mark.parametrize("flag, value", [("--rounds", "0"), ("--seconds", "-1")])
def test_bench_refuses_bad_counts_before_loading_anything(tmp_path: Path, flag: str, value: str) -> None:
    done = run_cli("bench", str(tmp_path / "no_such_artifact"), flag, value)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and flag in done.stderr, done.stderr
