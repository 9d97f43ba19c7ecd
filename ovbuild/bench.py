"""``ovbuild bench``: latency and throughput of an artifact, side by side with what it replaces.

:func:`bench_compiled` measures one compiled OpenVINO model the way ``benchmark_app`` does (input
tensors set once; synchronous requests for latency; an ``AsyncInferQueue`` of the optimal number of
requests for throughput). :func:`bench_artifact` runs it on an artifact and, with ``compare``, on the
FP32 reference at ``INFERENCE_PRECISION_HINT=f32``, the PyTorch eager source (2 threads) and
optimum-intel's default export, then prints a table of ratios.
:func:`compare_with_benchmark_app` runs OpenVINO's own ``benchmark_app`` on an IR for a cross-check.
"""

from __future__ import annotations

import json as _json
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ovbuild.errors import ArtifactError

MODES = ("latency", "throughput")


def _stats(latencies_ms: list[float], count: int, elapsed_s: float, batch: int) -> dict[str, Any]:
    lat = sorted(latencies_ms)

    def pct(q: float) -> float:
        return lat[min(len(lat) - 1, max(0, round(q * (len(lat) - 1))))]

    per_s = count / elapsed_s if elapsed_s > 0 else 0.0
    return {
        "count": count,
        "seconds": round(elapsed_s, 4),
        "median_ms": statistics.median(lat),
        "mean_ms": statistics.fmean(lat),
        "p90_ms": pct(0.90),
        "p99_ms": pct(0.99),
        "min_ms": lat[0],
        "throughput": per_s,  # inferences per second
        "items_per_s": per_s * batch,
        "batch": batch,
    }


_BAR = "{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining}"


class _Progress:
    """A time-driven tqdm bar, updated at most every 0.1 s so it costs nothing per inference."""

    def __init__(self, seconds: float, desc: str, enabled: bool) -> None:
        self.bar = None
        self.ticks = max(1, round(seconds * 10))  # integer tenths of a second: no float drift
        if enabled:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=self.ticks, desc=desc, bar_format=_BAR, leave=False, file=sys.stderr)
        self.shown = 0

    def update(self, elapsed: float) -> None:
        if self.bar is not None:
            tick = min(self.ticks, int(elapsed * 10))
            if tick > self.shown:
                self.bar.update(tick - self.shown)
                self.shown = tick

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _batch_of(inputs: dict) -> int:
    for arr in inputs.values():
        shape = getattr(arr, "shape", ())
        if len(shape) > 0:
            return int(shape[0])
    return 1


