"""An embedded audio front-end of dynamic batch is compiled for one waveform row per request; any
number of rows still works (call, named tensors, batcher) and matches the host-side features."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ovbuild.runtime import import_loader
from ovbuild.runtime.batches import frontend_row_shapes

SR = 16000


def _manifest(**frontend) -> tuple[dict, list[dict]]:
    return (
        {"kind": "audio", "embedded": True, "features": "mel", **frontend},
        [{"name": "waveform", "shape": [-1, 25600]}],
    )


def test_row_shapes_only_for_a_dynamic_batch_waveform() -> None:
    assert frontend_row_shapes(*_manifest()) == {"waveform": [1, 25600]}
    assert frontend_row_shapes(*_manifest(features="whisper_log_mel")) == {}
    assert frontend_row_shapes(*_manifest(embedded=False)) == {}
    static = _manifest()
    static[1][0]["shape"] = [4, 25600]
    assert frontend_row_shapes(*static) == {}
    two = _manifest()
    two[1].append({"name": "num_frames", "shape": [-1]})
    assert frontend_row_shapes(*two) == {}
    assert frontend_row_shapes({"kind": "text", "embedded": True}, []) == {}


def test_speaker_artifact_runs_rows_of_one_and_any_batch(speaker_artifact: Path, speech) -> None:
    model = import_loader(speaker_artifact).load()
    try:
        wave, out = model.input_names[0], model.output_names[0]
        samples = model.manifest.inputs[0]["shape"][1]
        assert tuple(model.inputs[0].shape) == (1, samples)  # compiled static: one row per request
        rows = np.stack([np.resize(speech, samples) * g for g in (1.0, 0.5, 0.1)]).astype(np.float32)
        one_by_one = np.concatenate([model({wave: r[None]})[out] for r in rows])
        together = model({wave: rows})[out]
        assert len(together) == 3 and together.shape == one_by_one.shape
        np.testing.assert_allclose(together, one_by_one, rtol=1e-5, atol=1e-6)
        batched = model.batcher(max_batch=4, max_wait_ms=1.0)
        got = batched.submit({wave: rows[:2]}).result(timeout=60)
        np.testing.assert_allclose(got[out], one_by_one[:2], rtol=1e-5, atol=1e-6)
    finally:
        model.close()


def test_rows_spread_over_streams(speaker_artifact: Path, speech) -> None:
    """Under THROUGHPUT, 8 rows run as 8 one-row requests over the streams, same answers."""
    model = import_loader(speaker_artifact).load(PERFORMANCE_HINT="THROUGHPUT")
    try:
        wave, name = model.input_names[0], model.output_names[0]
        samples = model.inputs[0].shape[1]
        rows = np.stack([np.roll(np.resize(speech, samples), 400 * i) for i in range(8)]).astype(np.float32)
        out = model({wave: rows})[name]
        assert len(out) == 8
        np.testing.assert_allclose(out[3], model({wave: rows[3:4]})[name][0], rtol=1e-5, atol=1e-6)
    finally:
        model.close()
