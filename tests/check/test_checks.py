"""``ovbuild check``: the legacy test script as a command, on real artifacts."""

from __future__ import annotations

from pathlib import Path

import pytest

from ovbuild.check import CheckResult, format_table, run_checks
from tests.conftest import run_cli


def _rows(stdout: str) -> dict[str, str]:
    rows = {}
    for line in stdout.splitlines():
        for status in (" PASS ", " FAIL "):
            if status in line:
                rows[line.split(status)[0].strip()] = status.strip()
    return rows


@pytest.mark.slow
def test_run_all_passes_on_this_machine(shared_store: Path) -> None:
    done = run_cli("check", "--run-all", "--store", str(shared_store), env={"HF_HUB_OFFLINE": "1"})
    assert done.returncode == 0, done.stdout + done.stderr
    rows = _rows(done.stdout)
    assert rows == {
        "basic load (silero-vad FP32)": "PASS",
        "audio file -> VAD": "PASS",
        "audio front-end in the graph (speaker)": "PASS",
        "mixed precision (INT8 + FP16 attention)": "PASS",
        "multi-device priorities (batch of 16)": "PASS",
    }, done.stdout
    assert "5 passed, 0 failed" in done.stdout
    assert "cosine to FP32" in done.stdout


def test_audio_check_on_a_given_file(shared_store: Path, tmp_path: Path) -> None:
    import numpy as np
    import soundfile

    wav = tmp_path / "tone.flac"
    t = np.arange(44100) / 44100
    soundfile.write(wav, (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 44100)
    [basic, audio] = run_checks(["basic", "audio"], store_root=shared_store, audio_file=str(wav))
    assert basic.passed and audio.passed, (basic.detail, audio.detail)
    assert audio.latency_ms is not None and audio.latency_ms > 0
    assert "1.00 s at 44100 Hz -> 16 kHz" in audio.detail
    assert audio.device == "CPU"


def test_a_failure_is_a_fail_row_and_a_nonzero_exit(shared_store: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.wav"
    done = run_cli("check", "--test-audio", "--audio-file", str(missing), "--store", str(shared_store))
    assert done.returncode == 1, done.stdout + done.stderr
    rows = _rows(done.stdout)
    assert rows["basic load (silero-vad FP32)"] == "PASS"
    assert rows["audio"] == "FAIL" and rows["audio frontend"] == "FAIL"
    assert "no such file" in done.stdout and str(missing) in done.stdout
    assert "1 passed, 2 failed" in done.stdout
    assert "Traceback" not in done.stderr


def test_table_format() -> None:
    table = format_table(
        [CheckResult("a", True, 1.5, "CPU", "fine"), CheckResult("b", False, detail="broke")]
    )
    lines = table.splitlines()
    assert "PASS" in lines[1] and "1.50" in lines[1]
    assert "FAIL" in lines[2] and "broke" in lines[2]
    assert lines[-1] == "1 passed, 1 failed"
