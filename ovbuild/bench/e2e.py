"""``ovbuild bench ARTIFACT --data FILE|DIR``: the user's job end to end, against what they would
otherwise run (sentence-transformers on PyTorch and on its OpenVINO backend, or PyTorch)."""

from __future__ import annotations

import json as _json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ovbuild.bench.data import (
    Runner,
    machine,
    make_batches,
    measure_interleaved,
    read_data,
    timed_batches,
)
from ovbuild.config.sections import source_of
from ovbuild.errors import ArtifactError, OvbuildError
from ovbuild.runtime.manifest import Manifest

ARTIFACT = "ovbuild"
ST_TORCH = "sentence-transformers (PyTorch)"
ST_OPENVINO = "sentence-transformers (OpenVINO)"
TORCH = "PyTorch (transformers)"


def _first_output(outputs: dict[str, np.ndarray]) -> np.ndarray:
    """The output to compare: ``sentence_embedding``, else the first one with one row per item."""
    if "sentence_embedding" in outputs:
        return outputs["sentence_embedding"]
    return next((v for v in outputs.values() if np.ndim(v) == 2), next(iter(outputs.values())))


def _per_item(out: np.ndarray) -> np.ndarray | None:
    """Per-token outputs (``[batch, tokens, hidden]``, padded to each batch's longest sentence) do
    not line up across batches: they are timed but not compared (no nn-agreement)."""
    return out if np.ndim(out) <= 2 else None


def artifact_runner(model: Any, kind: str) -> Runner:
    """The generated loader, called as a user would: strings, audio files or image files."""
    if kind == "text":
        return timed_batches(lambda batch: _per_item(_first_output(model(batch))))

    def files(batch: list[Any]) -> np.ndarray | None:
        results = model.infer_batch([str(p) for p in batch])
        firsts = [np.asarray(_first_output(r)) for r in results]
        same = all(f.shape == firsts[0].shape for f in firsts)
        return np.stack(firsts) if same else None

    return timed_batches(files)


def is_sentence_transformer(model_dir: Path) -> bool:
    marks = ("modules.json", "config_sentence_transformers.json")
    return any((model_dir / mark).is_file() for mark in marks)


def sentence_transformers_runner(model_dir: Path, backend: str, threads: int) -> Runner:
    """``SentenceTransformer(dir, backend=...)``; each batch is one ``encode`` call (its own padding)."""
    from sentence_transformers import SentenceTransformer

    kwargs: dict[str, Any] = {}
    if backend == "openvino":
        kwargs["model_kwargs"] = {"ov_config": {"INFERENCE_NUM_THREADS": threads}}
    model = SentenceTransformer(str(model_dir), device="cpu", backend=backend, **kwargs)

    def run(batch: list[str]) -> np.ndarray:
        return model.encode(
            batch,
            batch_size=len(batch),
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )

    return timed_batches(run)


