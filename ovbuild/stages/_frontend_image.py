"""The image front-end in the ``frontend`` stage (steps: :mod:`ovbuild.frontends.image`).

``embed: true`` prepends the steps to the model, which then takes RGB images ``[N, H, W, 3]`` of
any size. ``embed: false`` leaves the model alone and ships the same steps as a small IR
(``assets/image_preprocess.xml``) that the generated loader and calibration run host-side.
"""

from __future__ import annotations

from typing import Any

from ovbuild.frontends.image import image_steps
from ovbuild.stages._models import ASSETS
from ovbuild.stages.base import StageContext
from ovbuild.store import CacheEntry

PREPROCESS_XML = f"{ASSETS}/image_preprocess.xml"


def embed_image(ctx: StageContext, parent: CacheEntry, config: dict[str, Any]) -> dict[str, Any]:
    from ovbuild.frontends.image import embed

    steps = image_steps(config)
    model = embed(ctx.read_model(parent), steps)
    ctx.save_model(model)
    return {
        "embedded": True,
        "image_input": model.inputs[0].get_any_name(),
        "size": list(steps.size),
        "model_layout": steps.layout,
    }


def host_image(ctx: StageContext, parent: CacheEntry, config: dict[str, Any]) -> dict[str, Any]:
    """Write the steps as ``assets/image_preprocess.xml`` for the loader; the model is unchanged."""
    import openvino as ov

    from ovbuild.frontends.image import preprocess_model

    steps = image_steps(config)
    model = ctx.read_model(parent)
    port = model.inputs[0]
    pre = preprocess_model(steps, port.get_partial_shape(), port.get_element_type())
    (ctx.out_dir / ASSETS).mkdir(exist_ok=True)
    ov.save_model(pre, str(ctx.out_dir / PREPROCESS_XML), compress_to_fp16=False)
    return {"embedded": False, "image_input": port.get_any_name(), "preprocess": PREPROCESS_XML}
