"""Compiling the image front-end into the graph with OpenVINO's PrePostProcessor.

The artifact then takes ``uint8`` images ``[N, H, W, 3]`` (RGB, any height and width): conversion
to float, resizing to the recipe's size, mean/scale normalisation and the layout change to the
model's own layout all run inside the compiled model.
"""

from __future__ import annotations

from typing import Any

from ovbuild.errors import StageError
from ovbuild.stages._models import carry_models
from ovbuild.stages.base import MODEL_XML, StageContext
from ovbuild.store import CacheEntry


def embed_image(ctx: StageContext, parent: CacheEntry, config: dict[str, Any]) -> dict[str, Any]:
    import openvino as ov
    from openvino.preprocess import PrePostProcessor, ResizeAlgorithm

    model = ctx.read_model(parent)
    if len(config["mean"]) not in (1, 3) or len(config["scale"]) not in (1, 3):
        raise StageError("frontend.mean / frontend.scale: give 1 or 3 values (one per RGB channel)")
    layout = config["layout"].upper()
    if sorted(layout) != sorted("NCHW"):
        raise StageError(f"frontend.layout: {config['layout']!r} is not a permutation of NCHW")
    port = model.inputs[0]
    shape = port.get_partial_shape()
    if shape.rank.is_dynamic or len(shape) != 4:
        raise StageError(f"frontend: image input {port.get_any_name()!r} must be 4-D, it is {shape}")
    height, width = (int(v) for v in config["size"])
    static = [1 if d.is_dynamic else d.get_length() for d in shape]
    static[layout.index("H")], static[layout.index("W")] = height, width
    if shape[layout.index("C")].is_static and shape[layout.index("C")].get_length() != 3:
        raise StageError(
            f"frontend.layout: {config['layout']!r} puts {shape[layout.index('C')]} channels at C"
        )
    model.reshape(
        {
            port.get_any_name(): ov.PartialShape(
                [-1 if i == layout.index("N") else d for i, d in enumerate(static)]
            )
        }
    )
    ppp = PrePostProcessor(model)
    ppp.input(0).tensor().set_element_type(ov.Type.u8).set_layout(
        ov.Layout("NHWC")
    ).set_spatial_dynamic_shape()
    ppp.input(0).model().set_layout(ov.Layout(layout))
    steps = ppp.input(0).preprocess()
    steps.convert_element_type(ov.Type.f32).resize(ResizeAlgorithm.RESIZE_LINEAR)
    steps.mean([float(v) for v in config["mean"]]).scale([float(v) for v in config["scale"]])
    try:
        model = ppp.build()
    except Exception as exc:
        raise StageError(f"frontend: OpenVINO cannot build the image pre-processing: {exc}") from exc
    ctx.save_model(model)
    carry_models(parent, ctx.out_dir, skip=(MODEL_XML, "model.bin"))
    return {
        "embedded": True,
        "image_input": model.inputs[0].get_any_name(),
        "size": [height, width],
        "model_layout": layout,
    }
