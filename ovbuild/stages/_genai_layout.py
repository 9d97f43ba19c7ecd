"""The ``genai/`` folder of a generative artifact: the layout openvino-genai and optimum-intel load.

``openvino_genai.LLMPipeline(artifact/"genai", "CPU")`` (or ``WhisperPipeline``) and
``OVModelForCausalLM.from_pretrained(artifact/"genai")`` expect optimum-intel's file names
(``openvino_model.xml``, ``openvino_encoder_model.xml``, ``openvino_decoder_model.xml``), the
tokenizer IRs and the HF json files side by side. The folder holds hard links to the artifact's
own (final, compressed) IR files, so it costs no extra disk space.

One exception: a Whisper artifact decoding as faster-whisper does (``frontend.whisper_pad:
features``) gets its own ``openvino_encoder_model``. openvino-genai pads the audio to 30 s before
computing features (HuggingFace's convention), so the frames after the audio hold log-mel's floor
value; faster-whisper computes the features of the audio alone and pads them with zeros. The
encoder written here zeroes the trailing floor frames before the encoder proper, so genai's
transcripts of clips under 30 s are the loader's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ovbuild.errors import StageError
from ovbuild.store.fs import link_or_copy

GENAI_DIR = "genai"
_HF_ASSETS = "assets/hf"
# role -> optimum-intel / openvino-genai file stem, per kind of generative model.
_NAMES = {
    "causal": {"model": "openvino_model"},
    "seq2seq": {"encoder": "openvino_encoder_model", "decoder": "openvino_decoder_model"},
    "speech": {"encoder": "openvino_encoder_model", "decoder": "openvino_decoder_model"},
}


def _link_ir(out_dir: Path, xml: str, stem: str) -> None:
    source = out_dir / xml
    if not source.is_file():
        raise StageError(f"emit: the genai layout needs {xml}, which the artifact does not hold")
    link_or_copy(source, out_dir / GENAI_DIR / f"{stem}.xml")
    link_or_copy(source.with_suffix(".bin"), out_dir / GENAI_DIR / f"{stem}.bin")


#: Frames at the end of the audio that HF's padded features still fill (the 400-sample STFT window
#: reaches past the audio's end); faster-whisper's content ends about two frames earlier.
_BOUNDARY_FRAMES = 2


def _zero_padded_tail(features: Any) -> Any:
    """``features`` [batch, mels, frames] with the trailing frames at log-mel's floor (audio that
    was zero padding) and the two before them set to 0, as faster-whisper pads its features."""
    import openvino.opset15 as ops

    frames = features.get_output_partial_shape(0)[2].get_length()
    floor = ops.reduce_min(features, ops.constant(np.array([1, 2], np.int64)), keep_dims=True)
    loudest = ops.reduce_max(features, ops.constant(np.array([1], np.int64)), keep_dims=True)
    position = ops.constant(np.arange(1, frames + 1, dtype=np.float32).reshape(1, 1, frames))
    zero = ops.constant(np.float32(0.0))
    # 1 + the index of the last frame above the floor, per row (0 when all are at the floor)
    end = ops.reduce_max(
        ops.select(ops.greater(loudest, floor), position, zero),
        ops.constant(np.array([2], np.int64)),
        keep_dims=True,
    )
    # With no padding at all (30 s of audio) every frame stays.
    end = ops.select(ops.less(end, np.float32(frames)), ops.subtract(end, np.float32(_BOUNDARY_FRAMES)), end)
    return ops.select(ops.less_equal(position, end), features, zero)


def _write_faster_whisper_encoder(out_dir: Path, xml: str, stem: str) -> None:
    """``genai/<stem>.xml``: the features-in encoder behind :func:`_zero_padded_tail`."""
    import openvino as ov
    import openvino.opset15 as ops

    model = ov.Core().read_model(out_dir / xml)
    (old,) = model.get_parameters()
    new = ops.parameter(old.get_partial_shape(), old.get_element_type(), name=old.get_friendly_name())
    new.output(0).set_names(old.output(0).get_names())
    fixed = _zero_padded_tail(new)
    for target in old.output(0).get_target_inputs():
        target.replace_source_output(fixed.output(0))
    patched = ov.Model(model.get_results(), [new], model.get_friendly_name())
    ov.save_model(patched, out_dir / GENAI_DIR / f"{stem}.xml", compress_to_fp16=False)


def write_genai_dir(
    out_dir: Path, models: dict[str, str], generation: dict[str, Any], whisper_pad: str = "audio"
) -> list[str]:
    """Write ``out_dir/genai/`` for a generative artifact.

    Args:
        out_dir: the artifact being emitted (its IR files are final).
        models: ``{role: file}``; ``model`` for a decoder-only LM, ``encoder``/``decoder`` else.
            ``generation["genai_models"]``, when set, overrides it (e.g. Whisper's
            features-input encoder).
        generation: the convert stage's ``generation`` record (kind, tokenizer, detokenizer).
        whisper_pad: the audio front-end's padding convention (``features``: faster-whisper's,
            which genai's encoder is then given too).

    Returns:
        The files written, relative to ``out_dir``.

    Raises:
        StageError: a file the layout needs is missing.
    """
    names = _NAMES[generation["kind"]]
    chosen = generation.get("genai_models") or models
    (out_dir / GENAI_DIR).mkdir(exist_ok=True)
    for role, stem in names.items():
        file = chosen.get(role) or (chosen.get("model") if role == "encoder" else None)
        if file is None:
            raise StageError(f"emit: the genai layout needs the {role!r} model (have {sorted(chosen)})")
        if generation["kind"] == "speech" and role == "encoder" and whisper_pad == "features":
            _write_faster_whisper_encoder(out_dir, file, stem)
            continue
        _link_ir(out_dir, file, stem)
    for key in ("tokenizer", "detokenizer"):
        _link_ir(out_dir, generation[key], Path(generation[key]).stem)
    hf_dir = out_dir / _HF_ASSETS
    for path in sorted(hf_dir.glob("*.json")) if hf_dir.is_dir() else []:
        link_or_copy(path, out_dir / GENAI_DIR / path.name)
    return sorted(p.relative_to(out_dir).as_posix() for p in (out_dir / GENAI_DIR).iterdir())


def generation_card(kind: str) -> str:
    """The model card's section on generating with the artifact (text generation only: speech
    artifacts document ``transcribe``)."""
    if kind == "speech":
        return ""
    return "\n".join(
        [
            "",
            "## Generate",
            "```python",
            "from loader import load",
            "model = load()",
            'print(model.generate("Once upon a time", max_new_tokens=32))  # greedy',
            'for token in model.stream("Once upon a time", max_new_tokens=32):',
            '    print(token.text, end="", flush=True)',
            "```",
            'openvino-genai runs the same IR: `openvino_genai.LLMPipeline("genai", "CPU")`'
            if kind == "causal"
            else "",
            "",
        ]
    )
