"""Errors: one line with the useful part by default, the whole chain with ``--verbose``."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli


def _op15() -> str:
    from importlib.resources import files

    return str(files("silero_vad") / "data" / "silero_vad_16k_op15.onnx")


def test_dynamic_rank_error_advises_setting_inputs(tmp_path: Path) -> None:
    done = run_cli("build", "name=vad", "source=onnx", f"source.path={_op15()}", "--store", str(tmp_path))
    assert done.returncode == 2
    (line,) = [x for x in done.stderr.splitlines() if x.startswith("ovbuild: error:")]
    assert "static input shapes" in line and "inputs.input=" in line and "state, sr" in line, line
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "artifacts").exists()


def test_verbose_shows_the_whole_error_chain(tmp_path: Path) -> None:
    done = run_cli(
        "build", "name=vad", "source=onnx", f"source.path={_op15()}", "--store", str(tmp_path), "--verbose"
    )
    assert done.returncode == 2
    # OpenVINO's own multi-line message, all of it, then ovbuild's line.
    for expected in ("Model wasn't fully converted", "Conv-15", "ReduceMean-15", "Summary:", "direct cause"):
        assert expected in done.stderr, expected
    assert done.stderr.rstrip().splitlines()[-1].startswith("ovbuild: error:")
