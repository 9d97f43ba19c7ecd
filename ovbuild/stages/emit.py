"""``emit``: the artifact itself: manifest, generated loader and model card beside the IR and blobs."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ovbuild._version import __version__
from ovbuild.config.frozen import FrozenConfig, thaw
from ovbuild.config.sections import source_of
from ovbuild.errors import StageError
from ovbuild.hashing import package_versions, sha256_file, sha256_json
from ovbuild.runtime import copy_runtime, loader_source, runtime_digests, runtime_files
from ovbuild.runtime.manifest import Manifest
from ovbuild.runtime.smoke import numpy_type
from ovbuild.stages._requirements import artifact_requirements, requirements_text
from ovbuild.stages.base import MODEL_XML, Stage, StageContext
from ovbuild.stages.results import (
    ConvertResult,
    EmitResult,
    FrontendResult,
    PrecompileResult,
    SerializeResult,
    ValidateResult,
)
from ovbuild.store import CacheEntry
from ovbuild.store.fs import link_tree, tree_size


@dataclass(frozen=True)
class EmitConfig(FrozenConfig):
    """The artifact describes the whole recipe (its manifest and model card), store aside."""

    recipe: Mapping[str, Any]


class EmitStage(Stage):
    name = "emit"
    order = 100
    carries_models = False  # it links the whole parent entry itself
    version = 2  # 2: stage_keys records emit's own key (gc keeps the entry; the store reads it)
    Result = EmitResult

    def config(self, recipe: dict[str, Any]) -> EmitConfig:
        # The store location is where the artifact lives, not what it is.
        # Nor is the signing key: the signature is added beside the published files.
        return EmitConfig(recipe={k: v for k, v in recipe.items() if k not in ("store", "sign")})

    def input_files(self, recipe: dict[str, Any]) -> list[Path]:
        # The artifact carries these sources: editing them must change the artifact.
        return runtime_files()

    def run(self, ctx: StageContext, parent: CacheEntry | None, config: EmitConfig) -> EmitResult:
        recipe = thaw(config.recipe)  # the manifest and model card hold it as plain JSON
        out = ctx.out_dir
        link_tree(parent.path, out)
        (out / "entry.json").unlink(missing_ok=True)
        serialized = ctx.result(SerializeResult)
        precompiled = ctx.result(PrecompileResult)
        inputs = [{**p, "numpy_type": numpy_type(p["type"])} for p in serialized.inputs]
        outputs = [{**p, "numpy_type": numpy_type(p["type"])} for p in serialized.outputs]
        frontend = dict(recipe.get("frontend") or {})
        if frontend:
            built_frontend = ctx.result(FrontendResult)
            frontend["embedded"] = built_frontend is not None and built_frontend.embedded
        runtime = copy_runtime(out)
        convert = ctx.result(ConvertResult)
        card = _model_card(recipe, inputs, outputs, precompiled)
        if convert is not None and convert.generation:
            from ovbuild.stages._genai_layout import generation_card, write_genai_dir

            pad = frontend.get("whisper_pad", "audio")
            write_genai_dir(out, dict(convert.models), dict(convert.generation), pad)
            card += generation_card(convert.generation["kind"])
        (out / "loader.py").write_text(loader_source(recipe["name"], __version__, runtime_digests(runtime)))
        (out / "README.md").write_text(card)
        requirements = artifact_requirements(frontend, out)
        (out / "requirements.txt").write_text(requirements_text(recipe["name"], requirements))
        files = {
            p.relative_to(out).as_posix(): {"size": p.stat().st_size, "sha256": sha256_file(p)}
            for p in sorted(out.rglob("*"))
            if p.is_file()
        }
        _check_carried(parent, files)
        # Each ancestor's result as its entry recorded it (the manifest's ``stages``, unchanged).
        stage_results = {name: entry.result for name, entry in ctx.ancestors.items()}
        manifest = Manifest(
            name=recipe["name"],
            description=recipe.get("description", ""),
            recipe=recipe,
            recipe_digest=sha256_json(recipe),
            model=MODEL_XML,
            inputs=inputs,
            outputs=outputs,
            frontend=frontend or None,
            variant=variant_of(recipe),
            labels=_labels(recipe),
            postprocess=recipe.get("postprocess"),
            device_plan=dict(precompiled.plan),
            blobs=dict(precompiled.blobs),
            stage_keys={**{name: entry.key for name, entry in ctx.ancestors.items()}, self.name: ctx.key},
            # The FP32 model before compression, in the stage cache (for `bench --compare`); it
            # may be collected by `ovbuild gc`, and bench then falls back to this IR at f32.
            reference_ir=_reference_ir(ctx),
            stages=stage_results,
            metrics=_metrics(ctx.result(ValidateResult), precompiled, out),
            files=files,
            packages=package_versions(),
            requirements=requirements,
        )
        (out / "manifest.json").write_text(manifest.to_json(default=_plain))
        return EmitResult(files=len(files), size_bytes=manifest.metrics["size_bytes"])


def _check_carried(parent: CacheEntry, files: dict[str, dict[str, Any]]) -> None:
    """Refuse to vouch for bytes that differ from what the parent entry recorded when it was built.

    The files were hashed from their content just now (not from the stat memo), so a cached file
    damaged in place with its mtime kept is caught here, before a manifest could vouch for it.
    """
    for rel, info in parent.files.items():
        if rel in files and files[rel]["sha256"] != info["sha256"]:
            raise StageError(
                f"cache entry {parent.path} is damaged: {rel} no longer matches its entry.json; "
                f"delete that directory (or run `ovbuild gc`) and build again"
            )


def variant_of(recipe: dict[str, Any]) -> dict[str, Any]:
    """What tells builds of one recipe apart: ``label`` (``int8``, ``fp32-f32``, ``auto``) is what
    ``ovbuild ls`` shows and ``NAME@LABEL`` selects (``ovbuild show minilm@int8``)."""
    precision = recipe.get("precision") or {}
    device = recipe.get("device") or {}
    label = str(precision.get("default"))
    if precision.get("rules"):
        label += f"+{len(precision['rules'])}rules"
    if device.get("inference_precision"):
        label += f"-{device['inference_precision']}"
    return {
        "label": label,
        "precision": precision.get("default"),
        "rules": len(precision.get("rules") or []),
        "inference_precision": device.get("inference_precision"),
        "devices": list(device.get("priorities") or []),
    }


def _labels(recipe: dict[str, Any]) -> list[str] | None:
    """A classifier's class names (``id2label`` of a HF ``config.json``), by class index."""
    source = recipe.get("source") or {}
    kind = source_of(source)
    hf_dir = kind.huggingface_dir(source) if kind is not None else None
    config = Path(str(hf_dir or "")) / "config.json"
    if not hf_dir or not config.is_file():
        return None
    try:
        id2label = json.loads(config.read_text()).get("id2label") or {}
        by_index = {int(k): str(v) for k, v in id2label.items()}
    except (ValueError, AttributeError):
        return None
    if not by_index or sorted(by_index) != list(range(len(by_index))):
        return None
    return [by_index[i] for i in range(len(by_index))]


