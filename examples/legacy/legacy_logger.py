"""The legacy logger: every log record of loading and inference goes to the application's logger.

The old backend took ``options={"logger": ...}``: any object with ``info``/``warning``/``error``
methods (or a ``logging.Logger``). Only the import line and the model path differ from the old
documentation.

Run: python examples/legacy/legacy_logger.py [MODEL.onnx] [--store DIR]
"""

from __future__ import annotations

import sys

import numpy as np

from ovbuild.compat import OpenVINOBackend  # was: from the legacy backends package


class AppLogger:
    """The application's own logger, as legacy code wrote them: it keeps what it is told."""

    def __init__(self) -> None:
        self.records: list[tuple[str, str]] = []

    def debug(self, message: str) -> None:
        self.records.append(("debug", message))

    def info(self, message: str) -> None:
        self.records.append(("info", message))

    def warning(self, message: str) -> None:
        self.records.append(("warning", message))

    def error(self, message: str) -> None:
        self.records.append(("error", message))


def default_model_path() -> str:
    from importlib.resources import files

    return str(files("silero_vad") / "data" / "silero_vad_16k_sequence.onnx")


def main(model_path: str | None = None, store_root: str = "outputs") -> dict:
    logger = AppLogger()
    backend = OpenVINOBackend({"logger": logger, "store_root": store_root})
    config = {
        "device": "CPU",
        "model_path": model_path or default_model_path(),
        "model_format": "ONNX",
        "performance_hint": "LATENCY",
        "enable_magic": True,  # an option this backend never had: reported, not silently ignored
    }
    loaded = backend.load_model("vad_logged", config)
    state = np.zeros((1, 1, 128), np.float32)
    window = np.zeros((1, 576), np.float32)
    result = backend.run_inference("vad_logged", {"input": window, "h": state, "c": state})
    failed = backend.run_inference("never_loaded", {"input": window})
    for level, message in logger.records:
        print(f"[{level}] {message}")
    return {"load": loaded, "inference": result, "failed": failed, "records": logger.records}


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", help="an ONNX or IR model (default: silero-vad)")
    parser.add_argument("--store", default="outputs", help="ovbuild store root")
    cli = parser.parse_args()
    out = main(cli.model, cli.store)
    sys.exit(0 if out["inference"]["status"] == "success" else 1)
