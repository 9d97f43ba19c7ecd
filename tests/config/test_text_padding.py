"""Text recipes pad to the longest sentence by default; a static sequence axis needs max_length."""

from __future__ import annotations

from tests.conftest import run_cli


def test_default_text_recipe_has_dynamic_axes_and_longest_padding() -> None:
    from ovbuild import load_recipe

    recipe = load_recipe(["recipe=minilm"])
    assert recipe["frontend"]["padding"] == "longest"
    assert all(dims == [-1, -1] for dims in recipe["inputs"].values())


def test_longest_padding_with_a_static_sequence_axis_is_refused() -> None:
    done = run_cli("validate", "recipe=minilm", "inputs.input_ids=[1,128]")
    assert done.returncode == 2
    assert "frontend.padding" in done.stderr and "inputs.input_ids" in done.stderr
    ok = run_cli(
        "validate",
        "recipe=minilm",
        "frontend.padding=max_length",
        "inputs.input_ids=[1,128]",
        "inputs.attention_mask=[1,128]",
        "inputs.token_type_ids=[1,128]",
    )
    assert ok.returncode == 0, ok.stderr


def test_unknown_padding_names_the_key() -> None:
    done = run_cli("validate", "recipe=minilm", "frontend.padding=right")
    assert done.returncode == 2
    assert "frontend.padding: 'right'" in done.stderr
