"""What an artifact is compared with: OpenVINO FP32, PyTorch eager, optimum-intel's default export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ovbuild.bench._inputs import _specs_of, _vocab_size, make_inputs
from ovbuild.bench._measure import _batch_of, bench_callable, bench_compiled
from ovbuild.config.sections import source_of


def _ov_pair(
    core: Any, model: Any, device: str, props: dict, inputs: dict, seconds: float, label: str
) -> dict:
    """Latency (LATENCY hint) and throughput (THROUGHPUT hint) of one ``ov.Model``."""
    out = {}
    for mode, hint in (("latency", "LATENCY"), ("throughput", "THROUGHPUT")):
        compiled = core.compile_model(model, device, {**props, "PERFORMANCE_HINT": hint})
        out[mode] = bench_compiled(compiled, inputs, seconds=seconds, mode=mode, desc=f"{label} {mode}")
    return out


_OPTIMUM_CLASSES = {
    "feature-extraction": "OVModelForFeatureExtraction",
    "sentence-similarity": "OVModelForFeatureExtraction",
    "text-classification": "OVModelForSequenceClassification",
    "token-classification": "OVModelForTokenClassification",
    "fill-mask": "OVModelForMaskedLM",
    "question-answering": "OVModelForQuestionAnswering",
    "image-classification": "OVModelForImageClassification",
    "audio-classification": "OVModelForAudioClassification",
}


def bench_torch_eager(source: dict, inputs: dict, *, seconds: float = 5.0, threads: int = 2) -> dict:
    """Latency/throughput of the FP32 source in PyTorch eager on ``threads`` threads (one request)."""
    import inspect

    import torch

    kind = source_of(source)
    if kind is None or not kind.torch_baseline:
        raise ValueError(f"no PyTorch source to run for source.kind={source.get('kind')!r}")
    model = kind.torch_module(source)
    accepted = set(inspect.signature(model.forward).parameters)
    tensors = {k: torch.from_numpy(v) for k, v in inputs.items()}
    # A HuggingFace model takes its inputs by name (its forward has more optional ones).
    if kind.huggingface_dir(source) or accepted >= set(tensors):
        kwargs = {k: v for k, v in tensors.items() if k in accepted}

        def run() -> Any:
            return model(**kwargs)
    else:
        args = list(tensors.values())

        def run() -> Any:
            return model(*args)

    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        with torch.inference_mode():
            lat = bench_callable(run, seconds=seconds, batch=_batch_of(inputs), desc="pytorch eager")
    finally:
        torch.set_num_threads(previous)
    # One eager request at a time is PyTorch's throughput too (2 threads already busy).
    return {"latency": lat, "throughput": dict(lat, mode="throughput")}


def bench_optimum_default(source: dict, shapes: dict[str, list[int]], *, seconds: float = 5.0) -> dict:
    """optimum-intel's default export (``OVModelFor*.from_pretrained(dir, export=True)``) and config."""
    import tempfile

    import openvino as ov
    import optimum.intel as oi

    cls = getattr(
        oi,
        _OPTIMUM_CLASSES.get(str(source.get("task") or "feature-extraction"), "OVModelForFeatureExtraction"),
    )
    with tempfile.TemporaryDirectory(prefix="ovbuild-optimum-") as tmp:
        ovm = cls.from_pretrained(str(source["path"]), export=True, compile=False)
        ovm.save_pretrained(tmp)
        core = ov.Core()
        model = core.read_model(Path(tmp) / "openvino_model.xml")
        props = {k: v for k, v in (ovm.ov_config or {}).items() if k not in ("PERFORMANCE_HINT", "CACHE_DIR")}
        inputs = make_inputs(_specs_of(model, shapes), vocab_size=_vocab_size({"source": source}))
        return _ov_pair(core, model, "CPU", props, inputs, seconds, "optimum default")
