"""``ovbuild bench ARTIFACT``: the artifact and its baselines, a table of ratios, JSON, --write."""

from __future__ import annotations

import json as _json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ovbuild.bench._baselines import bench_optimum_default, bench_torch_eager
from ovbuild.bench._inputs import (
    _specs_of,
    _token_inputs,
    _vocab_size,
    make_inputs,
    register_tokenizer_ops,
    stated_inputs,
)
from ovbuild.bench._measure import bench_compiled
from ovbuild.bench._speech import bench_speech, is_speech
from ovbuild.bench._table import format_table, ratios
from ovbuild.config.sections import source_of
from ovbuild.errors import ArtifactError
from ovbuild.runtime.integrity import ArtifactIntegrityError
from ovbuild.runtime.manifest import Manifest


def _load_manifest(artifact_dir: Path) -> tuple[Manifest, Path]:
    """``(manifest, model.xml path)`` of an artifact; ``ArtifactError`` when either is missing."""
    if not (artifact_dir / "manifest.json").is_file():
        raise ArtifactError(f"{artifact_dir}: no manifest.json (not an artifact?)")
    try:
        manifest = Manifest.read(artifact_dir)
    except ArtifactIntegrityError as exc:
        raise ArtifactError(str(exc)) from exc
    xml = artifact_dir / manifest.model
    if not xml.exists():
        raise ArtifactError(f"{artifact_dir}: no {xml.name}")
    return manifest, xml


def _write_bench(root: Path, manifest: Manifest, report: dict) -> None:
    """Record a summary under ``metrics.bench`` (atomically; the manifest is not among its own digests)."""
    import dataclasses
    import datetime
    import os

    def brief(res: dict | None) -> dict | None:
        if res is None:  # speech artifacts are measured per transcript, without a throughput run
            return None
        keys = ("median_ms", "low_ms", "high_ms", "rounds", "p90_ms", "p99_ms", "throughput", "requests")
        return {k: round(res[k], 4) if isinstance(res[k], float) else res[k] for k in keys if k in res}

    art = report["results"]["artifact"]
    summary = {
        "device": report["device"],
        "timed": report.get("timed"),
        "machine": report.get("machine"),
        "measured": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        # the artifact's own numbers at the top, where `ovbuild show` and sweep reports look
        "latency": brief(art["latency"]),
        "throughput": brief(art.get("throughput")),
        "results": {
            name: {"latency": brief(res["latency"]), "throughput": brief(res.get("throughput"))}
            for name, res in report["results"].items()
        },
        "ratios": report["ratios"],
    }
    manifest = dataclasses.replace(manifest, metrics={**manifest.metrics, "bench": summary})
    path = root / "manifest.json"
    tmp = path.with_name(f".manifest.json.{os.getpid()}.tmp")
    tmp.write_text(manifest.to_json(default=str))
    os.replace(tmp, path)


def bench_artifact(
    artifact_dir: str | Path,
    compare: bool = False,
    json: bool = False,
    *,
    seconds: float = 5.0,
    rounds: int | None = None,
    reference_ir: str | Path | None = None,
    write: bool = False,
    print_fn: Callable[[str], None] | None = print,
) -> dict[str, Any]:
    """Benchmark an artifact (and, with ``compare``, its baselines); print a table or JSON.

    Args:
        artifact_dir: an artifact version directory (``model.xml`` + ``manifest.json``).
        compare: also run (a) the FP32 reference IR at ``INFERENCE_PRECISION_HINT=f32`` (the manifest's
            ``reference_ir``, else the artifact's own IR at f32), (b) PyTorch eager FP32 on 2 threads for
            ``hf``/``pytorch`` sources, (c) optimum-intel's default ``OVModelFor*`` export for ``hf``.
            Text artifacts with an in-graph tokenizer get strings; (b) and (c) get the same text tokenized.
        json: print JSON instead of a table.
        seconds: measuring time per variant, spread over the rounds.
        rounds: interleaved latency rounds (default :data:`ovbuild.runtime.timing.ROUNDS`).
        reference_ir: overrides the manifest's ``reference_ir``.
        write: record a summary in the manifest under ``metrics.bench``.
        print_fn: where the table/JSON goes; ``None`` prints nothing.

    Returns:
        ``{"artifact", "device", "inputs", "results": {variant: {"latency", "throughput"}}, "ratios",
        "errors"}``; a baseline that cannot run is recorded in ``errors``, not raised.

    Raises:
        ArtifactError: the directory is not a readable artifact.
    """
    import openvino as ov

    from ovbuild.runtime.devices import available_devices, plan_devices

    root = Path(artifact_dir)
    manifest, xml = _load_manifest(root)
    recipe = manifest.recipe
    if is_speech(manifest):
        report = {"artifact": str(root), **bench_speech(root, manifest, compare, seconds, rounds)}
        return _finish(report, root, manifest, json, write, print_fn)
    register_tokenizer_ops(manifest, root)
    plan = plan_devices(recipe.get("device") or {"priorities": ["CPU"]}, available_devices())
    props = {k: v for k, v in plan.properties.items() if k != "PERFORMANCE_HINT"}
    core = ov.Core()
    model = core.read_model(xml)
    from ovbuild.bench.timed import artifact_runner

    inputs = stated_inputs(manifest, model)
    run, what, _ = artifact_runner(root)  # the model stays alive in ``run``
    report = _empty_report(root, plan.device, inputs, what)
    runners: dict[str, Any] = {"artifact": (run, what)}
    if compare:
        _compare(report, core, root, xml, manifest, inputs, reference_ir, seconds, runners)
    _time_latencies(report, runners, seconds, rounds)
    throughput = core.compile_model(model, plan.device, {**props, "PERFORMANCE_HINT": "THROUGHPUT"})
    report["results"]["artifact"]["throughput"] = _throughput(throughput, inputs, seconds)
    return _finish(report, root, manifest, json, write, print_fn)