def _plain(value: Any) -> Any:
    """JSON for what ``json`` cannot write: OpenVINO types by name, enums by value, else ``str``."""
    if hasattr(value, "get_type_name"):
        return value.get_type_name()
    return getattr(value, "value", None) if hasattr(value, "value") else str(value)


def _reference_ir(ctx: StageContext) -> str | None:
    entry = ctx.reference()
    return str(entry.file(MODEL_XML)) if entry is not None else None


def _metrics(validate: ValidateResult | None, precompiled: PrecompileResult, out: Path) -> dict[str, Any]:
    metrics: dict[str, Any] = {"size_bytes": tree_size(out) if out.exists() else 0}
    if validate is not None:
        # Every gated value (per output and part on multi-output models), else the one metric.
        per_check = {k: v for k, v in validate.metrics.items() if isinstance(v, (int, float))}
        metrics["accuracy"] = per_check or {validate.metric: validate.value}
    metrics["compile_seconds"] = {dev: b["compile_seconds"] for dev, b in precompiled.blobs.items()}
    return metrics


def _model_card(config: dict[str, Any], inputs: list, outputs: list, precompiled: PrecompileResult) -> str:
    lines = [
        f"# {config['name']}",
        "",
        config.get("description") or "",
        "",
        f"Built by ovbuild {__version__} from a `{config['source']['kind']}` source at precision "
        f"`{config['precision']['default']}`.",
        "",
        "## Use",
        "```python",
        "from loader import load",
        "model = load()",
        "outputs = model(model.example_inputs())",
        "```",
        "`pip install -r requirements.txt` installs what the loader imports.",
        "`python loader.py --bench` measures latency on this machine.",
        "",
        "## Inputs",
        *[f"- `{p['name']}`: {p['type']} {p['shape']}" for p in inputs],
        "",
        "## Outputs",
        *[f"- `{p['name']}`: {p['type']} {p['shape']}" for p in outputs],
        "",
        "## Devices",
        f"Requested {precompiled.plan['requested']}; "
        f"precompiled for {', '.join(precompiled.blobs) or 'none'}.",
        "",
    ]
    return "\n".join(lines)
