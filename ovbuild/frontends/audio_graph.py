"""The in-graph audio front-end: waveform -> log-mel / MFCC / Whisper log-mel as OpenVINO ops.

The chain mirrors ``ovbuild.runtime.audio.audio_features`` exactly:

- framing is constant-index ``Gather`` nodes straight from the waveform; centre padding (constant or
  reflect), Whisper's 30 s zero padding and the "only frames real audio touches" cut are folded
  into the indices; taps on zero padding use an out-of-range index, which Gather-8 defines to
  read 0 (so the waveform is never copied or padded);
- the real DFT is two f32 ``MatMul``\\ s against constant windowed cos/sin bases, using the
  even/odd folding of the frame (``y[n] + y[N-n]`` / ``y[n] - y[N-n]``) and only the FFT bins that
  carry mel weight; asymmetric windows use one unfolded MatMul;
- power, the mel ``MatMul``, ``log`` (dB with librosa's ``top_db``, or Whisper's clamp/scale) and
  the MFCC DCT-II ``MatMul`` follow. No ``Pad`` or ``Subtract`` nodes (the CPU plugin rewrites
  them and they would lose their pins): ``a - b`` is written ``a + b * (-1)``.

Every front-end node is named ``audio_frontend/...`` and pinned to f32 execution: the model is
serialised, ``<attribute name="DisablePrecisionConversion" version="0" value="dynamic:f16"/>`` is
added to each front-end layer's ``<rt_info>`` and the IR is read back, so the nodes carry the
real C++ runtime attribute, which ``ov.save_model`` writes out again and the CPU plugin honours
(also at its default BF16 inference precision; ``frontend_runtime_precisions`` reads it back).
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ovbuild.runtime.audio import (
    audio_config,
    audio_dct_matrix,
    audio_frame_indices,
    audio_mel_filterbank,
    audio_window,
)

FRONTEND_PREFIX = "audio_frontend/"
#: Node-name regex for NNCF's ``IgnoredScope(patterns=[...])``: weight compression or quantization
#: of the DFT/mel MatMul constants would break parity (0.6 dB with INT8 weights).
FRONTEND_IGNORED_PATTERN = "audio_frontend/.*"
WAVEFORM_INPUT = "waveform"
FEATURES_OUTPUT = "features"
_LAYOUT_KEY = "ovbuild_audio_layout"


def _c(a: Any) -> Any:
    import openvino.opset15 as ops

    return ops.constant(np.asarray(a, dtype=np.float32))


def _gather(ops: Any, xz: Any, idx: np.ndarray) -> Any:
    return ops.gather(xz, ops.constant(idx.astype(np.int32)), ops.constant(np.int32(1)))


def _neg(ops: Any, b: Any, width: int) -> Any:
    """``-b``; a per-tap constant (a scalar -1 is rewritten by the CPU plugin and loses its pin)."""
    return ops.multiply(b, _c(-np.ones(width)))


def _cos_sin(w: np.ndarray, n: np.ndarray, k: np.ndarray, n_fft: int) -> tuple[np.ndarray, np.ndarray]:
    """Windowed bases for folded taps ``n``: taps 0 and N/2 are their own mirror, so their cos
    rows are halved (``y[n] + y[N-n] = 2 y[n]``) and their sin rows are zero."""
    ang = 2.0 * np.pi * np.outer(n, k) / n_fft
    own = (n == 0) | (2 * n == n_fft)
    cos_b, sin_b = w[n, None] * np.cos(ang), w[n, None] * np.sin(ang)
    cos_b[own] *= 0.5
    sin_b[own] = 0.0
    return cos_b, sin_b


def _fold(ops: Any, xz: Any, idx: np.ndarray, n: np.ndarray, n_fft: int) -> tuple[Any, Any]:
    """``(y[n] + y[N-n], y[n] - y[N-n])`` for taps ``n`` of every frame."""
    a = _gather(ops, xz, idx[:, n])
    b = _gather(ops, xz, idx[:, (n_fft - n) % n_fft])
    return ops.add(a, b), ops.add(a, _neg(ops, b, len(n)))


def _sq(ops: Any, re: Any, im: Any) -> Any:
    return ops.add(ops.multiply(re, re), ops.multiply(im, im))


def _mel_power(ops: Any, xz: Any, idx: np.ndarray, c: dict[str, Any], fb: np.ndarray) -> Any:
    """Mel-filtered ``|DFT(frame * window)|**power``, ``[batch, frames, n_mels]``.

    Three exact formulations, the cheapest that applies:

    - radix (symmetric window, ``n_fft % 4 == 0``): the frame is folded into
      ``e = y[n] + y[N-n]`` and ``o = y[n] - y[N-n]``, each split by even/odd ``n``; bins ``k``
      and ``N/2 - k`` share their bases up to ``(-1)**n``, so four MatMuls of ``N/4 + 1``
      columns give ``Ee, Eo, Oe, Oo`` and ``Re[k] = Ee + Eo``, ``Re[N/2-k] = Ee - Eo`` (same for
      Im): half the multiply-adds of the plain fold, a quarter of a plain real DFT's;
    - fold (symmetric window): two MatMuls of ``N/2 + 1`` taps;
    - full: one gather of the whole frame, two MatMuls.

    Only bins that carry mel weight are computed.
    """
    n_fft, power = int(c["n_fft"]), float(c["power"])
    w = audio_window(n_fft, c["win_length"])
    half = n_fft // 2
    symmetric = n_fft % 2 == 0 and np.allclose(w[1:], w[1:][::-1])

    def mag(p: Any) -> Any:
        if power == 1.0:
            return ops.sqrt(p)
        return p if power == 2.0 else ops.power(p, _c(power / 2.0))

    force = c.get("_dft")  # tests and benchmarks may force a formulation: radix | fold | full
    if force == "full":
        symmetric = False
    if symmetric and n_fft % 4 == 0 and force in (None, "radix"):
        quarter = half // 2
        m_lo = fb[:, : quarter + 1]
        m_hi = np.zeros_like(m_lo)
        m_hi[:, :quarter] = fb[:, half - np.arange(quarter)]
        ks = np.nonzero((m_lo + m_hi).sum(axis=0) > 0)[0]
        if len(ks) == 0:
            raise ValueError("the mel filterbank is empty: check fmin/fmax against the sample rate")
        parts = []
        for n in (np.arange(0, half + 1, 2), np.arange(1, half, 2)):
            e, o = _fold(ops, xz, idx, n, n_fft)
            cos_b, sin_b = _cos_sin(w, n, ks, n_fft)
            parts += [ops.matmul(e, _c(cos_b), False, False), ops.matmul(o, _c(sin_b), False, False)]
        ee, oe, eo, oo = parts
        p_lo = _sq(ops, ops.add(ee, eo), ops.add(oe, oo))
        p_hi = _sq(ops, ops.add(ee, _neg(ops, eo, len(ks))), ops.add(oe, _neg(ops, oo, len(ks))))
        mel_lo = ops.matmul(mag(p_lo), _c(m_lo[:, ks].T), False, False)
        return ops.add(mel_lo, ops.matmul(mag(p_hi), _c(m_hi[:, ks].T), False, False))
    nz = np.nonzero(fb.sum(axis=0) > 0)[0]
    if len(nz) == 0:
        raise ValueError("the mel filterbank is empty: check fmin/fmax against the sample rate")
    k = np.arange(nz[0], nz[-1] + 1)
    if symmetric:
        n = np.arange(half + 1)
        e, o = _fold(ops, xz, idx, n, n_fft)
        cos_b, sin_b = _cos_sin(w, n, k, n_fft)
        re, im = ops.matmul(e, _c(cos_b), False, False), ops.matmul(o, _c(sin_b), False, False)
    else:
        ang = 2.0 * np.pi * np.outer(np.arange(n_fft), k) / n_fft
        frames = _gather(ops, xz, idx)
        re = ops.matmul(frames, _c(w[:, None] * np.cos(ang)), False, False)
        im = ops.matmul(frames, _c(w[:, None] * np.sin(ang)), False, False)
    return ops.matmul(mag(_sq(ops, re, im)), _c(fb[:, k].T), False, False)


def _log_mel_db(ops: Any, mel: Any, top_db: float | None) -> Any:
    db = ops.multiply(ops.log(ops.maximum(mel, _c(1e-10))), _c(10.0 / math.log(10.0)))
    if top_db is not None:
        ceiling = ops.reduce_max(db, ops.constant(np.array([1, 2], np.int32)), True)
        db = ops.maximum(db, ops.add(ceiling, _c(-float(top_db))))
    return db


def _whisper_tail(ops: Any, mel: Any, n_real: int, n_total: int, n_mels: int) -> Any:
    """Whisper's log10 / clamp(max - 8) / (x + 4) / 4 over ``n_total`` frames, of which only
    the first ``n_real`` touch audio; the rest are silent frames filled with their known value."""
    lg = ops.multiply(ops.log(ops.maximum(mel, _c(1e-10))), _c(1.0 / math.log(10.0)))
    m = ops.reduce_max(lg, ops.constant(np.array([1, 2], np.int32)), True)
    if n_real < n_total:
        m = ops.maximum(m, _c(-10.0))  # silent frames are log10(1e-10)
    floor = ops.add(m, _c(-8.0))
    out = ops.multiply(ops.add(ops.maximum(lg, floor), _c(4.0)), _c(0.25))
    if n_real < n_total:
        fill = ops.multiply(ops.add(ops.maximum(floor, _c(-10.0)), _c(4.0)), _c(0.25))  # [B, 1, 1]
        block = ops.multiply(fill, _c(np.ones((1, n_total - n_real, n_mels))))
        out = ops.concat([out, block], 1)
    return out


def build_audio_frontend(
    cfg: Mapping[str, Any] | Any, num_samples: int, *, pin_f32: bool = True, input_name: str = WAVEFORM_INPUT
) -> Any:
    """Build the front-end as an OpenVINO model.

    Args:
        cfg: ``AudioFrontend`` fields (mapping or dataclass): ``features`` (``log_mel`` | ``mfcc`` |
            ``whisper_log_mel`` | ``mel`` (linear mel power) | ``raw``), ``sample_rate``, ``n_fft``,
            ``win_length``, ``hop_length``, ``n_mels``, ``n_mfcc``, ``fmin``, ``fmax``, ``power``, ``center``,
            ``pad_mode``, ``top_db``, ``normalize``, ``chunk_seconds``, ``layout``
            (``mels_frames`` -> ``[batch, n, frames]`` as librosa, or ``frames_mels``).
        num_samples: the static waveform length the model takes.
        pin_f32: pin every front-end node to f32 execution (see the module docstring).
        input_name: name of the waveform input.

    Returns:
        ``ov.Model`` with input ``input_name`` f32 ``[?, num_samples]`` (dynamic batch) and output
        ``features`` f32; its rt_info ``ovbuild_audio_layout`` is ``NCT``, ``NTC`` or ``NT`` (raw).

    Raises:
        ValueError: unknown feature kind / pad mode, audio shorter than a frame, empty filterbank.

    >>> fe = build_audio_frontend({"features": "log_mel", "n_mels": 40}, 16000)
    >>> fe.output(0).get_partial_shape()
    <PartialShape: [?,40,101]>
    """
    import openvino as ov
    import openvino.opset15 as ops

    c = audio_config(cfg)
    if num_samples <= 0:
        raise ValueError(f"num_samples must be positive, got {num_samples}")
    x = ops.parameter([-1, num_samples], np.float32, name=input_name)
    x.output(0).set_names({input_name})
    sig = x
    if c["normalize"]:
        axes = ops.constant(np.array([1], np.int32))
        centred = ops.add(sig, ops.multiply(ops.reduce_mean(sig, axes, True), _c(-1.0)))
        var = ops.reduce_mean(ops.multiply(centred, centred), axes, True)
        sig = ops.multiply(centred, ops.power(ops.add(var, _c(1e-7)), _c(-0.5)))
    kind = c["features"]
    layout = "NT"
    if kind == "raw":
        out = sig
    else:
        sr, n_fft, hop, n_mels = (
            int(c["sample_rate"]),
            int(c["n_fft"]),
            int(c["hop_length"]),
            int(c["n_mels"]),
        )
        if kind == "whisper_log_mel":
            total = int(round(float(c["chunk_seconds"]) * sr))
            n_total = total // hop  # Whisper drops the last STFT frame
            idx = audio_frame_indices(
                num_samples,
                n_fft,
                hop,
                center=True,
                pad_mode="reflect",
                virtual_length=total,
                n_frames=n_total,
            )
            touched = np.nonzero((idx < num_samples).any(axis=1))[0]
            n_real = int(touched[-1]) + 1 if len(touched) else 1
            idx = idx[:n_real]
            c = dict(c, power=2.0)
        else:
            idx = audio_frame_indices(
                num_samples, n_fft, hop, center=bool(c["center"]), pad_mode=c["pad_mode"]
            )
        fb = audio_mel_filterbank(sr, n_fft, n_mels, float(c["fmin"]), c["fmax"]).astype(np.float64)
        # taps on padding hold index num_samples: out of range, which Gather-8 reads as 0
        mel = _mel_power(ops, sig, idx, c, fb)  # [B, T, n_mels]
        if kind == "whisper_log_mel":
            out = _whisper_tail(ops, mel, n_real, n_total, n_mels)
        elif kind == "mel":
            out = mel
        else:
            out = _log_mel_db(ops, mel, c["top_db"])
            if kind == "mfcc":
                out = ops.matmul(out, _c(audio_dct_matrix(n_mels, int(c["n_mfcc"])).T), False, False)
        layout = "NTC"
        if c["layout"] != "frames_mels":
            out = ops.transpose(out, ops.constant(np.array([0, 2, 1], np.int32)))
            layout = "NCT"
    res = ops.result(out)
    if out is not x:
        out.output(0).set_names({FEATURES_OUTPUT})
    model = ov.Model([res], [x], f"audio_frontend_{kind}")
    for i, node in enumerate(model.get_ordered_ops()):
        if node.get_type_name() not in ("Parameter", "Result"):
            node.set_friendly_name(f"{FRONTEND_PREFIX}{node.get_type_name()}_{i}")
    if pin_f32:
        model = pin_f32_in_ir(model)
    model.set_rt_info(layout, _LAYOUT_KEY)
    return model


def pin_f32_in_ir(model: Any, prefix: str = FRONTEND_PREFIX) -> Any:
    """Return ``model`` with every node named ``prefix...`` pinned to f32 execution.

    Runtime-info strings set from Python are ignored by the CPU plugin, so the model goes through
    its IR: each matching layer gets ``<attribute name="DisablePrecisionConversion" version="0"
    value="dynamic:f16"/>`` and the IR is read back, turning it into the real runtime attribute
    that ``ov.save_model`` serialises again.

    Args:
        model: an ``ov.Model``.
        prefix: friendly-name prefix of the nodes to pin.

    Returns:
        A new ``ov.Model`` (weights held in memory).
    """
    import openvino as ov

    from ovbuild.precision.pins import pin_f32_in_xml

    with tempfile.TemporaryDirectory(prefix="ovbuild_pin_") as d:
        xml = os.path.join(d, "m.xml")
        ov.save_model(model, xml, compress_to_fp16=False)
        pin_f32_in_xml(
            Path(xml),
            {op.get_friendly_name() for op in model.get_ops() if op.get_friendly_name().startswith(prefix)},
        )
        core = ov.Core()
        core.set_property({"ENABLE_MMAP": False})
        return core.read_model(xml)


def frontend_runtime_precisions(compiled: Any, prefix: str = FRONTEND_PREFIX) -> dict[str, tuple[str, str]]:
    """Read back how the device executes the front-end nodes.

    Args:
        compiled: an ``ov.CompiledModel``.
        prefix: friendly-name prefix of the front-end nodes.

    Returns:
        ``{runtime node name: (layer type, runtime precision)}`` for every runtime node that holds
        an original front-end layer (e.g. ``("FullyConnected", "f32")``).
    """
    out: dict[str, tuple[str, str]] = {}
    for node in compiled.get_runtime_model().get_ordered_ops():
        rt = node.get_rt_info()
        names = rt["originalLayersNames"].astype(str).split(",") if "originalLayersNames" in rt else []
        if any(n.startswith(prefix) for n in names) or node.get_friendly_name().startswith(prefix):
            out[node.get_friendly_name()] = (rt["layerType"].astype(str), rt["runtimePrecision"].astype(str))
    return out


def _adapt_layout(ops: Any, out: Any, src: str, dst: str) -> Any:
    """Transpose/unsqueeze ``out`` from layout ``src`` (e.g. ``NCT``) to ``dst`` (e.g. ``N1CT``)."""
    letters = [ch for ch in dst if ch != "1"]
    if sorted(letters) != sorted(src):
        raise ValueError(f"cannot map the front-end layout {src!r} onto the model input layout {dst!r}")
    perm = [src.index(ch) for ch in letters]
    if perm != list(range(len(src))):
        out = ops.transpose(out, ops.constant(np.array(perm, np.int32)))
    ones = [i for i, ch in enumerate(dst) if ch == "1"]
    if ones:
        out = ops.unsqueeze(out, ops.constant(np.array(ones, np.int32)))
    return out.output(0) if hasattr(out, "output") else out


def prepend_frontend(frontend: Any, model: Any, input_name: str, layout: str = "NCT") -> Any:
    """Feed ``model``'s input ``input_name`` from the front-end, so the result takes the waveform.

    Args:
        frontend: a model from ``build_audio_frontend`` (it is cloned, not consumed).
        model: the model; its input ``input_name`` receives the features.
        input_name: the model input that takes the features (tensor or friendly name).
        layout: that input's layout in letters ``N`` (batch), ``C`` (mel bands / coefficients),
            ``T`` (frames) and ``1`` (a unit axis), e.g. ``NCT`` (librosa order), ``NTC`` (frames
            first, as LSTMs take it), ``N1CT``; ``NT`` for a ``raw`` front-end.

    Returns:
        A new ``ov.Model`` whose first input is the front-end's waveform input
        (``waveform``, f32 ``[?, num_samples]``) followed by the model's other inputs.

    Raises:
        KeyError: ``model`` has no input ``input_name``.
        ValueError: the layouts cannot be mapped, or a static dimension of the input disagrees
            with the front-end's output.
    """
    import openvino as ov
    import openvino.opset15 as ops

    fe = frontend.clone()
    model = model.clone()
    src = fe.get_rt_info(_LAYOUT_KEY).astype(str) if fe.has_rt_info(_LAYOUT_KEY) else "NCT"
    param = None
    for p in model.get_parameters():
        if input_name in p.output(0).get_names() or p.get_friendly_name() == input_name:
            param = p
    if param is None:
        names = [sorted(p.output(0).get_names()) or [p.get_friendly_name()] for p in model.get_parameters()]
        raise KeyError(f"model has no input {input_name!r}; inputs: {names}")
    feats = _adapt_layout(ops, fe.get_results()[0].input_value(0), src, layout.upper())
    want, got = param.get_partial_shape(), feats.get_partial_shape()
    ok = want.rank.is_dynamic or (
        len(want) == len(got)
        and all(
            w.is_dynamic or g.is_dynamic or w.get_length() == g.get_length()
            for w, g in zip(want, got, strict=True)
        )
    )
    if not ok:
        raise ValueError(
            f"model input {input_name!r} has shape {want} but the front-end gives {got} ({layout})"
        )
    if param.get_element_type() != ov.Type.f32:
        feats = ops.convert(feats, param.get_element_type()).output(0)
    for target in list(param.output(0).get_target_inputs()):
        target.replace_source_output(feats)
    others = [
        p
        for p in model.get_parameters()
        if p is not param and p.get_friendly_name() != param.get_friendly_name()
    ]
    merged = ov.Model(
        model.get_results(), model.get_sinks(), fe.get_parameters() + others, model.get_friendly_name()
    )
    return merged
