"""Generative weight compression on tiny random-weight GPT-2 / Llama / T5: size, token agreement
with the FP32 artifact, and openvino-genai LLMPipeline parity, per precision variant.

Each model directory is built from a ``transformers`` config (tests/_tiny_lm.py: 2 layers, hidden
64, a BPE tokenizer trained offline); every variant goes through the real recipe path
(``validate=tokens``: the FP32 IR generates ``--new-tokens`` greedy tokens on the held-out
sentences of ``calibration=sentences``, the candidate is teacher-forced along them). Random
weights make no language, so these figures measure how much each compression moves the greedy
decisions of a model whose logits are spread like a trained one's, not quality on text.

    .venv/bin/python benchmarks/bench_textgen_compression.py [--samples 20] [--new-tokens 32]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

VARIANTS = {
    "fp32": [],
    "int8_weights": ["precision=int8_weights"],
    "int4 g32": ["precision=int4_weights", "precision.group_size=32"],
    "int4 g32 sym": ["precision=int4_weights", "precision.group_size=32", "precision.sym=true"],
    "int4 g32 r0.8": ["precision=int4_weights", "precision.group_size=32", "precision.ratio=0.8"],
    "int4 g32 awq+se": ["precision=int4_weights", "precision.group_size=32", "precision.awq=true",
                        "precision.scale_estimation=true"],
    "int4 g32 gptq": ["precision=int4_weights", "precision.group_size=32", "precision.gptq=true"],
}  # fmt: skip


def _weights_bytes(artifact) -> int:
    models = artifact.manifest["stages"]["convert"]["models"].values()
    return sum((artifact.path / m).with_suffix(".bin").stat().st_size for m in set(models))


def _genai_parity(artifact, prompts: list[str], new_tokens: int) -> str:
    """Prompts whose LLMPipeline text equals the loader's: with the loader's attention kernel
    (stateful SDPA), and with genai's default (PagedAttention, its own KV-cache layout)."""
    import openvino_genai as genai

    from ovbuild.runtime import import_loader

    config = genai.GenerationConfig()
    config.max_new_tokens, config.do_sample = new_tokens, False
    model = import_loader(artifact.path).load()
    ours = [model.generate(p, max_new_tokens=new_tokens) for p in prompts]
    counts = []
    for extra in ({"ATTENTION_BACKEND": "SDPA"}, {}):
        pipe = genai.LLMPipeline(str(artifact.path / "genai"), "CPU", INFERENCE_PRECISION_HINT="f32", **extra)
        counts.append(sum(pipe.generate(p, config) == o for p, o in zip(prompts, ours, strict=True)))
    return f"{counts[0]}/{len(prompts)} SDPA, {counts[1]}/{len(prompts)} PA"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--new-tokens", type=int, default=32)
    parser.add_argument("--kinds", default="gpt2,llama,t5")
    args = parser.parse_args()
    from ovbuild import build
    from ovbuild.config import load_recipe
    from ovbuild.errors import OvbuildError
    from tests._tiny_lm import PROMPTS, build_tiny_lm

    root = Path(tempfile.mkdtemp(prefix="textgen_bench_"))
    print("| model | variant | weights KiB | token_agreement | sequence_match | LLMPipeline = loader |")
    print("|---|---|---|---|---|---|")
    for kind in args.kinds.split(","):
        path = build_tiny_lm(kind, root / kind)
        for label, overrides in VARIANTS.items():
            if kind == "t5" and any(k in label for k in ("awq", "gptq")):
                continue  # data-aware compression is implemented for decoder-only models
            recipe = load_recipe([
                f"name=tiny_{kind}", "source=hf", f"source.path={path}", "device.inference_precision=f32",
                "calibration=sentences", "validate=tokens", "validate.min=0",
                f"validate.samples={args.samples}", f"validate.new_tokens={args.new_tokens}", *overrides,
                f"store.root={root / 'store'}",
            ])  # fmt: skip
            try:
                artifact = build(recipe)
            except OvbuildError as exc:
                print(f"| {kind} | {label} | error: {exc} | | | |")
                continue
            gate = artifact.manifest["stages"]["validate"]["metrics"]
            parity = _genai_parity(artifact, PROMPTS, 16) if kind != "t5" else "n/a (seq2seq)"
            print(
                f"| {kind} | {label} | {_weights_bytes(artifact) / 1024:.0f} | {gate['token_agreement']:.3f} "
                f"| {gate['sequence_match']:.2f} | {parity} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
