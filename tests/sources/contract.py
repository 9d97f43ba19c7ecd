"""The contract every source kind passes (the ``SourceContract`` twin of ``StageContract``).

Subclass :class:`SourceContract` once per kind with ``config(tmp_path)`` (a valid ``source:``
block) and ``missing(tmp_path)`` (one whose input does not exist). pytest checks the kind is
registered with a frozen per-kind schema the validator dispatches to, unknown keys are named,
``input_files`` imports no heavy library and fails with a ``SourceError`` naming a ``source.``
key, the kind's facts (``model_file``, ``huggingface_dir``, ...) answer for a valid config, and
``convert`` writes readable IR into its ``out_dir`` only and returns JSON.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, ClassVar

import pytest

from ovbuild.config import find_problems
from ovbuild.config.sections import SOURCE_SCHEMAS, source_of
from ovbuild.errors import SourceError
from ovbuild.sources import Source, source_for
from ovbuild.stages.base import StageContext

HEAVY = ("openvino", "torch", "nncf", "transformers", "optimum", "librosa", "tensorflow")


class SourceContract:
    """Subclass with ``kind``, ``config`` and ``missing``; ``inputs`` if conversion needs shapes."""

    kind: ClassVar[str]
    inputs: ClassVar[dict[str, list[int]]] = {}
    #: Why ``convert`` is not run here (a multi-minute export tested in the kind's own file).
    convert_elsewhere: ClassVar[str | None] = None

    def config(self, tmp_path: Path) -> dict[str, Any]:
        raise NotImplementedError

    def missing(self, tmp_path: Path) -> dict[str, Any]:
        raise NotImplementedError

    def _raw(self, source: dict[str, Any]) -> dict[str, Any]:
        return {"name": f"contract_{self.kind}", "source": source, "inputs": dict(self.inputs)}

    def test_registered_with_a_frozen_schema(self) -> None:
        cls = Source.registry[self.kind]
        assert SOURCE_SCHEMAS[self.kind] is cls.schema
        assert dataclasses.is_dataclass(cls.schema) and cls.schema.__dataclass_params__.frozen
        assert "kind" in {f.name for f in dataclasses.fields(cls.schema)}

    def test_config_validates_and_unknown_keys_are_named(self, tmp_path: Path) -> None:
        source = self.config(tmp_path)
        assert find_problems(self._raw(source)) == []
        problems = find_problems(self._raw({**source, "no_such_key": 1}))
        assert any(p.startswith("source.no_such_key: unknown key") for p in problems), problems

    def test_input_files_import_nothing_heavy(self, tmp_path: Path) -> None:
        cfg = self.config(tmp_path)
        code = (
            f"import json, sys; import {Source.registry[self.kind].__module__}; "
            "from ovbuild.sources import source_for; "
            f"files = source_for({self.kind!r}).input_files(json.loads({json.dumps(cfg)!r})); "
            "assert files and all(__import__('os').path.exists(f) for f in files), files; "
            f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))"
        )
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == "[]", out.stdout

    def test_facts_about_the_kind_come_from_its_class(self, tmp_path: Path) -> None:
        """What other code asks of a kind (instead of testing ``kind == ...``) answers for a valid
        config: a model file OpenVINO reads as it is, a HuggingFace directory, faster-whisper weights."""
        cfg = self.config(tmp_path)
        kind = source_of(cfg)
        assert isinstance(kind, Source.registry[self.kind])
        model_file = kind.model_file(cfg)
        assert model_file is None or Path(model_file).is_file()
        hf_dir = kind.huggingface_dir(cfg)
        assert hf_dir is None or Path(hf_dir).expanduser().is_dir()
        weights = kind.faster_whisper_dir(cfg)
        assert weights is None or Path(weights).expanduser().is_dir()
        assert isinstance(kind.torch_baseline, bool)

    def test_missing_input_is_a_source_error_naming_the_key(self, tmp_path: Path) -> None:
        with pytest.raises(SourceError, match=r"^source\.\w+"):
            source_for(self.kind).input_files(self.missing(tmp_path))

    def test_convert_writes_ir_into_out_dir_only(self, tmp_path: Path) -> None:
        if self.convert_elsewhere:
            pytest.skip(self.convert_elsewhere)
        import openvino as ov

        cfg = self.config(tmp_path)
        out_dir = tmp_path / "out"
        out_dir.mkdir()
        before = sorted(p for p in tmp_path.rglob("*") if out_dir not in p.parents)
        recipe = self._raw(cfg)
        ctx = StageContext(out_dir=out_dir, store_root=tmp_path / "store")
        result = source_for(self.kind).convert(ctx, cfg, recipe.get("inputs"))
        json.dumps(result)
        assert ov.Core().read_model(str(out_dir / "model.xml")).inputs
        after = sorted(p for p in tmp_path.rglob("*") if p != out_dir and out_dir not in p.parents)
        assert after == [p for p in before if p != out_dir]