def bench_compiled(
    compiled: Any,
    inputs: dict,
    *,
    seconds: float = 5.0,
    warmup: int = 10,
    mode: str = "latency",
    progress: bool = True,
    desc: str | None = None,
) -> dict[str, Any]:
    """Measure a compiled OpenVINO model.

    Args:
        compiled: an ``openvino.CompiledModel``.
        inputs: NumPy arrays by input name (set once, as ``benchmark_app`` does).
        seconds: measuring time after warm-up.
        warmup: inferences before measuring.
        mode: ``"latency"`` (one synchronous request) or ``"throughput"`` (an ``AsyncInferQueue`` with
            one request per ``OPTIMAL_NUMBER_OF_INFER_REQUESTS``).

    Returns:
        ``count, seconds, median_ms, mean_ms, p90_ms, p99_ms, min_ms, throughput`` (inferences/s),
        ``items_per_s``, ``batch``, ``mode``, ``requests``.

    >>> r = bench_compiled(compiled, {"x": x}, seconds=0.5)  # doctest: +SKIP
    """
    import openvino as ov

    if mode not in MODES:
        raise ValueError(f"bench mode {mode!r} is not one of {', '.join(MODES)}")
    tensors = {name: ov.Tensor(arr) for name, arr in inputs.items()}
    bar = _Progress(seconds, desc or f"bench {mode}", progress)
    latencies: list[float] = []
    try:
        if mode == "latency":
            requests = 1
            req = compiled.create_infer_request()
            for name, t in tensors.items():
                req.set_tensor(name, t)
            for _ in range(warmup):
                req.infer()
            clock = time.perf_counter
            start = clock()
            end = start + seconds
            now = start
            while now < end:
                t0 = clock()
                req.infer()
                now = clock()
                latencies.append((now - t0) * 1e3)
                bar.update(now - start)
            elapsed = now - start
        else:
            requests = int(compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS"))
            queue = ov.AsyncInferQueue(compiled, requests)
            for i in range(requests):
                for name, t in tensors.items():
                    queue[i].set_tensor(name, t)
            queue.set_callback(lambda request, _userdata: latencies.append(request.latency))
            for _ in range(max(warmup, requests)):
                queue.start_async()
            queue.wait_all()
            latencies.clear()
            start = time.perf_counter()
            end = start + seconds
            now = start
            while now < end:
                queue.start_async()
                now = time.perf_counter()
                bar.update(now - start)
            queue.wait_all()
            elapsed = time.perf_counter() - start
    finally:
        bar.close()
    if not latencies:
        raise RuntimeError("bench: no inference finished; raise `seconds`")
    out = _stats(latencies, len(latencies), elapsed, _batch_of(inputs))
    out.update(mode=mode, requests=requests)
    return out


def bench_callable(
    fn: Callable[[], Any],
    *,
    seconds: float = 5.0,
    warmup: int = 5,
    batch: int = 1,
    progress: bool = True,
    desc: str = "bench",
) -> dict[str, Any]:
    """Latency of any zero-argument callable (PyTorch eager, a loader's ``__call__``), same statistics."""
    for _ in range(warmup):
        fn()
    bar = _Progress(seconds, desc, progress)
    latencies: list[float] = []
    clock = time.perf_counter
    start = now = clock()
    try:
        while now < start + seconds:
            t0 = clock()
            fn()
            now = clock()
            latencies.append((now - t0) * 1e3)
            bar.update(now - start)
    finally:
        bar.close()
    out = _stats(latencies, len(latencies), now - start, batch)
    out.update(mode="latency", requests=1)
    return out


# ---- benchmark_app ---------------------------------------------------------------------------------

_BA_VALUE = re.compile(r"^\s*\[\s*INFO\s*\]\s*(Median|Average|Min|Max):\s*([\d.]+)\s*(ms|us|s)\b", re.M)
_BA_TP = re.compile(r"Throughput:\s*([\d.]+)\s*FPS")
_BA_COUNT = re.compile(r"Count:\s*(\d+)\s*iterations")
_UNIT = {"ms": 1.0, "us": 1e-3, "s": 1e3}


def parse_benchmark_app(text: str) -> dict[str, Any]:
    """Median/average/min/max latency (ms), throughput (FPS) and count from ``benchmark_app`` output."""
    out: dict[str, Any] = {}
    for key, value, unit in _BA_VALUE.findall(text):
        out[f"{key.lower()}_ms"] = float(value) * _UNIT[unit]
    if m := _BA_TP.search(text):
        out["throughput"] = float(m.group(1))
    if m := _BA_COUNT.search(text):
        out["count"] = int(m.group(1))
    if "median_ms" not in out or "throughput" not in out:
        tail = "\n".join(text.strip().splitlines()[-5:])
        raise RuntimeError(f"could not parse benchmark_app output:\n{tail}")
    return out


def compare_with_benchmark_app(
    xml: str | Path,
    hint: str = "latency",
    *,
    seconds: int = 10,
    device: str = "CPU",
    shape: dict[str, list[int]] | None = None,
    infer_precision: str | None = None,
) -> dict[str, Any]:
    """Run OpenVINO's ``benchmark_app`` on ``xml`` and parse its median latency and throughput.

    Args:
        hint: ``latency`` / ``throughput`` (benchmark_app's ``-hint``).
        shape: static shapes by input name (``-shape``), needed for dynamic IRs.
        infer_precision: e.g. ``f32`` (``-infer_precision``).
    """
    exe = Path(sys.executable).with_name("benchmark_app")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "openvino.tools.benchmark.main"]
    cmd += ["-m", str(xml), "-d", device, "-hint", hint.lower(), "-t", str(int(seconds))]
    if shape:
        cmd += ["-shape", ",".join(f"{k}[{','.join(str(d) for d in v)}]" for k, v in shape.items())]
    if infer_precision:
        cmd += ["-infer_precision", infer_precision]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds * 4 + 120)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark_app failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
    out = parse_benchmark_app(proc.stdout)
    out.update(hint=hint.lower(), command=" ".join(cmd))
    return out


# ---- artifacts ---------------------------------------------------------------------------------------


def _load_manifest(artifact_dir: Path) -> dict:
    path = artifact_dir / "manifest.json"
    try:
        return _json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise ArtifactError(f"{artifact_dir}: no manifest.json (not an artifact?)") from exc
    except ValueError as exc:
        raise ArtifactError(f"{path}: not valid JSON: {exc}") from exc


def _concrete(shape: Any, fallback: list[int] | None = None) -> list[int]:
    dims = []
    for i, d in enumerate(shape or []):
        if isinstance(d, int) and d > 0:
            dims.append(d)
        elif fallback is not None and i < len(fallback):
            dims.append(fallback[i])
        else:
            dims.append(1)
    return dims