def torch_runner(model_dir: Path) -> Runner:
    """transformers ``AutoModel`` in PyTorch eager FP32, tokenized per batch to its longest item;
    its output is the mean-pooled last hidden state (comparable only for embedding models)."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    model = AutoModel.from_pretrained(str(model_dir)).float().eval()

    def run(batch: list[str]) -> np.ndarray:
        enc = tokenizer(batch, padding=True, truncation=True, return_tensors="pt")
        with torch.inference_mode():
            hidden = model(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        return ((hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)).numpy()

    return timed_batches(run)


def _baselines(manifest: Manifest, kind: str, threads: int) -> dict[str, Callable[[], Runner]]:
    source = manifest.source
    hf_kind = source_of(source)
    hf_dir = hf_kind.huggingface_dir(source) if hf_kind is not None else None
    path = Path(str(hf_dir or ""))
    if kind != "text" or not hf_dir or not path.is_dir():
        return {}
    if is_sentence_transformer(path):
        return {
            ST_TORCH: lambda: sentence_transformers_runner(path, "torch", threads),
            ST_OPENVINO: lambda: sentence_transformers_runner(path, "openvino", threads),
        }
    return {TORCH: lambda: torch_runner(path)}


def _nn_agreement(outputs: dict[str, np.ndarray | None]) -> tuple[str | None, dict[str, float]]:
    from ovbuild.metrics import nn_agreement

    reference = next((n for n in (ST_TORCH, TORCH) if outputs.get(n) is not None), None)
    if reference is None or len(outputs[reference]) < 3:
        return None, {}
    ref = outputs[reference]
    agreement = {}
    for name, out in outputs.items():
        if out is not None and out.ndim == 2 and out.shape == ref.shape:
            agreement[name] = nn_agreement(ref, out)
    return reference, agreement


def bench_data(
    artifact_dir: str | Path,
    data: str | Path,
    *,
    batch_size: int = 1,
    rounds: int = 5,
    compare: bool = False,
    threads: int = 2,
    limit: int | None = None,
    json: bool = False,
    print_fn: Callable[[str], None] | None = print,
) -> dict[str, Any]:
    """Run the artifact (and with ``compare`` its baselines) on real inputs; print a table or JSON.

    Raises:
        ArtifactError: not an artifact. OvbuildError: unusable ``data`` or ``batch_size``.
    """
    from ovbuild.runtime import import_loader

    root = Path(artifact_dir)
    if not (root / "manifest.json").is_file():
        raise ArtifactError(f"{root}: no manifest.json (not an artifact?)")
    kind, items = read_data(data)
    items = items[:limit] if limit else items
    model = import_loader(root).load(INFERENCE_NUM_THREADS=threads)
    fe_kind = model.manifest.frontend_kind
    if fe_kind != kind:
        takes = fe_kind or "tensors"
        raise OvbuildError(f"--data: {data} holds {kind} items, but this artifact takes {takes}")
    runners: dict[str, Runner] = {ARTIFACT: artifact_runner(model, kind)}
    errors: dict[str, str] = {}
    if compare:
        _torch_threads(threads)
        for name, make in _baselines(model.manifest, kind, threads).items():
            try:
                runners[name] = make()
            except Exception as exc:
                errors[name] = f"{type(exc).__name__}: {exc}"
    batches = make_batches(kind, items, batch_size)
    stats, outputs, failed = measure_interleaved(runners, items, batches, rounds=rounds)
    errors.update(failed)
    reference, agreement = _nn_agreement(outputs)
    report = {
        "artifact": str(root),
        "data": str(data),
        "kind": kind,
        "machine": machine(),
        "results": stats,
        "nn_agreement": agreement,
        "reference": reference,
        "errors": errors,
    }
    if print_fn is not None:
        print_fn(_json.dumps(report, indent=2, default=str) if json else format_data_table(report))
    return report


def _torch_threads(threads: int) -> None:
    try:
        import torch

        torch.set_num_threads(threads)
    except ImportError:
        pass


def format_data_table(report: dict) -> str:
    m = report["machine"]
    lines = [
        f"ovbuild bench {report['artifact']} --data {report['data']}  ({report['kind']})",
        f"machine: {m['cpu']}, {m['cores']} cores, load average {m['load_avg']}",
        f"{'variant':<34}{'items/s':>9}{'IQR':>7}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'nn-agree':>10}",
    ]
    base = report["results"].get(ARTIFACT)
    for name, res in report["results"].items():
        agree = report["nn_agreement"].get(name)
        lines.append(
            f"{name:<34}{res['items_per_s']:>9.1f}{res['items_per_s_iqr']:>7.1f}{res['latency_p50_ms']:>9.2f}"
            f"{res['latency_p90_ms']:>9.2f}{res['latency_p99_ms']:>9.2f}"
            + (f"{agree:>10.3f}" if agree is not None else f"{'':>10}")
            + (
                f"  artifact: {base['items_per_s'] / res['items_per_s']:.2f}x items/s"
                if base and name != ARTIFACT
                else ""
            )
        )
    for name, err in report["errors"].items():
        lines.append(f"{name:<34}skipped: {err}")
    if report.get("reference"):
        lines.append(f"nn-agreement: nearest neighbour among all items, against {report['reference']}")
    return "\n".join(lines)
