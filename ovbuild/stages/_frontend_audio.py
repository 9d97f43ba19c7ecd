"""Prepending the audio front-end (waveform → features, pinned to f32) to the model."""

from __future__ import annotations

from typing import Any

from ovbuild.errors import StageError
from ovbuild.stages._models import carry_models
from ovbuild.stages.base import MODEL_XML, StageContext
from ovbuild.store import CacheEntry


def _input_port(model: Any, name: str | None) -> Any:
    if name is None:
        return model.inputs[0]
    for port in model.inputs:
        if name in port.get_names():
            return port
    known = ", ".join(sorted(n for p in model.inputs for n in p.get_names()))
    raise StageError(f"frontend.input_name: the model has no input {name!r} (inputs: {known})")


def waveform_length(config: dict[str, Any], port: Any) -> int:
    """Samples per call: ``num_samples``, Whisper's chunk, or what fills the input's frame axis."""
    if config.get("num_samples"):
        return int(config["num_samples"])
    if config["features"] == "whisper_log_mel":
        return int(round(config["chunk_seconds"] * config["sample_rate"]))
    layout = config["input_layout"].upper()
    shape = port.get_partial_shape()
    if "T" not in layout or shape.rank.is_dynamic or len(shape) != len(layout):
        raise StageError("frontend.num_samples: required when the model input's frame axis is not static")
    frames_dim = shape[layout.index("T")]
    if frames_dim.is_dynamic:
        raise StageError("frontend.num_samples: required, the model input's frame axis is dynamic")
    frames = frames_dim.get_length()
    if config["features"] == "raw":
        return frames
    if config["center"]:
        return (frames - 1) * config["hop_length"]
    return (frames - 1) * config["hop_length"] + config["n_fft"]


def embed_audio(ctx: StageContext, parent: CacheEntry, config: dict[str, Any]) -> dict[str, Any]:
    from ovbuild.frontends.audio_graph import build_audio_frontend, prepend_frontend

    model = ctx.read_model(parent)
    port = _input_port(model, config.get("input_name"))
    num_samples = waveform_length(config, port)
    try:
        frontend = build_audio_frontend(config, num_samples)
        merged = prepend_frontend(frontend, model, port.get_any_name(), config["input_layout"])
    except (KeyError, ValueError) as exc:
        raise StageError(f"frontend: cannot feed input {port.get_any_name()!r}: {exc}") from exc
    ctx.save_model(merged)
    carry_models(parent, ctx.out_dir, skip=(MODEL_XML, "model.bin"))
    return {
        "embedded": True,
        "num_samples": num_samples,
        "feeds": port.get_any_name(),
        "waveform_input": merged.inputs[0].get_any_name(),
    }
