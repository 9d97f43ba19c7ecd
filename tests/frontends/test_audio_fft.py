"""The two-stage FFT formulation of the front-end's DFT and the JIT-friendly log: which split is
chosen, exactness against NumPy's FFT, the log against float64 over the whole dB range, and parity
with the direct DFT formulations on real speech."""

from __future__ import annotations

import numpy as np
import pytest

from ovbuild.frontends.audio_fft import _group_bins, _stage2, split_for

ov = pytest.importorskip("openvino")
SR = 16000


def test_split_is_the_cheapest_that_divides_the_hop() -> None:
    assert split_for(400, 160, np.arange(201)) == (25, 16)
    assert split_for(402, 160, np.arange(202)) is None  # gcd(402, 160) = 2: no row of >= 4 samples
    a, b = split_for(512, 160, np.arange(257))
    assert a * b == 512 and 160 % b == 0


@pytest.mark.parametrize("n_fft,a,b", [(400, 25, 16), (512, 16, 32), (400, 20, 20)])
def test_two_stage_matrices_give_the_exact_power_spectrum(n_fft: int, a: int, b: int) -> None:
    """Stage 1 (length-A DFTs over every B-th tap) then stage 2 (twiddled length-B DFTs per
    group, conjugate groups folded in) equals ``|rfft|**2`` for every bin."""
    rng = np.random.default_rng(0)
    v = rng.standard_normal(n_fft)
    bins = np.arange(n_fft // 2 + 1)
    j_count = a // 2 + 1
    ang = 2 * np.pi * np.outer(np.arange(j_count), np.arange(a)) / a
    y = np.concatenate([np.cos(ang), np.sin(ang)]) @ v.reshape(a, b)  # [2J, B]
    groups = [_group_bins(bins, a, j) for j in range(j_count)]
    width = max(map(len, groups))
    m = _stage2(groups, a, b, n_fft, width)  # [2, 2, J, B, W]
    z = np.einsum("pjb,prjbw->rjw", y.reshape(2, j_count, b), m)
    power = z[0] ** 2 + z[1] ** 2
    got = np.zeros(len(bins))
    for j, group in enumerate(groups):
        for col, (k, _) in enumerate(group):
            got[k] = power[j, col]
    assert sorted(k for g in groups for k, _ in g) == list(bins)  # every bin exactly once
    np.testing.assert_allclose(got, np.abs(np.fft.rfft(v)) ** 2, rtol=1e-9, atol=1e-9)


def test_log_is_within_a_thousandth_of_a_db_from_1e_minus_10_to_1e30() -> None:
    import openvino.opset15 as ops

    from ovbuild.frontends.audio_graph import _ln

    y = np.geomspace(1e-10, 1e30, 40 * 5000).astype(np.float32).reshape(1, -1, 40)
    x = ops.parameter(list(y.shape), np.float32)
    compiled = ov.Core().compile_model(ov.Model([ops.result(_ln(ops, x))], [x]), "CPU")
    err_db = np.abs(compiled(y)[0] - np.log(y.astype(np.float64))) * 10 / np.log(10)
    assert err_db.max() < 1e-3, f"log error {err_db.max()} dB"


def test_fft_and_radix_agree_on_speech(speech) -> None:
    from ovbuild.frontends.audio_graph import build_audio_frontend

    x = np.resize(speech, 3 * SR)[None].astype(np.float32)
    outs = {}
    for dft in ("fft", "radix"):
        cfg = {"features": "log_mel", "n_mels": 64, "_dft": dft}
        outs[dft] = ov.Core().compile_model(build_audio_frontend(cfg, x.shape[1]), "CPU")(x)[0]
    assert np.abs(outs["fft"] - outs["radix"]).max() < 0.005