def make_inputs(specs: list[dict], *, vocab_size: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Benchmark inputs from ``[{name, shape, type}]``: token ids within the vocabulary for integer
    inputs (ones for ``*mask*``, zeros for ``*type_ids``), standard normal for floats."""
    import numpy as np

    rng = np.random.default_rng(seed)
    out = {}
    for spec in specs:
        name, shape = spec["name"], _concrete(spec.get("shape"))
        kind = str(spec.get("type", "f32")).lower()
        if kind in ("string", "str"):
            arr = np.full(shape, "a short sentence to embed for benchmarking")
        elif "int" in kind or kind in ("i64", "i32"):
            dtype = np.int32 if "32" in kind else np.int64
            if "mask" in name:
                arr = np.ones(shape, dtype)
            elif "type_ids" in name or "position" in name:
                arr = np.zeros(shape, dtype)
            else:
                arr = rng.integers(0, vocab_size, size=shape).astype(dtype)
        else:
            dtype = np.float16 if "16" in kind else np.float32
            arr = rng.standard_normal(shape).astype(dtype)
        out[name] = arr
    return out


def _specs_of(model: Any, like: dict[str, list[int]]) -> list[dict]:
    """Input specs for an ``ov.Model``: dynamic dims filled from same-named (or first) known shapes."""
    first = next(iter(like.values()), None)
    specs = []
    for port in model.inputs:
        name = port.get_any_name()
        pshape = port.get_partial_shape()
        dims = [d.get_length() if d.is_static else -1 for d in pshape]
        ref = like.get(name) or (first if first is not None and len(first) == len(dims) else None)
        specs.append(
            {"name": name, "shape": _concrete(dims, ref), "type": port.get_element_type().get_type_name()}
        )
    return specs


def _vocab_size(recipe: dict) -> int:
    src = (recipe or {}).get("source") or {}
    cfg = Path(str(src.get("path") or "")) / "config.json"
    try:
        return int(_json.loads(cfg.read_text()).get("vocab_size", 1000))
    except (OSError, ValueError, TypeError):
        return 1000


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


def _load_factory(spec: str) -> Callable[..., Any]:
    import importlib

    module, _, func = spec.partition(":")
    return getattr(importlib.import_module(module), func)


def bench_torch_eager(source: dict, inputs: dict, *, seconds: float = 5.0, threads: int = 2) -> dict:
    """Latency/throughput of the FP32 source in PyTorch eager on ``threads`` threads (one request)."""
    import inspect

    import torch

    kind = str(source.get("kind"))
    if kind == "hf":
        from transformers import AutoModel

        model = AutoModel.from_pretrained(str(source["path"])).float()
    elif kind == "pytorch" and source.get("factory"):
        model = _load_factory(str(source["factory"]))(**(source.get("args") or {}))
    else:
        raise ValueError(f"no PyTorch source to run for source.kind={kind!r}")
    model.eval()
    accepted = set(inspect.signature(model.forward).parameters)
    tensors = {k: torch.from_numpy(v) for k, v in inputs.items()}
    if kind == "hf" or accepted >= set(tensors):
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


def format_table(report: dict) -> str:
    """A fixed-width table of the results with ratios against the artifact."""
    head = f"{'variant':<22}{'median ms':>10}{'p90 ms':>9}{'p99 ms':>9}{'inf/s (tput)':>14}  the artifact has"
    lines = [
        f"ovbuild bench {report['artifact']}  device={report['device']}  inputs={report['inputs']}",
        head,
    ]
    lines.append("-" * len(head))
    for name, res in report["results"].items():
        lat, tp = res["latency"], res.get("throughput") or {}
        ratio = report["ratios"].get(name)
        note = ""
        if ratio:
            note = f"{ratio['latency_speedup']:.2f}x lower latency"
            if "throughput_ratio" in ratio:
                note += f", {ratio['throughput_ratio']:.2f}x the throughput"
        lines.append(
            f"{name:<22}{lat['median_ms']:>10.2f}{lat['p90_ms']:>9.2f}{lat['p99_ms']:>9.2f}"
            f"{tp.get('throughput', float('nan')):>14.1f}  {note}"
        )
    for name, err in report["errors"].items():
        lines.append(f"{name:<22}skipped: {err}")
    return "\n".join(lines)


def _token_inputs(recipe: dict, frontend: dict, inputs: dict) -> dict[str, Any] | None:
    """Token ids for the baselines that cannot take strings, tokenized as the artifact's front-end does."""
    texts = [v for v in inputs.values() if getattr(v, "dtype", None) is not None and v.dtype.kind in "UO"]
    if not texts:
        return None
    from transformers import AutoTokenizer

    src = recipe.get("source") or {}
    tokenizer = AutoTokenizer.from_pretrained(str(frontend.get("tokenizer") or src.get("path")))
    padding = frontend.get("padding") or "max_length"
    enc = tokenizer(
        [str(t) for t in texts[0].reshape(-1)],
        padding=padding,
        max_length=int(frontend.get("max_length") or 128),
        truncation=True,
        return_tensors="np",
    )
    return {k: v.astype("int64") for k, v in enc.items()}


def _ratios(results: dict[str, Any]) -> dict[str, Any]:
    base = results["artifact"]
    out = {}
    for name, res in results.items():
        if name == "artifact":
            continue
        ratio = {"latency_speedup": res["latency"]["median_ms"] / base["latency"]["median_ms"]}
        if res.get("throughput"):
            ratio["throughput_ratio"] = base["throughput"]["throughput"] / res["throughput"]["throughput"]
        out[name] = ratio
    return out


def _write_bench(root: Path, manifest: dict, report: dict) -> None:
    """Record a summary under ``metrics.bench`` (atomically; the manifest is not among its own digests)."""
    import datetime
    import os

    summary = {
        "device": report["device"],
        "measured": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "results": {
            name: {
                "median_ms": round(res["latency"]["median_ms"], 4),
                "p90_ms": round(res["latency"]["p90_ms"], 4),
                "p99_ms": round(res["latency"]["p99_ms"], 4),
                "throughput": round(res["throughput"]["throughput"], 2),
            }
            for name, res in report["results"].items()
        },
        "ratios": report["ratios"],
    }
    manifest.setdefault("metrics", {})["bench"] = summary
    path = root / "manifest.json"
    tmp = path.with_name(f".manifest.json.{os.getpid()}.tmp")
    tmp.write_text(_json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n")
    os.replace(tmp, path)


def bench_artifact(
    artifact_dir: str | Path,
    compare: bool = False,
    json: bool = False,
    *,
    seconds: float = 5.0,
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
    manifest = _load_manifest(root)
    xml = root / manifest.get("model", "model.xml")
    if not xml.exists():
        raise ArtifactError(f"{root}: no {xml.name}")
    recipe = manifest.get("recipe") or {}
    frontend = manifest.get("frontend") or {}
    if frontend.get("kind") == "text":
        try:
            import openvino_tokenizers  # noqa: F401  (registers the in-graph tokenizer's ops)
        except ImportError:
            pass
    plan = plan_devices(recipe.get("device") or {"priorities": ["CPU"]}, available_devices())
    props = {k: v for k, v in plan["properties"].items() if k != "PERFORMANCE_HINT"}
    core = ov.Core()
    model = core.read_model(xml)
    recorded = {s["name"]: _concrete(s.get("shape")) for s in manifest.get("inputs") or []}
    vocab = _vocab_size(recipe)
    inputs = make_inputs(manifest.get("inputs") or _specs_of(model, recorded), vocab_size=vocab)
    report: dict[str, Any] = {
        "artifact": str(root),
        "device": plan["device"],
        "inputs": {k: list(v.shape) for k, v in inputs.items()},
        "results": {},
        "ratios": {},
        "errors": {},
    }
    report["results"]["artifact"] = _ov_pair(core, model, plan["device"], props, inputs, seconds, "artifact")
    if compare:
        _compare(report, core, root, xml, manifest, inputs, reference_ir, seconds)
    report["ratios"] = _ratios(report["results"])
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
    manifest: dict,
    inputs: dict,
    reference_ir: Any,
    seconds: float,
) -> None:
    """Run the baselines into ``report``; each failure is recorded under ``errors`` instead of raised."""
    recipe = manifest.get("recipe") or {}
    src = recipe.get("source") or {}
    kind = str(src.get("kind", ""))
    try:
        tokens = _token_inputs(recipe, manifest.get("frontend") or {}, inputs) if kind == "hf" else None
    except Exception as exc:
        tokens = None
        report["errors"]["tokenize"] = f"{type(exc).__name__}: {exc}"
    like = {k: list(v.shape) for k, v in (tokens or inputs).items()}
    if tokens:
        report["baseline_inputs"] = like
    ref = reference_ir or manifest.get("reference_ir")
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
        report["results"][label] = _ov_pair(core, ref_model, "CPU", f32, ref_inputs, seconds, label)
    except Exception as exc:  # a baseline failing must not hide the artifact's numbers
        report["errors"][label] = f"{type(exc).__name__}: {exc}"
    if kind in ("hf", "pytorch"):
        try:
            report["results"]["pytorch_eager"] = bench_torch_eager(src, tokens or inputs, seconds=seconds)
        except Exception as exc:
            report["errors"]["pytorch_eager"] = f"{type(exc).__name__}: {exc}"
    if kind == "hf":
        try:
            report["results"]["optimum_default"] = bench_optimum_default(src, like, seconds=seconds)
        except Exception as exc:
            report["errors"]["optimum_default"] = f"{type(exc).__name__}: {exc}"
