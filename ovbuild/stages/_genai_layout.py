"""The ``genai/`` folder of a generative artifact: the layout openvino-genai and optimum-intel load.

``openvino_genai.LLMPipeline(artifact/"genai", "CPU")`` (or ``WhisperPipeline``) and
``OVModelForCausalLM.from_pretrained(artifact/"genai")`` expect optimum-intel's file names
(``openvino_model.xml``, ``openvino_encoder_model.xml``, ``openvino_decoder_model.xml``), the
tokenizer IRs and the HF json files side by side. The folder holds hard links to the artifact's
own (final, compressed) IR files, so it costs no extra disk space.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


def write_genai_dir(out_dir: Path, models: dict[str, str], generation: dict[str, Any]) -> list[str]:
    """Write ``out_dir/genai/`` for a generative artifact.

    Args:
        out_dir: the artifact being emitted (its IR files are final).
        models: ``{role: file}``; ``model`` for a decoder-only LM, ``encoder``/``decoder`` else.
            ``generation["genai_models"]``, when set, overrides it (e.g. Whisper's
            features-input encoder).
        generation: the convert stage's ``generation`` record (kind, tokenizer, detokenizer).

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
