"""User mistakes: one clear line naming the key or path, exit code 2, nothing new in the store."""

from __future__ import annotations

from pathlib import Path

import pytest

from ovbuild.store import StageCache
from tests.conftest import run_cli


def _store_content(store: Path) -> list[str]:
    """What a failed build must not leave: artifacts or stage entries (locks and digest memos aside)."""
    artifacts = (
        sorted(p.name for p in (store / "artifacts").glob("*")) if (store / "artifacts").exists() else []
    )
    return artifacts + [str(p) for p in StageCache(store).entries()]


def _fails_clearly(store: Path, *args: str, expect: str, env: dict | None = None) -> str:
    done = run_cli("build", *args, f"store.root={store}", env=env)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    message = [line for line in done.stderr.splitlines() if line.startswith("ovbuild: error:")]
    assert message, done.stderr
    assert expect in done.stderr, done.stderr
    assert _store_content(store) == []
    return done.stderr


def test_unknown_key_in_a_recipe_file(store: Path, tmp_path: Path) -> None:
    recipes = tmp_path / "recipes"
    recipes.mkdir()
    (recipes / "typo.yaml").write_text(
        "# @package _global_\nname: typo\nsource: {kind: onnx, pth: model.onnx}\ndevice: {num_stream: 2}\n"
    )
    err = _fails_clearly(
        store,
        "recipe=typo",
        expect="source.pth: unknown key (did you mean 'path'?)",
        env={"OVBUILD_RECIPES": str(recipes)},
    )
    assert "device.num_stream: unknown key (did you mean 'num_streams'?)" in err  # every error at once


def test_unknown_key_on_the_command_line(store: Path) -> None:
    _fails_clearly(store, "recipe=silero_vad", "source.pth=x.onnx", expect="source.pth")


def test_wrong_type(store: Path) -> None:
    _fails_clearly(
        store,
        "recipe=silero_vad",
        "device.num_streams=many",
        expect="device.num_streams: expected int, got str 'many'",
    )


def test_bad_enum_value(store: Path) -> None:
    _fails_clearly(
        store, "recipe=silero_vad", "device.mode=fastest", expect="device.mode: 'fastest' is not one of"
    )


def test_missing_model_file(store: Path) -> None:
    _fails_clearly(
        store,
        "recipe=silero_vad",
        "source.path=/nonexistent/vad.onnx",
        expect="source.path: no such file: /nonexistent/vad.onnx",
    )


def test_garbage_model_file(store: Path, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(b"\x00\x01 this is not a model" * 100)
    _fails_clearly(store, "recipe=silero_vad", f"source.path={garbage}", expect=f"cannot read {garbage}")


def test_unknown_recipe_name(store: Path) -> None:
    _fails_clearly(store, "recipe=nope", expect="unknown recipe 'nope'")


def test_unknown_input_name(store: Path) -> None:
    # A shape for an input the model does not have is caught at conversion, naming the key.
    _fails_clearly(store, "recipe=silero_vad", "+inputs.audio=[1,512]", expect="audio")


@pytest.mark.parametrize("command", [["show", "nothing/3"], ["bench", "nothing"]])
def test_unknown_artifact(store: Path, command: list[str]) -> None:
    done = run_cli(*command, "--store", str(store))
    assert done.returncode == 2
    assert "no artifact 'nothing" in done.stderr and "Traceback" not in done.stderr


def test_validate_lists_every_problem(tmp_path: Path) -> None:
    done = run_cli(
        "validate",
        "recipe=silero_vad",
        "device.num_streams=x",
        "precision.group_size=big",
        "device.mode=fast",
    )
    assert done.returncode == 2
    for key in ("device.num_streams", "precision.group_size", "device.mode"):
        assert key in done.stderr
    assert "3 problems" in done.stderr


def test_validate_accepts_a_good_recipe() -> None:
    done = run_cli("validate", "recipe=silero_vad")
    assert done.returncode == 0, done.stderr
    assert "is valid" in done.stdout
