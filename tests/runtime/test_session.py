"""Stateful models (OpenVINO ReadValue/Assign): state lives in explicit sessions, never across calls.

Silero VAD made stateful with OpenVINO's own MakeStateful transformation (as optimum-intel does for
LLM KV caches): its ``state`` input/``stateN`` output pair becomes a ReadValue/Assign variable, so
the artifact takes only ``input`` and ``sr``. The ground truth is the original model, fed its state
by hand.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from ovbuild import build, load_recipe
from ovbuild.runtime import import_loader

STEPS = 12


@pytest.fixture(scope="module")
def stateful_vad(vad_artifact: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    import openvino as ov
    from openvino._offline_transformations import apply_make_stateful_transformation

    root = tmp_path_factory.mktemp("stateful")
    model = ov.Core().read_model(vad_artifact / "model.xml")
    apply_make_stateful_transformation(model, {"state": "stateN"})
    ov.save_model(model, str(root / "vad_stateful.xml"))
    recipe = load_recipe(
        raw={
            "name": "vad_stateful",
            "source": {"kind": "ir", "path": str(root / "vad_stateful.xml")},
            "store": {"root": str(root / "store")},
        }
    )
    return build(recipe).path


def _windows(seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.arange(512 * STEPS) / 16000
    voice = 0.3 * np.sin(2 * np.pi * (120 + 40 * seed) * t) * (rng.random() + 0.5)
    wave = (voice + 0.05 * rng.standard_normal(t.shape)).astype(np.float32)
    return [wave[i * 512 : (i + 1) * 512][None] for i in range(STEPS)]


def _by_hand(vad_artifact: Path, windows: list[np.ndarray]) -> list[np.ndarray]:
    """The original model with its state fed back explicitly."""
    model = import_loader(vad_artifact).load()
    state, out = np.zeros((2, 1, 128), np.float32), []
    for window in windows:
        result = model({"input": window, "state": state, "sr": np.array(16000)})
        out.append(result["output"])
        state = result["stateN"]
    model.close()
    return out


def _run(session, windows: list[np.ndarray], barrier: threading.Barrier | None = None) -> list[np.ndarray]:
    out = []
    for window in windows:
        if barrier is not None:
            barrier.wait()  # both sessions take each step at the same time
        out.append(session({"input": window, "sr": np.array(16000)})["output"])
    return out


def test_model_is_stateful_and_a_plain_call_starts_from_the_initial_state(stateful_vad: Path) -> None:
    with import_loader(stateful_vad).load() as model:
        assert model.stateful and model.input_names == ["input", "sr"]
        window = _windows(0)[5]
        first = model({"input": window, "sr": np.array(16000)})["output"]
        for _ in range(3):  # no call leaves state behind for the next
            np.testing.assert_array_equal(model({"input": window, "sr": np.array(16000)})["output"], first)


def test_two_sessions_interleaved_from_two_threads_match_each_alone(
    stateful_vad: Path, vad_artifact: Path
) -> None:
    a, b = _windows(1), _windows(2)
    truth_a, truth_b = _by_hand(vad_artifact, a), _by_hand(vad_artifact, b)
    with import_loader(stateful_vad).load() as model:
        with model.session() as alone:
            alone_a = _run(alone, a)
        assert alone.stateful
        results: dict[str, list[np.ndarray]] = {}
        barrier = threading.Barrier(2)

        def converse(name: str, windows: list[np.ndarray]) -> None:
            with model.session() as session:
                results[name] = _run(session, windows, barrier)

        threads = [threading.Thread(target=converse, args=args) for args in (("a", a), ("b", b))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    for got, alone_step, truth in zip(results["a"], alone_a, truth_a, strict=True):
        np.testing.assert_allclose(got, alone_step, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(got, truth, rtol=1e-3, atol=1e-3)
    for got, truth in zip(results["b"], truth_b, strict=True):
        np.testing.assert_allclose(got, truth, rtol=1e-3, atol=1e-3)
    assert not np.allclose(np.concatenate(results["a"]), np.concatenate(results["b"]))


def test_session_state_can_be_read_reset_and_set(stateful_vad: Path, vad_artifact: Path) -> None:
    windows = _windows(3)
    truth = _by_hand(vad_artifact, windows)
    with import_loader(stateful_vad).load() as model, model.session() as session:
        (name,) = session.state()
        assert not session.state()[name].any()  # initial state: zeros
        _run(session, windows[:4])
        saved = session.state()[name]
        assert saved.shape == (2, 1, 128) and saved.any()
        session.reset()
        assert not session.state()[name].any()
        session.set_state(name, saved)  # resume where step 4 left off
        np.testing.assert_allclose(_run(session, windows[4:6]), truth[4:6], rtol=1e-3, atol=1e-3)
        with pytest.raises(KeyError, match="no state variable 'nope'"):
            session.set_state("nope", saved)
    with pytest.raises(RuntimeError, match="closed"):
        session({"input": windows[0], "sr": np.array(16000)})
