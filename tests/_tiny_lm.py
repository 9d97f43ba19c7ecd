"""Tiny random-weight generative models built offline from ``transformers`` configs.

Each is saved with ``save_pretrained`` next to a small tokenizer trained here on a few sentences
(byte-level BPE wrapped as ``PreTrainedTokenizerFast``), so the directory looks like any Hub
checkpoint: optimum-intel exports it, openvino-tokenizers converts its tokenizer.
"""

from __future__ import annotations

from pathlib import Path

CORPUS = [
    "The quick brown fox jumps over the lazy dog.",
    "OpenVINO runs neural networks fast on CPUs.",
    "A tokenizer turns text into numbers, and a detokenizer turns them back.",
    "Please call Stella and ask her to bring these things with her from the store.",
    "Generative models predict the next token from the previous ones.",
    "Weights can be stored in eight or four bits with little loss of accuracy.",
    "Cats sleep for most of the day, dogs bark at the mailman.",
    "Numbers like 3.14 and 2026 appear in text too; so do émigrés and naïve cafés.",
]
PROMPTS = [
    "The quick brown",
    "OpenVINO runs",
    "Please call Stella and",
    "Cats sleep",
    "A tokenizer turns text into numbers",
    "Weights can be",
]
SPECIALS = ["<pad>", "</s>", "<s>", "<unk>"]  # ids 0..3


def tiny_tokenizer(kind: str):
    """A byte-level BPE trained on :data:`CORPUS`, with BOS (llama) or EOS (t5) added like those families."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE(unk_token=None))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=300, special_tokens=SPECIALS, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    tok.train_from_iterator(CORPUS, trainer)
    if kind == "llama":  # BOS in front, as Llama tokenizers do
        tok.post_processor = processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", 2)])
    elif kind == "t5":  # EOS behind, as T5 tokenizers do
        tok.post_processor = processors.TemplateProcessing(single="$A </s>", special_tokens=[("</s>", 1)])
    else:
        tok.post_processor = processors.ByteLevel(trim_offsets=False)
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="<pad>", eos_token="</s>", bos_token="<s>", unk_token="<unk>"
    )


def _config(kind: str, vocab: int):
    from transformers import GPT2Config, LlamaConfig, T5Config

    if kind == "gpt2":
        return GPT2Config(
            vocab_size=vocab, n_positions=128, n_embd=64, n_layer=2, n_head=4,
            bos_token_id=2, eos_token_id=1, pad_token_id=0, architectures=["GPT2LMHeadModel"],
        )  # fmt: skip
    if kind == "llama":
        return LlamaConfig(
            vocab_size=vocab, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
            num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=128,
            bos_token_id=2, eos_token_id=1, pad_token_id=0, architectures=["LlamaForCausalLM"],
        )  # fmt: skip
    return T5Config(
        vocab_size=vocab, d_model=64, d_kv=16, d_ff=128, num_layers=2, num_decoder_layers=2,
        num_heads=4, decoder_start_token_id=0, pad_token_id=0, eos_token_id=1,
        architectures=["T5ForConditionalGeneration"],
    )  # fmt: skip


def build_tiny_lm(kind: str, out: Path, seed: int = 0) -> Path:
    """Save a tiny random-weight ``kind`` model (gpt2 | llama | t5) with its tokenizer in ``out``."""
    import torch
    from transformers import AutoModelForCausalLM, AutoModelForSeq2SeqLM

    tokenizer = tiny_tokenizer(kind)
    config = _config(kind, len(tokenizer))
    torch.manual_seed(seed)
    factory = AutoModelForSeq2SeqLM if kind == "t5" else AutoModelForCausalLM
    model = factory.from_config(config)
    # Random init gives nearly flat logits; a larger spread makes greedy choices decisive, so
    # parity tests compare real decisions rather than float noise between near-ties.
    with torch.no_grad():
        for param in model.parameters():
            if param.dim() > 1:
                param.mul_(4.0 if kind == "t5" else 8.0)
    model.generation_config.update(bos_token_id=2, eos_token_id=1, pad_token_id=0)
    model.eval()
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


def hf_greedy(path: Path, prompt: str, max_new_tokens: int) -> list[int]:
    """The new token ids ``transformers``' greedy ``generate`` produces (prompt excluded)."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForSeq2SeqLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path)
    seq2seq = AutoConfig.from_pretrained(path).is_encoder_decoder
    model = (AutoModelForSeq2SeqLM if seq2seq else AutoModelForCausalLM).from_pretrained(path).eval()
    encoded = tokenizer(prompt, return_tensors="pt")
    with torch.no_grad():
        out = model.generate(**encoded, max_new_tokens=max_new_tokens, do_sample=False, num_beams=1)
    ids = out[0].tolist()
    return ids[1:] if seq2seq else ids[encoded["input_ids"].shape[1] :]
