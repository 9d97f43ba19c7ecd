"""Benchmark: the in-graph audio front-end vs librosa / transformers, side by side.

Batches of 1, 8 and 32 ten-second 16 kHz clips; medians over interleaved rounds (so a busy
machine slows both sides alike), each round timing ``--block`` back-to-back calls of each side
(the first call after the other side ran pays for waking the second vCPU); ms per clip, the
speed-up of the medians, the ratio of the best times (``best-of``), and the max deviation from
the reference.
The front-end is compiled for CPU at its default inference precision (BF16 on this machine): the
front-end nodes are pinned to f32, so this is the configuration an artifact runs in.

Three ways of running a batch are measured: ``whole`` (one request, the whole batch, as a static
shape, default LATENCY hint), and the loader's way for an embedded audio front-end: one waveform
row per request of the model compiled for batch 1, rows spread over the request pool, under the
LATENCY hint (``rows``, the default ``device: cpu``) or THROUGHPUT (``rows-tp``, two streams).
A whole batch of 32 ten-second clips makes intermediates of tens of MB that no cache holds.

librosa's NumPy runs with one OpenBLAS thread (``--blas-threads 1``): its speed is the same
with two (2.25 ms per clip either way here), but OpenBLAS's idle threads spin for a while after
each call and take the second core from the OpenVINO run interleaved after it.

    .venv/bin/python benchmarks/bench_audio_frontend.py [--repeats 9] [--block 3] [--batches 1,8,32]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

SR = 16000
SECONDS = 10
N_MELS = 40
N_MFCC = 20


def _clips(n: int) -> np.ndarray:
    """Deterministic speech-like clips: harmonic chirps with a syllable envelope plus noise."""
    rng = np.random.default_rng(0)
    t = np.arange(SR * SECONDS) / SR
    out = []
    for i in range(n):
        f0 = 110 + 40 * i / max(n, 1) + 30 * np.sin(2 * np.pi * 0.7 * t)
        phase = 2 * np.pi * np.cumsum(f0) / SR
        voiced = sum(np.sin(h * phase) / h for h in range(1, 12))
        env = 0.5 + 0.5 * np.sin(2 * np.pi * 3.1 * t + i)
        out.append(0.1 * env * voiced + 0.01 * rng.standard_normal(t.shape))
    return np.stack(out).astype(np.float32)


def _paired_median_ms(fn_a, fn_b, repeats: int, block: int = 1) -> tuple[float, float, float]:
    """Median wall times (ms) of ``fn_a`` and ``fn_b`` over ``repeats`` interleaved rounds (so both
    see the same machine load), each round timing ``block`` back-to-back calls of each, and the
    ratio of their best times (less sensitive to a busy machine)."""
    for _ in range(2 * block):  # warm-up: first calls, lazy imports and caches, thread pools
        fn_a(), fn_b()
    ta, tb = [], []
    for _ in range(repeats):
        for fn, times in ((fn_a, ta), (fn_b, tb)):
            for _ in range(block):
                t0 = time.perf_counter()
                fn()
                times.append(time.perf_counter() - t0)
    return float(np.median(ta)) * 1e3, float(np.median(tb)) * 1e3, min(tb) / min(ta)


def _torch_log_mel(xb: np.ndarray, mel_kw: dict) -> np.ndarray:
    """librosa's log-mel computed as torchaudio's ``MelSpectrogram`` + ``AmplitudeToDB`` do it
    (``torch.stft`` on the whole batch, PyTorch's threads): the other anchor a user would pick.
    torchaudio itself is not installed (PyPI's 2.11 would pull another torch than the pinned 2.13)."""
    import librosa
    import torch

    n_fft, hop = mel_kw["n_fft"], mel_kw["hop_length"]
    fb = torch.from_numpy(librosa.filters.mel(sr=mel_kw["sr"], n_fft=n_fft, n_mels=mel_kw["n_mels"]))
    with torch.inference_mode():
        spec = torch.stft(
            torch.from_numpy(np.ascontiguousarray(xb)),
            n_fft,
            hop,
            window=torch.hann_window(n_fft),
            center=True,
            pad_mode="constant",
            return_complex=True,
        )
        db = 10.0 * torch.log10(torch.clamp(fb @ (spec.real**2 + spec.imag**2), min=1e-10))
        db = torch.maximum(db, db.amax(dim=(-2, -1), keepdim=True) - 80.0)
        return db.numpy()


def _run_rows(requests: list, xb: np.ndarray, rows: int) -> np.ndarray:
    """Features of ``xb`` computed in sub-batches of ``rows`` clips, one per request in flight
    (as the loader's request pool runs them: one job synchronously, more pipelined over the
    requests; no Python callbacks in OpenVINO's threads)."""
    if len(xb) <= rows:  # one job: the loader's RequestPool.infer runs it synchronously
        return requests[0].infer([xb])[0].copy()
    parts, running = [], []
    for start in range(0, len(xb), rows):
        if len(running) == len(requests):
            req = running.pop(0)
            req.wait()
            parts.append(req.get_output_tensor(0).data.copy())
        req = requests[(start // rows) % len(requests)]
        req.start_async([xb[start : start + rows]])
        running.append(req)
    for req in running:
        req.wait()
        parts.append(req.get_output_tensor(0).data.copy())
    return np.concatenate(parts)


#: Row modes: the loader's way, one waveform row per request of a model compiled for batch 1, under
#: the recipe's performance hint (``device: cpu`` is LATENCY, ``device: cpu_throughput`` THROUGHPUT).
ROW_MODES = {"rows": "LATENCY", "rows-tp": "THROUGHPUT"}


def _row_pool(core, cfg: dict, props: dict, hint: str, args) -> list:
    """Infer requests of the front-end compiled as the loader compiles it (batch ``--rows``, or
    dynamic with ``--dynamic``), as many as the loader keeps in flight."""
    from ovbuild.frontends.audio_graph import build_audio_frontend

    model = build_audio_frontend(cfg, SR * SECONDS)
    if not args.dynamic:
        model.reshape({"waveform": [args.rows, SR * SECONDS]})
    compiled = core.compile_model(model, "CPU", {**props, "PERFORMANCE_HINT": hint})
    width = max(2, compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS"))
    return [compiled.create_infer_request() for _ in range(width)]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--batches", default="1,8,32")
    ap.add_argument("--threads", type=int, default=0, help="INFERENCE_NUM_THREADS for OpenVINO (0: default)")
    ap.add_argument(
        "--dynamic", action="store_true", help="keep the batch axis dynamic (default: static per batch size)"
    )
    ap.add_argument(
        "--block", type=int, default=3, help="back-to-back calls of each side per interleaved round"
    )
    ap.add_argument("--rows", type=int, default=1, help="rows per request of the 'rows' modes")
    ap.add_argument(
        "--blas-threads",
        type=int,
        default=1,
        help="OpenBLAS threads for librosa (0: its default); see the module docstring",
    )
    ap.add_argument(
        "--features", default="log_mel,mfcc,whisper_log_mel,log_mel/torch", help="feature kinds to measure"
    )
    args = ap.parse_args(argv)
    warnings.filterwarnings("ignore")
    if args.blas_threads:
        from threadpoolctl import threadpool_limits

        threadpool_limits(args.blas_threads, user_api="blas")

    import librosa
    import openvino as ov
    from transformers import WhisperFeatureExtractor

    from ovbuild.frontends.audio_graph import build_audio_frontend

    batches = [int(b) for b in args.batches.split(",")]
    x = _clips(max(batches))
    core = ov.Core()
    props = {"INFERENCE_NUM_THREADS": args.threads} if args.threads else {}
    mel_kw = dict(sr=SR, n_fft=400, hop_length=160, n_mels=N_MELS)
    whisper = WhisperFeatureExtractor(feature_size=80)

    def ref_log_mel(b: int) -> np.ndarray:
        return np.stack(
            [librosa.power_to_db(librosa.feature.melspectrogram(y=x[i], **mel_kw)) for i in range(b)]
        )

    def ref_mfcc(b: int) -> np.ndarray:
        return np.stack([librosa.feature.mfcc(y=x[i], n_mfcc=N_MFCC, **mel_kw) for i in range(b)])

    def ref_whisper(b: int) -> np.ndarray:
        return whisper(list(x[:b]), sampling_rate=SR, return_tensors="np")["input_features"]

    cases = [
        (
            "log_mel",
            {"features": "log_mel", "n_mels": N_MELS},
            ref_log_mel,
            "librosa melspectrogram+power_to_db",
            "dB",
        ),
        (
            "mfcc",
            {"features": "mfcc", "n_mels": N_MELS, "n_mfcc": N_MFCC},
            ref_mfcc,
            "librosa.feature.mfcc",
            "rel",
        ),
        (
            "whisper_log_mel",
            {"features": "whisper_log_mel", "n_mels": 80},
            ref_whisper,
            "WhisperFeatureExtractor",
            "abs",
        ),
        (
            "log_mel/torch",
            {"features": "log_mel", "n_mels": N_MELS},
            lambda b: _torch_log_mel(x[:b], mel_kw),
            "torch.stft + mel (torchaudio's MelSpectrogram math)",
            "dB",
        ),
    ]
    print(
        f"openvino {ov.__version__}, librosa {librosa.__version__}; {SECONDS} s clips at {SR} Hz; "
        f"median of {args.repeats}; {'dynamic' if args.dynamic else 'static'} batch; CPU default precision "
        f"({core.get_property('CPU', 'INFERENCE_PRECISION_HINT')}), front-end pinned f32; "
        f"OpenVINO threads: {args.threads or 'default'}"
    )
    header = (
        f"{'features':<16}{'batch':>6}{'mode':>8}{'ov ms/clip':>12}{'ref ms/clip':>13}{'speed-up':>10}"
        f"{'best-of':>9}"
    )
    header += f"{'max diff':>12}  reference"
    print(header)
    print("-" * len(header))
    for name, cfg, ref_fn, ref_name, diff_kind in cases:
        if name not in args.features.split(","):
            continue
        pools = {mode: _row_pool(core, cfg, props, hint, args) for mode, hint in ROW_MODES.items()}
        for b in batches:
            model = build_audio_frontend(cfg, SR * SECONDS)
            if not args.dynamic:  # an artifact with a declared batch size has static shapes
                model.reshape({"waveform": [b, SR * SECONDS]})
            req = core.compile_model(model, "CPU", props).create_infer_request()
            xb = np.ascontiguousarray(x[:b])
            ref = ref_fn(b)
            modes = {"whole": lambda: req.infer([xb])[0]}  # noqa: B023
            modes.update({m: (lambda p=p: _run_rows(p, xb, args.rows)) for m, p in pools.items()})  # noqa: B023
            for mode, run in modes.items():
                diff = float(np.abs(np.asarray(run()) - ref).max())
                if diff_kind == "rel":
                    diff /= float(np.abs(ref).max())
                t_ov, t_ref, best = _paired_median_ms(run, lambda: ref_fn(b), args.repeats, args.block)  # noqa: B023
                t_ov, t_ref = t_ov / b, t_ref / b
                print(
                    f"{name:<16}{b:>6}{mode:>8}{t_ov:>12.3f}{t_ref:>13.3f}{t_ref / t_ov:>9.2f}x{best:>8.2f}x"
                    f"{diff:>10.2e} {diff_kind:<4} {ref_name}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
