"""The stage graph's cache: hits, partial rebuilds, key sensitivity, concurrent builders (issue 2)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ovbuild import StageError, build
from ovbuild.graph import plan_stages
from ovbuild.store import StageCache
from tests.conftest import REPO, recipe_for


def test_second_build_is_a_cache_hit(store: Path) -> None:
    first = build(recipe_for("recipe=silero_vad", root=store))
    assert first.new_version and first.version == 1
    assert first.built == ["convert", "shape", "compress", "serialize", "precompile", "emit"]
    second = build(recipe_for("recipe=silero_vad", root=store))
    assert second.built == []
    assert (second.version, second.key, second.path) == (1, first.key, first.path)
    assert not second.new_version


def test_changing_one_value_rebuilds_only_downstream(store: Path) -> None:
    base = build(recipe_for("recipe=silero_vad", root=store))
    hinted = build(recipe_for("recipe=silero_vad", "device.performance_hint=THROUGHPUT", root=store))
    assert hinted.built == ["precompile", "emit"]
    assert hinted.version == 2 and hinted.key != base.key
    fp16 = build(recipe_for("recipe=silero_vad", "precision=fp16", root=store))
    assert fp16.built == ["compress", "serialize", "precompile", "emit"]
    assert fp16.reused == ["convert", "shape"]
    # Going back to the first recipe is the first version again, not a new one.
    again = build(recipe_for("recipe=silero_vad", root=store))
    assert again.version == 1 and again.built == []


def test_model_bytes_change_every_key(store: Path, tmp_path: Path) -> None:
    original = Path(recipe_for("recipe=silero_vad")["source"]["path"])
    copy = tmp_path / "vad.onnx"
    shutil.copy(original, copy)
    cache = StageCache(store)
    before = plan_stages(recipe_for("recipe=silero_vad", f"source.path={copy}", root=store), cache)
    with open(copy, "r+b") as fh:  # flip one byte inside the file, keep its size
        fh.seek(1000)
        byte = fh.read(1)
        fh.seek(1000)
        fh.write(bytes([byte[0] ^ 0xFF]))
    after = plan_stages(recipe_for("recipe=silero_vad", f"source.path={copy}", root=store), cache)
    assert [p.stage.name for p in before] == [p.stage.name for p in after]
    assert all(b.key != a.key for b, a in zip(before, after, strict=True))
    assert all(len(p.key) == 64 for p in after)


def test_keys_cover_stage_version_config_and_packages(store: Path) -> None:
    planned = plan_stages(recipe_for("recipe=silero_vad", root=store), StageCache(store))
    hinted = plan_stages(
        recipe_for("recipe=silero_vad", "device.num_streams=2", root=store), StageCache(store)
    )
    same = [a.key == b.key for a, b in zip(planned, hinted, strict=True)]
    # Device settings reach only the device-specific stages.
    assert same == [True, True, True, True, True, False, False]


def test_corrupt_entry_is_discarded_and_rebuilt(store: Path) -> None:
    result = build(recipe_for("recipe=silero_vad", root=store))
    convert_dir = StageCache(store).entry_dir("convert", result.manifest.stage_keys["convert"])
    bin_file = convert_dir / "model.bin"
    data = bytearray(bin_file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    bin_file.unlink()  # entries are hard-linked into later ones: replace, don't edit in place
    bin_file.write_bytes(bytes(data))
    assert StageCache(store).lookup("convert", result.manifest.stage_keys["convert"]) is None
    assert not convert_dir.exists()
    rebuilt = build(recipe_for("recipe=silero_vad", "precision=fp16", root=store))
    assert "convert" in rebuilt.built


def test_two_processes_building_at_once_make_one_version(store: Path) -> None:
    cmd = [sys.executable, "-m", "ovbuild.cli.main", "build", "recipe=silero_vad", f"store.root={store}"]
    procs = [
        subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    index = json.loads((store / "artifacts" / "silero_vad" / "index.json").read_text())
    assert [v["version"] for v in index["versions"]] == [1]
    builds = StageCache(store).builds()
    assert sorted(b["stage"] for b in builds).count("convert") == 1


def _keys(*overrides: str, root: Path) -> dict[str, str]:
    recipe = recipe_for("recipe=silero_vad", *overrides, root=root)
    return {p.stage.name: p.key for p in plan_stages(recipe, StageCache(root))}


def test_calibration_and_metric_target_modules_enter_the_keys(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = tmp_path / "code"
    code.mkdir()
    (code / "my_samples.py").write_text("def samples():\n    return []\n")
    (code / "my_metric.py").write_text("def metric(refs, cands):\n    return 1.0\n")
    monkeypatch.syspath_prepend(str(code))
    overrides = (
        "precision=int8",
        "calibration=synthetic",
        "calibration.kind=callable",
        "+calibration.target=my_samples:samples",
        "validate=cosine",
        "+validate.target=my_metric:metric",
    )
    before = _keys(*overrides, root=store)
    (code / "my_samples.py").write_text("def samples():\n    return [{}]\n")
    after_samples = _keys(*overrides, root=store)
    assert after_samples["calibrate"] != before["calibrate"]
    assert after_samples["convert"] == before["convert"]
    (code / "my_metric.py").write_text("def metric(refs, cands):\n    return 0.5\n")
    after_metric = _keys(*overrides, root=store)
    assert after_metric["validate"] != after_samples["validate"]
    assert after_metric["compress"] == after_samples["compress"]  # not an auto search: not scored


def test_a_missing_target_module_fails_planning_naming_the_key(store: Path) -> None:
    with pytest.raises(StageError, match=r"validate.target: cannot import module 'no_such_metric_mod'"):
        _keys("validate=cosine", "+validate.target=no_such_metric_mod:metric", root=store)


PROBE = '''
from ovbuild.stages.base import Stage


class CodeEditProbe(Stage):
    """Passes the model through; only for the recipe named code_edit_probe."""

    name = "code_edit_probe"
    order = 85  # after serialize, before precompile

    def config(self, recipe):
        return {"on": True} if recipe["name"] == "code_edit_probe" else None

    def run(self, ctx, parent, config):
        return {"edited": False}
'''


def test_editing_a_stages_code_rebuilds_it_and_only_what_follows(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    from ovbuild import load_recipe
    from tests.stages.contract import tiny_conv_ir

    (tmp_path / "probe_stage_mod.py").write_text(PROBE)
    monkeypatch.syspath_prepend(str(tmp_path))
    probe = importlib.import_module("probe_stage_mod")
    model = tiny_conv_ir(tmp_path / "conv.xml")
    raw = {
        "name": "code_edit_probe",
        "source": {"kind": "ir", "path": str(model)},
        "store": {"root": str(store)},
    }
    first = build(load_recipe(raw=raw))
    assert "code_edit_probe" in first.built
    (tmp_path / "probe_stage_mod.py").write_text(PROBE.replace('"edited": False', '"edited": True'))
    importlib.reload(probe)  # what a new process would import
    second = build(load_recipe(raw=raw))
    assert second.built == ["code_edit_probe", "precompile", "emit"]
    assert second.manifest.stages["code_edit_probe"] == {"edited": True}
