"""Sentences through an embedded text front-end, run as two graphs: the tokenizer, then the model.

An artifact's ``model.xml`` takes strings: the tokenizer is compiled into it, so every shape behind
it is dynamic (the token count is known only after tokenizing). Cut in two at the tokenizer's
outputs, the same weights run faster (MiniLM, 402 real sentences, 2 threads, quiet machine,
interleaved rounds, medians; merged graph -> split):

- one sentence: the tokens padded to the next multiple of :data:`STATIC_STEP` through a model
  compiled for that static ``[1, L]`` shape (on first use, 0.15 s): 4.12 -> 2.53 ms (bf16), 3.09 ->
  1.87 ms (INT8). Static vs dynamic alone: 1.77 vs 2.04 ms at 16 tokens;
- 2-7 sentences: one request of a dynamic model, without the tokenizer in it: 389 -> 424/s at 2;
- 8 or more: rows sorted by token count, cut into one part per stream, each part trimmed to its
  own longest sentence, each on its own stream (one thread each) of a THROUGHPUT-compiled model:
  655 -> 773 sentences/s at batch 32 (bf16; INT8 is unchanged, 1156 vs 1133).

The rest of a sentence's 2.5 ms: the in-graph tokenizer 0.33 ms (its WordpieceTokenizer op 40%),
the model 1.73 ms, padding and request pools 0.09 ms, ``Model.__call__`` 0.06 ms. At batch 32
FullyConnected layers take 82% of the time in bf16 brgemm kernels: beyond this, only fewer bits
(INT8 VNNI) or fewer tokens make it faster.

Outputs are the same up to the device's rounding (pad tokens are masked, as in the merged graph).
Only for the CPU and ``frontend.padding: longest``; any other artifact runs its merged graph.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np

from .manifest import Manifest
from .requests import RequestPool

#: A sentence of ``n`` tokens runs in a static model of ``ceil(n / STATIC_STEP) * STATIC_STEP``.
STATIC_STEP = 8
#: Each static shape is a compiled model with its own copy of the weights (34 MB RSS for MiniLM):
#: the first lengths seen get one, at most ``STATIC_SHAPES`` and within ``STATIC_BUDGET`` bytes of
#: IR weights in all; other lengths run the dynamic model (no eviction: recompiling is 0.15 s).
STATIC_SHAPES = 4
STATIC_BUDGET = 512 * 2**20
#: The runner keeps two more compiled copies of the model (one request, streams); beyond this many
#: bytes of IR weights that memory is not worth the speed, and the merged graph runs.
SPLIT_MAX_WEIGHTS = 2**30
#: Streams a batch is spread over (the machine's cores are shared among them).
STREAMS = 2
#: Batches of at least this many sentences are spread over the streams; smaller ones run whole.
SPREAD_ROWS = 8
_POOL = 16


def cut_at_feeds(merged: Any, feeds: list[str]) -> Any | None:
    """The part of ``merged`` behind the tensors named ``feeds`` (the tokenizer's outputs), with one
    ``[-1, -1]`` input per feed; ``None`` if a feed is not a named tensor of ``merged``."""
    import openvino as ov

    found = {}
    for op in merged.get_ordered_ops():
        for out in op.outputs():
            for name in out.get_names() & set(feeds):
                found[name] = out
    if set(found) != set(feeds):
        return None
    params = []
    for name in feeds:
        param = ov.opset13.parameter([-1, -1], found[name].get_element_type(), name=name)
        param.output(0).get_tensor().set_names({name})
        for target in list(found[name].get_target_inputs()):
            target.replace_source_output(param.output(0))
        params.append(param)
    model = ov.Model(merged.get_results(), params, "after_tokenizer")
    model.validate_nodes_and_infer_types()
    return model


class SplitText:
    """Strings in, the merged model's outputs out, through a separately compiled tokenizer."""

    def __init__(
        self, core: Any, tokenizer: Any, model: Any, properties: dict[str, Any], weights: int | None = None
    ) -> None:
        self._core = core
        self._model = model  # kept to compile static shapes on demand
        base = {k: v for k, v in properties.items() if k not in ("PERFORMANCE_HINT", "NUM_STREAMS")}
        # whole inputs run as the recipe says (a THROUGHPUT hint serves concurrent callers on streams)
        self._single = {"PERFORMANCE_HINT": "LATENCY", **properties}
        threads = int(base.get("INFERENCE_NUM_THREADS") or 0)
        self.streams = STREAMS if threads != 1 else 1
        self.feeds = [p.get_any_name() for p in model.inputs]
        self.output_names = [r.get_any_name() for r in model.outputs]
        # per-token outputs ([batch, tokens, ...]) keep the whole batch's token count in every part
        self._pooled = all(r.get_partial_shape().rank.get_length() <= 2 for r in model.outputs)
        compiled_tok = core.compile_model(tokenizer, "CPU", {"INFERENCE_NUM_THREADS": 1})
        self._tokenizer = RequestPool(compiled_tok, _POOL, reset_state=True)
        self._token_names = [p.get_any_name() for p in compiled_tok.outputs]
        streamed = {**base, "PERFORMANCE_HINT": "THROUGHPUT", "NUM_STREAMS": self.streams}
        self._batched = RequestPool(core.compile_model(model, "CPU", streamed), _POOL, width=self.streams)
        self._whole = RequestPool(core.compile_model(model, "CPU", self._single), _POOL)
        self.spread_rows = SPREAD_ROWS
        self._static: dict[int, RequestPool] = {}
        self.static_shapes = min(STATIC_SHAPES, STATIC_BUDGET // max(1, weights or weight_bytes(model)))
        self._lock = threading.Lock()

    @classmethod
    def for_artifact(cls, artifact_dir: Path, manifest: Manifest, plan: Any) -> SplitText | None:
        """The split runner of an artifact with an embedded text front-end that pads to the longest
        sentence, on the CPU; ``None`` for any other artifact (it runs its merged graph)."""
        frontend = manifest.frontend or {}
        stage = manifest.stages.get("frontend") or {}
        tokenizer = artifact_dir / str(stage.get("tokenizer") or "openvino_tokenizer.xml")
        usable = (
            frontend.get("kind") == "text"
            and frontend.get("embedded")
            and frontend.get("padding") == "longest"
            and stage.get("feeds")
            and tokenizer.is_file()
            and plan.device == "CPU"
            and not plan.reshape
        )
        if not usable:
            return None
        import openvino as ov

        core = ov.Core()
        model = cut_at_feeds(core.read_model(str(artifact_dir / manifest.model)), list(stage["feeds"]))
        weights = weight_bytes(model) if model is not None else 0
        if model is None or weights > SPLIT_MAX_WEIGHTS:
            return None
        return cls(core, core.read_model(str(tokenizer)), model, dict(plan.properties), weights)

    def __call__(self, texts: np.ndarray) -> dict[str, np.ndarray]:
        """Outputs for a 1-D string array, one row per sentence, in order."""
        tokens = self._tokenizer.infer({0: texts}, self._token_names)
        tokens = {name: tokens[name] for name in self.feeds}
        if len(texts) == 1:
            return self._one(tokens)
        if len(texts) < self.spread_rows or self.streams == 1:
            return self._whole.infer(tokens, self.output_names)
        return self._spread(tokens)

    def _one(self, tokens: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        count = next(iter(tokens.values())).shape[1]
        length = -(-count // STATIC_STEP) * STATIC_STEP
        pool = self._static_pool(length)
        if pool is None:
            return self._whole.infer(tokens, self.output_names)
        padded = {}
        for name, values in tokens.items():
            padded[name] = np.zeros((1, length), values.dtype)
            padded[name][:, :count] = values
        outputs = pool.infer(padded, self.output_names)
        if not self._pooled:  # per-token outputs: drop the static pad again
            outputs = {k: v[:, :count] if v.ndim > 2 else v for k, v in outputs.items()}
        return outputs

    def _static_pool(self, length: int) -> RequestPool | None:
        with self._lock:
            if length not in self._static:
                if len(self._static) >= self.static_shapes:
                    return None
                model = self._model.clone()
                model.reshape({name: [1, length] for name in self.feeds})
                compiled = self._core.compile_model(model, "CPU", self._single)
                self._static[length] = RequestPool(compiled, _POOL)
            return self._static[length]

    def _spread(self, tokens: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        rows = len(next(iter(tokens.values())))
        mask = tokens.get("attention_mask")
        lengths = mask.sum(1) if mask is not None else np.full(rows, tokens[self.feeds[0]].shape[1])
        order = np.argsort(-lengths, kind="stable")
        parts = [p for p in np.array_split(order, min(self.streams, rows)) if len(p)]
        jobs = []
        for part in parts:
            width = int(lengths[part].max()) if self._pooled else None
            jobs.append((part, {k: v[part, :width] for k, v in tokens.items()}))
        results = list(self._batched.pipeline(jobs, self.output_names))
        out = {}
        for name in self.output_names:
            first = results[0][1][name]
            out[name] = np.empty((rows, *first.shape[1:]), first.dtype)
            for part, values in results:
                out[name][part] = values[name]
        return out

    def close(self, timeout: float = 60.0) -> None:
        pools = [self._tokenizer, self._whole, self._batched, *self._static.values()]
        for pool in pools:
            pool.close(timeout)
        self._static.clear()
        self._model = None


def weight_bytes(model: Any) -> int:
    """Bytes of the model's constants (its weights, as the IR stores them)."""
    return sum(op.get_byte_size() for op in model.get_ordered_ops() if op.get_type_name() == "Constant")
