"""An example legacy converter: code that already builds an ``openvino.Model`` its own way.

Used by ``recipes/legacy_example.yaml``: it converts the Silero VAD ONNX graph with fixed input
shapes, as a pre-ovbuild conversion script would, and hands the model to ovbuild.
"""

from __future__ import annotations

from typing import Any


def silero_vad(path: str, window: int = 512) -> Any:
    """Convert Silero VAD (op15, 16 kHz) with a fixed window.

    Args:
        path: the ``silero_vad_16k_op15.onnx`` file.
        window: samples per call.

    Returns:
        The converted ``openvino.Model``.
    """
    import openvino as ov

    return ov.convert_model(path, input={"input": [1, window], "state": [2, 1, 128], "sr": []})
