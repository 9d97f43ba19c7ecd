"""The image front-end as OpenVINO pre-processing: one definition, used in and beside the model.

The steps, in order, on RGB images ``[N, H, W, 3]`` (``uint8`` by default) of any size:

1. **resize** to the model's size with Pillow's bilinear filter (``bilinear_pillow``, antialiased
   when shrinking): ``stretch`` ignores the aspect ratio; ``letterbox`` first pads the image to
   the model's aspect ratio with ``pad_value`` (centred, or at the bottom/right with
   ``letterbox_anchor: top_left``); ``shorter_side`` scales the shorter side to
   ``shorter_side`` pixels (aspect kept, sizes floored as torchvision does) and centre-crops
   ``size`` (offset ``floor((h - crop) / 2)``);
2. **channels**: ``BGR`` reverses the channel order for models trained on OpenCV/Paddle input;
3. **mean / std** per channel (1 or 3 values, in the 0-255 pixel scale);
4. **layout**: the model's own (``NCHW`` ...).

:func:`embed` prepends them to a model (``frontend.embed: true``); :func:`preprocess_model` builds
them as a standalone model whose output is the model's input, which calibration runs and the
generated loader runs host-side when ``embed: false``, so both paths compute the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ovbuild.errors import StageError

RESIZE_MODES = ("stretch", "letterbox", "shorter_side")


@dataclass(frozen=True)
class ImageSteps:
    size: tuple[int, int]  # model height, width
    layout: str = "NCHW"
    resize: str = "stretch"
    pad_value: float = 0.0
    letterbox_anchor: str = "center"
    shorter_side: int | None = None
    channels: str = "RGB"
    mean: tuple[float, ...] = (0.0,)
    std: tuple[float, ...] = (1.0,)
    input_dtype: str = "u8"

    @classmethod
    def from_config(cls, cfg: dict[str, Any]) -> ImageSteps:
        """Steps from a ``frontend`` block; ``std`` wins over its older name ``scale``."""
        std = cfg.get("std") if cfg.get("std") is not None else cfg.get("scale") or [1.0]
        return cls(
            size=(int(cfg["size"][0]), int(cfg["size"][1])),
            layout=str(cfg.get("layout") or "NCHW").upper(),
            resize=cfg.get("resize") or "stretch",
            pad_value=float(cfg.get("pad_value") or 0.0),
            letterbox_anchor=cfg.get("letterbox_anchor") or "center",
            shorter_side=cfg.get("shorter_side"),
            channels=str(cfg.get("channels") or "RGB").upper(),
            mean=tuple(float(v) for v in cfg.get("mean") or [0.0]),
            std=tuple(float(v) for v in std),
            input_dtype=cfg.get("input_dtype") or "u8",
        )


def problems(steps: ImageSteps) -> list[str]:
    """Every inconsistency of the steps themselves, as ``frontend.<key>: ...`` lines."""
    out = []
    if sorted(steps.layout) != sorted("NCHW"):
        out.append(f"frontend.layout: {steps.layout!r} is not a permutation of NCHW")
    for key, values in (("mean", steps.mean), ("std", steps.std)):
        if len(values) not in (1, 3):
            out.append(f"frontend.{key}: give 1 or 3 values (one per channel), not {len(values)}")
    if any(v == 0 for v in steps.std):
        out.append("frontend.std: a standard deviation of 0 divides by zero")
    if steps.resize not in RESIZE_MODES:
        out.append(f"frontend.resize: {steps.resize!r} is not one of {', '.join(RESIZE_MODES)}")
    if steps.resize == "shorter_side" and not steps.shorter_side:
        out.append("frontend.shorter_side: required with resize: shorter_side")
    if steps.shorter_side and steps.shorter_side < max(steps.size):
        out.append(f"frontend.shorter_side: {steps.shorter_side} is smaller than the crop {list(steps.size)}")
    if steps.channels not in ("RGB", "BGR"):
        out.append(f"frontend.channels: {steps.channels!r} is not RGB or BGR")
    if steps.letterbox_anchor not in ("center", "top_left"):
        out.append(f"frontend.letterbox_anchor: {steps.letterbox_anchor!r} is not center or top_left")
    if steps.input_dtype not in ("u8", "f32"):
        out.append(f"frontend.input_dtype: {steps.input_dtype!r} is not u8 or f32")
    return out


def image_steps(config: dict[str, Any]) -> ImageSteps:
    """The front-end config's steps, checked.

    Raises:
        StageError: every problem :func:`problems` finds, in one message.
    """
    steps = ImageSteps.from_config(config)
    found = problems(steps)
    if found:
        raise StageError("; ".join(found))
    return steps


def _dims(x: Any) -> tuple[Any, Any]:
    import numpy as np
    import openvino.opset13 as ops

    shape = ops.shape_of(x, "i64")
    pick = lambda i: ops.gather(shape, ops.constant(np.array([i], np.int64)), ops.constant(np.int64(0)))  # noqa: E731
    return pick(1), pick(2)


def _resize(x: Any, height: Any, width: Any) -> Any:
    import numpy as np
    import openvino.opset11 as ops11
    import openvino.opset13 as ops

    sizes = (
        ops.concat([height, width], 0) if not isinstance(height, int) else np.array([height, width], np.int64)
    )
    return ops11.interpolate(
        x, sizes, "bilinear_pillow", "sizes", axes=ops.constant(np.array([1, 2], np.int64))
    ).output(0)


def _letterbox(x: Any, steps: ImageSteps) -> Any:
    """Pad ``x`` (NHWC) to the model's aspect ratio with ``pad_value``."""
    import numpy as np
    import openvino.opset13 as ops

    th, tw = steps.size
    c = lambda v: ops.constant(np.array([v], np.int64))  # noqa: E731
    h, w = _dims(x)
    # ceil(w * th / tw) and ceil(h * tw / th) in integers: the padded image has the target aspect.
    new_h = ops.maximum(h, ops.divide(ops.add(ops.multiply(w, c(th)), c(tw - 1)), c(tw)))
    new_w = ops.maximum(w, ops.divide(ops.add(ops.multiply(h, c(tw)), c(th - 1)), c(th)))
    pad_h, pad_w = ops.subtract(new_h, h), ops.subtract(new_w, w)
    if steps.letterbox_anchor == "center":
        top, left = ops.divide(pad_h, c(2)), ops.divide(pad_w, c(2))
    else:
        top, left = c(0), c(0)
    zero = c(0)
    begin = ops.concat([zero, top, left, zero], 0)
    end = ops.concat([zero, ops.subtract(pad_h, top), ops.subtract(pad_w, left), zero], 0)
    value = ops.constant(np.float32(steps.pad_value))
    return _resize(ops.pad(x, begin, end, "constant", value).output(0), th, tw)


