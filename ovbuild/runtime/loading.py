"""What the generated ``loader.py`` calls: load an artifact directory into a :class:`Model`."""

from __future__ import annotations

import dataclasses
import time
import warnings
from pathlib import Path
from typing import Any

from .batches import frontend_row_shapes
from .devices import available_devices, compile_with_plan, plan_devices
from .inputs import InputError
from .integrity import ArtifactIntegrityError, verify_artifact
from .model import Model
from .requests import ModelClosedError
from .requirements import MissingRequirementError, check_requirements
from .session import Session
from .signature import verify_signature as check_signature
from .tasks import (
    ClassifierModel,
    EmbeddingModel,
    SpeechModel,
    TextClassifierModel,
    TextGenerationModel,
    model_class,
)
from .trust import read_manifest

__all__ = [
    "ArtifactIntegrityError",
    "ClassifierModel",
    "InputError",
    "EmbeddingModel",
    "MissingRequirementError",
    "Model",
    "ModelClosedError",
    "Session",
    "SpeechModel",
    "TextClassifierModel",
    "TextGenerationModel",
    "load_artifact",
    "main",
]


def _device_config(recorded: dict[str, Any], device: str | None) -> dict[str, Any]:
    if device is None:
        return recorded
    mode, _, rest = device.partition(":")
    if rest and mode.upper() in ("AUTO", "HETERO", "MULTI"):
        return {**recorded, "mode": mode.lower(), "priorities": rest.split(",")}
    return {**recorded, "mode": "single", "priorities": [device]}


def load_artifact(
    artifact_dir: str | Path,
    device: str | None = None,
    *,
    verify: bool = True,
    verify_signature: str | Path | None = None,
    **properties: Any,
) -> Model:
    """Load an artifact directory: verify digests, plan devices, import blobs or compile; returns
    the :class:`Model` subclass of the artifact's task (:func:`.tasks.model_class`).

    Args:
        artifact_dir: the directory holding ``manifest.json``.
        device: override the recipe's device plan ("CPU", "GPU", "AUTO:GPU,CPU").
        verify: check every file's sha256 against the manifest first (catches damage).
        verify_signature: a public key (PEM): check the artifact's ``signature.sig`` first, which
            covers every file and the manifest (catches tampering, even with recomputed digests).
        **properties: extra OpenVINO properties for compilation (skips the precompiled blob).

    Raises:
        ArtifactIntegrityError: a file is missing or altered, or the manifest is missing, corrupt,
            or names a path or file-writing property outside the artifact (``UntrustedManifestError``);
            ``SignatureError`` when the signature does not verify.
    """
    import openvino as ov

    started = time.perf_counter()
    artifact_dir = Path(artifact_dir).resolve()
    if verify_signature is not None:
        check_signature(artifact_dir, verify_signature)
    manifest = read_manifest(artifact_dir)
    if verify:
        verify_artifact(artifact_dir, manifest.files)
    check_requirements(artifact_dir, manifest)
    plan = plan_devices(_device_config(manifest.device, device), available_devices())
    for warning in plan.warnings:
        warnings.warn(warning, stacklevel=2)
    if manifest.frontend_kind == "text" and manifest.embedded_frontend:
        import openvino_tokenizers  # noqa: F401  (registers the in-graph tokenizer's ops on new Cores)
    core = ov.Core()
    compiled = None
    blob = manifest.blobs.get(plan.device)
    if blob and not properties:
        try:
            compiled = core.import_model(
                (artifact_dir / blob["blob"]).read_bytes(), plan.device, blob["properties"]
            )
        except Exception as exc:  # a blob from another OpenVINO build: compile instead, and say so
            warnings.warn(f"precompiled blob {blob['blob']} not usable ({exc}); compiling", stacklevel=2)
    if compiled is None:
        plan = plan.with_properties(**properties)
        rows = frontend_row_shapes(manifest.frontend, manifest.inputs)
        if rows and not plan.reshape:
            plan = dataclasses.replace(plan, reshape=rows)
        compiled = compile_with_plan(core, str(artifact_dir / manifest.model), plan)
    # The class of the artifact's task: encode() for text, transcribe() for speech, generate()...
    return model_class(manifest)(artifact_dir, manifest, compiled, plan, time.perf_counter() - started)


def main(artifact_dir: Path, argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=f"ovbuild artifact at {artifact_dir}")
    parser.add_argument("--bench", action="store_true", help="measure latency and throughput")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--device", default=None)
    args = parser.parse_args(argv)
    model = load_artifact(artifact_dir, args.device)
    if args.bench:
        from .timing import describe

        stats = model.bench(args.seconds)
        print(f"{model.manifest.name} ({artifact_dir.name}) on {model.device}")
        print(f"  timed     {describe(stats['what'])}")
        print(
            f"  latency   {stats['median_ms']:.3f} ms median, {stats['low_ms']:.3f}-{stats['high_ms']:.3f} "
            f"95% CI over {stats['rounds']} rounds ({stats['calls']} calls), p90 {stats['p90_ms']:.3f} ms"
        )
        print(f"  load      {stats['load_ms']:.1f} ms")
        m = stats["machine"]
        print(f"  machine   {m['cpu']}, {m['cores']} cores, affinity {m['affinity']}, load {m['load_avg']}")
        return 0
    outputs = model(model.example_inputs())
    for name, value in outputs.items():
        print(f"{name}: shape {list(value.shape)} dtype {value.dtype}")
    return 0
