"""Audio batches: bad items never abort the batch under on_error="skip", and memory stays bounded.

Before: a directory among the items aborted the whole batch (IsADirectoryError), and
``infer_batch`` on 1000 half-second clips grew RSS from 169 to 4745 MB (4.7 MB per item, held after
``del``), because every clip was decoded and inferred as one batch.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path

import numpy as np
import pytest

from ovbuild.runtime import import_loader

SR = 16000


def _voiced(seconds: float, f0: float, seed: int) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    phase = 2 * np.pi * f0 * (t + 0.002 * np.sin(2 * np.pi * 5 * t))
    wave = sum(np.sin(k * phase) / k for k in range(1, 12))
    return (0.2 * wave + 0.01 * np.random.default_rng(seed).standard_normal(len(t))).astype(np.float32)


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    import soundfile as sf

    root = tmp_path_factory.mktemp("clips")
    paths = []
    for i, seconds in enumerate([0.5, 0.5, 2.0, 0.7, 4.1, 0.5, 1.2, 0.5]):
        path = root / f"clip{i}.wav"
        sf.write(path, _voiced(seconds, 110 + 15 * i, i), SR)
        paths.append(path)
    return paths


def _unreadable(tmp_path: Path) -> Path:
    if os.geteuid() != 0:
        path = tmp_path / "locked.wav"
        path.write_bytes(b"RIFF")
        path.chmod(0)
        return path
    return Path("/etc/hostname") / "not-a-dir.wav"  # root reads everything: a path through a file


def test_bad_items_are_reported_and_the_rest_returned(
    speaker_artifact: Path, clips: list[Path], tmp_path
) -> None:
    (tmp_path / "a_directory").mkdir()
    bad = {
        1: (tmp_path / "a_directory", "is a directory"),
        3: (_unreadable(tmp_path), "item 3"),
        4: (b"this is not audio at all" * 40, "cannot decode"),
        6: ((np.array(["a", "b"] * 2000), SR), "unsupported sample dtype"),
        7: ((np.ones(8000, np.complex64), SR), "unsupported sample dtype complex64"),
        8: (tmp_path / "missing.wav", "no such file"),
    }
    good = {0: clips[0], 2: clips[2], 5: (_voiced(1.0, 150, 9), SR), 9: clips[4]}
    items = [bad[i][0] if i in bad else good[i] for i in range(10)]
    with import_loader(speaker_artifact).load() as model:
        results = model.infer_batch(items, on_error="skip")
        assert len(results) == len(items)
        for index, (_, reason) in bad.items():
            assert set(results[index]) == {"error"}, index
            assert f"item {index}" in results[index]["error"] and reason in results[index]["error"]
        for index, item in good.items():
            want = model(item)
            for name, value in want.items():
                np.testing.assert_allclose(results[index][name], value, rtol=1e-4, atol=1e-5)
        with pytest.raises(Exception, match="item 1.*is a directory"):
            model.infer_batch(items)


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs /proc to read RSS")
def test_rss_growth_per_item_is_bounded_over_2000_items(speaker_artifact: Path, clips: list[Path]) -> None:
    short = [c for c in clips if c.stat().st_size < 40_000]  # the half-second clips
    items = [short[i % len(short)] for i in range(2000)]
    with import_loader(speaker_artifact).load() as model:
        model.infer_batch(items[:100])  # warm up: first allocations, kernels
        gc.collect()
        before = _rss_mb()
        kept = model.infer_batch(items)  # every result held: 2000 x 256 floats = 2 MB
        held = _rss_mb() - before
        assert len(kept) == 2000 and all("error" not in r for r in kept)
    per_item_kb = 1000 * held / 2000
    print(f"RSS growth over 2000 items: {held:.1f} MB ({per_item_kb:.1f} kB per item)")
    assert per_item_kb < 50, f"{per_item_kb:.1f} kB per item (before the fix: about 4700 kB)"
