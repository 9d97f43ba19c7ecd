"""Text front-end compiled into the graph: an openvino-tokenizers tokenizer in front of the model.

The combined ``model.xml`` takes a 1-D string tensor (one sentence per row) and pads/truncates to
``frontend.max_length`` inside the graph, so the loader needs no ``transformers`` at run time.
The tokenizer alone is kept beside it as ``openvino_tokenizer.xml``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ovbuild.config.tokenizer import tokenizer_dir
from ovbuild.errors import StageError
from ovbuild.stages._models import carry_models
from ovbuild.stages.base import MODEL_XML
from ovbuild.store import CacheEntry

TOKENIZER_XML = "openvino_tokenizer.xml"
TEXT_INPUT = "text"
# Model inputs a tokenizer may leave out (transformers 5 saves BERT tokenizers without
# token_type_ids), fed what the model's own forward uses when they are not given.
ZERO_DEFAULTS = ("token_type_ids",)


def build_tokenizer(path: Path, max_length: int, padding: str) -> Any:
    """An OpenVINO tokenizer model for the HuggingFace tokenizer in ``path``.

    Raises:
        StageError: transformers cannot load it or openvino-tokenizers cannot convert it.
    """
    try:
        from openvino_tokenizers import convert_tokenizer
        from transformers import AutoTokenizer
    except ImportError as exc:
        from ovbuild.extras import missing_package_message

        raise StageError(
            "frontend: " + missing_package_message(exc.name, "an embedded text front-end")
        ) from exc
    try:
        hf_tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
        return convert_tokenizer(
            hf_tokenizer,
            max_length=max_length,
            truncation=True,
            use_max_padding=padding == "max_length",
        )
    except Exception as exc:
        raise StageError(f"frontend.tokenizer: cannot convert the tokenizer in {path}: {exc}") from exc


def embed_text(ctx: Any, parent: CacheEntry, config: dict[str, Any]) -> dict[str, Any]:
    """Prepend the tokenizer to ``model.xml``; the result takes strings.

    Args:
        ctx: the stage context.
        parent: the entry holding the shaped ``model.xml`` (inputs like ``input_ids``).
        config: the ``frontend`` section (``kind: text``).

    Returns:
        ``{"embedded": True, "input": "text", "tokenizer": "openvino_tokenizer.xml", ...}``.

    Raises:
        StageError: the tokenizer cannot be built or its outputs match no model input.
    """
    given = Path(str(config.get("tokenizer") or "")).expanduser()
    if given.suffix == ".xml" and given.is_file():
        # An openvino_tokenizer.xml someone already converted (e.g. beside a legacy model file).
        import openvino_tokenizers  # noqa: F401 - registers the tokenizer ops with OpenVINO

        path, tokenizer = given.resolve(), ctx.core.read_model(str(given))
    else:
        path = tokenizer_dir(config.get("tokenizer"))
        tokenizer = build_tokenizer(path, int(config["max_length"]), config.get("padding", "max_length"))
    model = ctx.read_model(parent)
    produced = {name for out in tokenizer.outputs for name in out.get_names()}
    leftover = [p.get_any_name() for p in model.inputs if not p.get_names() & produced]
    zeros = [name for name in leftover if name in ZERO_DEFAULTS]
    if set(leftover) - set(zeros) or (zeros and "input_ids" not in produced):
        raise StageError(
            f"frontend: model inputs {leftover} are not produced by the tokenizer "
            f"(it gives {sorted(produced)})"
        )
    for name in zeros:
        ctx.log.info("frontend: the tokenizer gives no %s; the model is fed zeros (its default)", name)
    combined = _connect(tokenizer, model, zeros)
    combined.inputs[0].get_tensor().set_names({TEXT_INPUT})
    ctx.save_model(combined)
    ctx.save_model(tokenizer, TOKENIZER_XML)
    carry_models(parent, ctx.out_dir, skip=(MODEL_XML, "model.bin"))
    return {
        "embedded": True,
        "input": TEXT_INPUT,
        "tokenizer": TOKENIZER_XML,
        "tokenizer_dir": str(path),
        "feeds": [p.get_any_name() for p in model.inputs if p.get_any_name() not in zeros],
        "defaulted": {name: "zeros" for name in zeros},
        "max_length": int(config["max_length"]),
    }


def _connect(tokenizer: Any, model: Any, zeros: list[str] = ()) -> Any:
    """Feed the model's inputs from the tokenizer's outputs of the same name, and the inputs named
    in ``zeros`` (which the tokenizer does not produce) with zeros shaped like ``input_ids``.

    Built by hand rather than with ``openvino_tokenizers.connect_models``: the tokenizer keeps its
    truncation switch in a ReadValue/Assign state, and the combined model must carry that Assign
    as a sink or the CPU plugin rejects the ReadValue at inference.
    """
    import openvino as ov

    by_name = {
        name: result.input_value(0)
        for result in tokenizer.get_results()
        for name in result.output(0).get_names()
    }
    for param in model.get_parameters():
        source = next((by_name[n] for n in param.output(0).get_names() if n in by_name), None)
        if source is None and param.output(0).get_names() & set(zeros):
            ids = by_name["input_ids"]
            zero = ov.opset13.constant(0, param.get_element_type())
            source = ov.opset13.broadcast(zero, ov.opset13.shape_of(ids)).output(0)
        if source is None:
            continue
        if source.get_element_type() != param.get_element_type():
            source = ov.opset13.convert(source, param.get_element_type()).output(0)
        source = _static_like(source, param)
        for target in list(param.output(0).get_target_inputs()):
            target.replace_source_output(source)
    combined = ov.Model(model.get_results(), tokenizer.get_sinks(), tokenizer.get_parameters(), "text_model")
    combined.validate_nodes_and_infer_types()
    return combined


def _static_like(source: Any, param: Any) -> Any:
    """Reshape the tokenizer output to the input's shape, e.g. ``[-1, 128]``.

    The tokenizer's outputs have fully dynamic shapes even when it pads to ``max_length``; without
    this the whole model behind it is compiled for dynamic shapes, about 3x slower on CPU.
    """
    import numpy as np
    import openvino as ov

    shape = param.get_partial_shape()
    if shape.rank.is_dynamic:
        return source
    dims = [d.get_length() if d.is_static else -1 for d in shape]
    if dims.count(-1) > 1:
        return source
    return ov.opset13.reshape(source, ov.opset13.constant(np.array(dims, np.int64)), False).output(0)


def ship_tokenizer(ctx: Any, config: dict[str, Any]) -> list[str]:
    """Ship the tokenizer files with the artifact, so the loader tokenizes anywhere it is copied."""
    from ovbuild.config.tokenizer import tokenizer_dir
    from ovbuild.stages._models import ASSETS
    from ovbuild.store.fs import link_or_copy

    source = tokenizer_dir(config.get("tokenizer"))
    shipped = []
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"):
        if (source / name).is_file():
            link_or_copy(source / name, ctx.out_dir / ASSETS / name)
            shipped.append(f"{ASSETS}/{name}")
    if "assets/tokenizer.json" not in shipped:
        raise StageError(f"frontend.tokenizer: no tokenizer.json in {source} for host-side tokenization")
    return shipped
