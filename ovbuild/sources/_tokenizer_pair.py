"""Tokenizer and detokenizer IRs for generative artifacts (openvino-tokenizers).

Both are written beside the model as ``openvino_tokenizer.xml`` / ``openvino_detokenizer.xml``,
the names openvino-genai looks for, so the loader (and ``LLMPipeline``/``WhisperPipeline``) turn
text into ids and back without ``transformers`` at run time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ovbuild.errors import SourceError

TOKENIZER_XML = "openvino_tokenizer.xml"
DETOKENIZER_XML = "openvino_detokenizer.xml"
# Files one of which any HuggingFace tokenizer is loaded from. Without them transformers 5
# silently builds an empty default tokenizer for some families (T5), which would generate garbage.
_TOKENIZER_FILES = (
    "tokenizer.json",
    "tokenizer.model",
    "spiece.model",
    "sentencepiece.bpe.model",
    "vocab.json",
    "vocab.txt",
)


def _special_ids(hf_tokenizer: Any) -> dict[str, int | None]:
    return {name: getattr(hf_tokenizer, f"{name}_token_id", None) for name in ("bos", "eos", "pad", "unk")}


def emit_tokenizer_pair(
    ctx: Any, hf_tokenizer_dir: Path, *, skip_special_tokens: bool = True
) -> dict[str, Any]:
    """Convert the HuggingFace tokenizer in ``hf_tokenizer_dir`` into tokenizer + detokenizer IRs.

    Args:
        ctx: the stage context; the IRs are saved into ``ctx.out_dir``.
        hf_tokenizer_dir: a directory ``AutoTokenizer`` can load offline.
        skip_special_tokens: the detokenizer drops BOS/EOS/PAD from the text it returns.

    Returns:
        ``{"tokenizer": file, "detokenizer": file, "special_ids": {bos, eos, pad, unk}}``.

    Raises:
        SourceError: the tokenizer is missing or openvino-tokenizers cannot convert it.
    """
    if not any((hf_tokenizer_dir / name).is_file() for name in _TOKENIZER_FILES):
        raise SourceError(
            f"source.path: {hf_tokenizer_dir} has no tokenizer ({', '.join(_TOKENIZER_FILES)}); a "
            "generative artifact carries its tokenizer and detokenizer, so save the tokenizer "
            "with the model (tokenizer.save_pretrained(dir))"
        )
    try:
        from openvino_tokenizers import convert_tokenizer
        from transformers import AutoTokenizer
    except ImportError as exc:
        raise SourceError(f"source: a generative artifact needs {exc.name!r} to build its tokenizer") from exc
    try:
        hf_tokenizer = AutoTokenizer.from_pretrained(str(hf_tokenizer_dir), local_files_only=True)
    except Exception as exc:
        raise SourceError(f"source.path: no loadable tokenizer in {hf_tokenizer_dir}: {exc}") from exc
    try:
        tokenizer, detokenizer = convert_tokenizer(
            hf_tokenizer, with_detokenizer=True, skip_special_tokens=skip_special_tokens
        )
    except Exception as exc:
        raise SourceError(
            f"source.path: openvino-tokenizers cannot convert the tokenizer in {hf_tokenizer_dir}: {exc}"
        ) from exc
    ctx.save_model(tokenizer, TOKENIZER_XML)
    ctx.save_model(detokenizer, DETOKENIZER_XML)
    return {
        "tokenizer": TOKENIZER_XML,
        "detokenizer": DETOKENIZER_XML,
        "special_ids": _special_ids(hf_tokenizer),
    }
