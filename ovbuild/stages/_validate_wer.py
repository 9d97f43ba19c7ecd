"""The accuracy gate of speech-to-text artifacts: word error rate of the candidate's transcripts
against the FP32 model's on held-out speech (``validate.data``: a directory of audio files).

The reference is the float model as it stood before compression (``ctx.reference()``: the encoder
with its front-end, the stateful decoder), run at ``INFERENCE_PRECISION_HINT=f32``; the candidate
runs at the recipe's own inference precision, as the artifact will.
"""

from __future__ import annotations

from typing import Any

from ovbuild.speech.clips import speech_clips
from ovbuild.stages.base import StageContext
from ovbuild.stages.results import ConvertResult
from ovbuild.store import CacheEntry


def _transcriber(ctx: StageContext, entry: CacheEntry, properties: dict[str, Any]) -> Any:
    from ovbuild.runtime.transcribe import Transcriber

    convert = ctx.result(ConvertResult)
    models = {**convert.models, **convert.generation}
    encoder = ctx.core.compile_model(str(entry.file(models["encoder"])), "CPU", properties)  # mel merged
    return Transcriber.from_files(entry.path, models, encoder, "CPU", properties)


def wer_against_reference(
    ctx: StageContext, parent: CacheEntry, cfg: dict[str, Any], properties: dict[str, Any]
) -> tuple[float, dict, int]:
    """``(wer, {"wer", "transcripts_equal"}, clips)`` of the candidate (compiled with ``properties``,
    the device's numerics) vs the FP32 reference."""
    from ovbuild.speech.wer import word_error_rate

    clips = speech_clips(cfg)
    reference = _transcriber(ctx, ctx.reference(), {"INFERENCE_PRECISION_HINT": "f32"})
    candidate = _transcriber(ctx, parent, properties)
    wanted = [reference.transcribe(c) for c in clips]
    got = [candidate.transcribe(c) for c in clips]
    for clip, a, b in zip(clips, wanted, got, strict=True):
        if a != b:
            ctx.log.info("validate: %s: FP32 %r, candidate %r", clip.name, a, b)
    value = word_error_rate(wanted, got)
    equal = sum(a == b for a, b in zip(wanted, got, strict=True)) / len(clips)
    return value, {"wer": value, "transcripts_equal": equal}, len(clips)