def _shorter_side(x: Any, steps: ImageSteps) -> Any:
    """Scale the shorter side to ``shorter_side`` (floored sizes), then centre-crop ``size``."""
    import numpy as np
    import openvino.opset13 as ops

    th, tw = steps.size
    c = lambda v: ops.constant(np.array([v], np.int64))  # noqa: E731
    h, w = _dims(x)
    short = ops.minimum(h, w)
    new_h = ops.divide(ops.multiply(h, c(steps.shorter_side)), short)
    new_w = ops.divide(ops.multiply(w, c(steps.shorter_side)), short)
    scaled = _resize(x, new_h, new_w)
    top = ops.divide(ops.subtract(new_h, c(th)), c(2))
    left = ops.divide(ops.subtract(new_w, c(tw)), c(2))
    start = ops.concat([top, left], 0)
    stop = ops.add(start, ops.constant(np.array([th, tw], np.int64)))
    step = ops.constant(np.array([1, 1], np.int64))
    return ops.slice(scaled, start, stop, step, ops.constant(np.array([1, 2], np.int64))).output(0)


def _resize_step(steps: ImageSteps) -> Any:
    if steps.resize == "letterbox":
        return lambda x: _letterbox(x, steps)
    if steps.resize == "shorter_side":
        return lambda x: _shorter_side(x, steps)
    return lambda x: _resize(x, *steps.size)


def apply_steps(model: Any, steps: ImageSteps) -> Any:
    """``model`` (its first input of the steps' size and layout) with the steps prepended."""
    import openvino as ov
    from openvino.preprocess import PrePostProcessor

    ppp = PrePostProcessor(model)
    tensor = ppp.input(0).tensor()
    tensor.set_element_type(ov.Type.u8 if steps.input_dtype == "u8" else ov.Type.f32)
    tensor.set_layout(ov.Layout("NHWC")).set_spatial_dynamic_shape()
    ppp.input(0).model().set_layout(ov.Layout(steps.layout))
    pre = ppp.input(0).preprocess()
    pre.convert_element_type(ov.Type.f32).custom(_resize_step(steps))
    if steps.channels == "BGR":
        pre.reverse_channels()
    if any(steps.mean):
        pre.mean(list(steps.mean) if len(steps.mean) > 1 else steps.mean[0])
    if any(v != 1 for v in steps.std):
        pre.scale(list(steps.std) if len(steps.std) > 1 else steps.std[0])
    try:
        return ppp.build()
    except Exception as exc:
        raise StageError(f"frontend: OpenVINO cannot build the image pre-processing: {exc}") from exc


def model_shape(steps: ImageSteps, shape: Any) -> list[int]:
    """The model input shape the steps produce (batch dynamic, spatial from ``size``)."""
    if shape.rank.is_dynamic or len(shape) != 4:
        raise StageError(f"frontend: the image input must be 4-D, it is {shape}")
    layout = steps.layout
    dims = [d.get_length() if d.is_static else -1 for d in shape]
    channels = dims[layout.index("C")]
    if channels not in (-1, 3):
        raise StageError(
            f"frontend.layout: {layout!r} puts {channels} channels at C (the model input is {shape})"
        )
    for axis, want in zip("HW", steps.size, strict=True):
        have = dims[layout.index(axis)]
        if have not in (-1, want):
            raise StageError(
                f"frontend.size: {list(steps.size)} differs from the model input's {axis} = {have} ({shape})"
            )
        dims[layout.index(axis)] = want
    dims[layout.index("C")] = 3
    dims[layout.index("N")] = -1
    return dims


def embed(model: Any, steps: ImageSteps) -> Any:
    """The model with the steps in its graph: RGB images of any size in."""
    import openvino as ov

    port = model.inputs[0]
    model.reshape({port.get_any_name(): ov.PartialShape(model_shape(steps, port.get_partial_shape()))})
    return apply_steps(model, steps)


def preprocess_model(steps: ImageSteps, shape: Any, element_type: Any) -> Any:
    """The steps alone: RGB images in, a tensor for a model input of ``shape``/``element_type`` out."""
    import openvino as ov
    import openvino.opset13 as ops

    param = ops.parameter(ov.PartialShape(model_shape(steps, shape)), element_type, name="image")
    identity = ops.convert(param, element_type) if element_type != ov.Type.f32 else param
    model = ov.Model([ops.result(identity)], [param], "image_preprocess")
    return apply_steps(model, steps)
