"""Joining a front-end graph to a model: f32 pins in the IR, the merge itself, and the read-back.

The front-end's nodes are named ``audio_frontend/...`` and pinned to f32 execution: runtime-info
strings set from Python are ignored by the CPU plugin, so the model goes through its IR, where each
front-end layer gets ``<attribute name="DisablePrecisionConversion" version="0" value="dynamic:f16"/>``
in its ``<rt_info>``; read back, that is the real C++ runtime attribute, which ``ov.save_model``
writes out again and the CPU plugin honours (also at its default BF16 inference precision).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

FRONTEND_PREFIX = "audio_frontend/"
#: rt_info key of a front-end model holding its output layout (``NCT``, ``NTC`` or ``NT``).
LAYOUT_KEY = "ovbuild_audio_layout"


def pin_f32_in_ir(model: Any, prefix: str = FRONTEND_PREFIX) -> Any:
    """Return ``model`` with every node named ``prefix...`` pinned to f32 execution.

    Args:
        model: an ``ov.Model``.
        prefix: friendly-name prefix of the nodes to pin.

    Returns:
        A new ``ov.Model`` (weights held in memory).
    """
    import openvino as ov

    from ovbuild.pins import pin_f32_in_xml

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
    from ovbuild.pins import runtime_nodes

    return {
        node.name: (node.layer, node.precision or "?")
        for node in runtime_nodes(compiled)
        if node.name.startswith(prefix) or any(n.startswith(prefix) for n in node.originals)
    }


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


def _model_input(model: Any, input_name: str) -> Any:
    """The Parameter of ``model`` named ``input_name`` (tensor or friendly name)."""
    param = None
    for p in model.get_parameters():
        if input_name in p.output(0).get_names() or p.get_friendly_name() == input_name:
            param = p
    if param is None:
        names = [sorted(p.output(0).get_names()) or [p.get_friendly_name()] for p in model.get_parameters()]
        raise KeyError(f"model has no input {input_name!r}; inputs: {names}")
    return param


def _check_fits(param: Any, feats: Any, input_name: str, layout: str) -> None:
    """Every static dimension of the model input must equal the front-end's."""
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
    src = fe.get_rt_info(LAYOUT_KEY).astype(str) if fe.has_rt_info(LAYOUT_KEY) else "NCT"
    param = _model_input(model, input_name)
    feats = _adapt_layout(ops, fe.get_results()[0].input_value(0), src, layout.upper())
    _check_fits(param, feats, input_name, layout)
    if param.get_element_type() != ov.Type.f32:
        feats = ops.convert(feats, param.get_element_type()).output(0)
    for target in list(param.output(0).get_target_inputs()):
        target.replace_source_output(feats)
    others = [
        p
        for p in model.get_parameters()
        if p is not param and p.get_friendly_name() != param.get_friendly_name()
    ]
    return ov.Model(
        model.get_results(), model.get_sinks(), fe.get_parameters() + others, model.get_friendly_name()
    )