def _empty_report(root: Path, device: str, inputs: dict[str, Any], what: dict[str, Any]) -> dict[str, Any]:
    return {
        "artifact": str(root),
        "device": device,
        "inputs": {k: list(v.shape) for k, v in inputs.items()},
        "timed": what,
        "results": {"artifact": {}},
        "ratios": {},
        "errors": {},
    }


def _throughput(compiled: Any, inputs: dict[str, Any], seconds: float) -> dict[str, Any]:
    return bench_compiled(compiled, inputs, seconds=seconds, mode="throughput", desc="artifact throughput")


def _time_latencies(report: dict, runners: dict[str, tuple], seconds: float, rounds: int | None) -> None:
    """The artifact and the OpenVINO reference, timed together in interleaved rounds
    (:mod:`ovbuild.runtime.timing`), ``seconds`` each."""
    from ovbuild.bench._measure import timing_stats
    from ovbuild.runtime.timing import ROUNDS, interleaved, machine

    rounds = rounds or ROUNDS
    timed = interleaved(
        {k: r for k, (r, _) in runners.items()},
        rounds=rounds,
        seconds=max(seconds / rounds, 0.01),
        what={k: w for k, (_, w) in runners.items()},
    )
    report["machine"] = machine()
    for label, timing in timed.items():
        batch = int(next(iter(report["inputs"].values()), [1])[0] or 1)
        report["results"].setdefault(label, {})["latency"] = {
            **timing_stats(timing, batch),
            "mode": "latency",
            "requests": 1,
        }


def _finish(report: dict, root: Path, manifest: Manifest, json: bool, write: bool, print_fn: Any) -> dict:
    report["ratios"] = ratios(report["results"])
    if write:
        _write_bench(root, manifest, report)
    if print_fn is not None:
        print_fn(_json.dumps(report, indent=2, default=str) if json else format_table(report))
    return report


def _compare(
    report: dict,
    core: Any,
    root: Path,
    xml: Path,
    manifest: Manifest,
    inputs: dict,
    reference_ir: Any,
    seconds: float,
    runners: dict[str, tuple],
) -> None:
    """Run the baselines into ``report``; each failure is recorded under ``errors`` instead of raised.
    The OpenVINO reference's latency runner joins ``runners`` (timed with the artifact's)."""
    from ovbuild.runtime.timing import what_of

    recipe = manifest.recipe
    src = manifest.source
    kind = source_of(src)  # None for a kind this ovbuild does not know: no source baselines
    hf_dir = kind.huggingface_dir(src) if kind is not None else None
    try:
        tokens = _token_inputs(recipe, manifest.frontend or {}, inputs) if hf_dir else None
    except Exception as exc:
        tokens = None
        report["errors"]["tokenize"] = f"{type(exc).__name__}: {exc}"
    like = {k: list(v.shape) for k, v in (tokens or inputs).items()}
    if tokens:
        report["baseline_inputs"] = like
    ref = reference_ir or manifest.reference_ir
    ref_path = (Path(ref) if Path(ref).is_absolute() else root / ref) if ref else xml
    label = "openvino_fp32" if ref else "openvino_f32_same_ir"
    try:
        ref_model = core.read_model(ref_path)
        ref_specs = _specs_of(ref_model, like)
        ref_inputs = make_inputs(ref_specs, vocab_size=_vocab_size(recipe))
        for name in ref_inputs:  # the very same data as the artifact where names match
            given = (tokens or {}).get(name, inputs.get(name))
            if given is not None and given.dtype.kind == ref_inputs[name].dtype.kind:
                ref_inputs[name] = given
        f32 = {"INFERENCE_PRECISION_HINT": "f32"}
        latency = core.compile_model(ref_model, "CPU", {**f32, "PERFORMANCE_HINT": "LATENCY"})
        request = latency.create_infer_request()
        runners[label] = (lambda: request.infer(ref_inputs), what_of(ref_inputs, latency, device="CPU"))
        throughput = core.compile_model(ref_model, "CPU", {**f32, "PERFORMANCE_HINT": "THROUGHPUT"})
        report["results"][label] = {
            "throughput": bench_compiled(
                throughput, ref_inputs, seconds=seconds, mode="throughput", desc=label
            )
        }
    except Exception as exc:  # a baseline failing must not hide the artifact's numbers
        report["errors"][label] = f"{type(exc).__name__}: {exc}"
    if kind is not None and kind.torch_baseline:
        try:
            report["results"]["pytorch_eager"] = bench_torch_eager(src, tokens or inputs, seconds=seconds)
        except Exception as exc:
            report["errors"]["pytorch_eager"] = f"{type(exc).__name__}: {exc}"
    if hf_dir:
        try:
            report["results"]["optimum_default"] = bench_optimum_default(src, like, seconds=seconds)
        except Exception as exc:
            report["errors"]["optimum_default"] = f"{type(exc).__name__}: {exc}"
