"""Resolve a precision map onto a graph's nodes and compile it to NNCF calls and IR pins.

The map is a default precision plus ordered rules; the first rule whose matchers (``layer``,
``op_type``, ``name`` regex: all that are given) hit a node decides that node's precision. It
compiles to: ``nncf.quantize`` with every non-INT8 node in ``ignored_scope``; one
``nncf.compress_weights`` per weight-only mode, restricted to its nodes; f16 weight constants for
``fp16``/``bf16`` nodes; and ``DisablePrecisionConversion`` pins in the IR for nodes a rule sends
to ``fp32`` (the CPU would otherwise run them in its default BF16).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ovbuild.errors import RecipeError, StageError
from ovbuild.precision.layers import classify, weight_port, weighted_nodes
from ovbuild.precision.nncf_settings import quantize_settings

log = logging.getLogger("ovbuild.precision")

_SKIP_TYPES = frozenset({"Parameter", "Constant", "Result"})
_WEIGHT_ONLY = {"int8_weights": "INT8", "int4_weights": "INT4"}
PIN_ATTRIBUTE = "DisablePrecisionConversion"


@dataclass
class NodeMap:
    """Every node's precision, plus what the rules matched."""

    precision: dict[str, str]
    classes: dict[str, set[str]]
    weighted: list[str]
    rule_hits: list[int] = field(default_factory=list)
    ruled: set[str] = field(default_factory=set)  # nodes whose precision a rule chose

    def nodes(self, precision: str) -> list[str]:
        return [n for n, p in self.precision.items() if p == precision]

    def weighted_counts(self) -> dict[str, int]:
        return dict(Counter(self.precision[n] for n in self.weighted))


def _rule_matches(rule: dict[str, Any], node: Any, classes: set[str], patterns: tuple) -> bool:
    name_pattern, after_pattern = patterns
    if rule.get("layer") and rule["layer"] not in classes:
        return False
    if rule.get("op_type") and rule["op_type"].lower() != node.get_type_name().lower():
        return False
    if name_pattern is not None and not name_pattern.search(node.get_friendly_name()):
        return False
    return after_pattern is None or any(
        after_pattern.search(_producer_name(node, port)) for port in range(node.get_input_size())
    )


def _producer_name(node: Any, port: int) -> str:
    """The producer of an input, looking through decompression and quantizers."""
    src = node.input_value(port).get_node()
    while src.get_type_name() in ("Convert", "FakeQuantize") and src.get_input_size():
        src = src.input_value(0).get_node()
    return src.get_friendly_name()


def _regex(rule: dict[str, Any], i: int, key: str) -> re.Pattern | None:
    try:
        return re.compile(rule[key]) if rule.get(key) else None
    except re.error as exc:
        raise RecipeError(f"precision.rules[{i}].{key}: bad regular expression {rule[key]!r}: {exc}") from exc


def _compile_rules(rules: list[dict[str, Any]]) -> list[tuple]:
    patterns = []
    for i, rule in enumerate(rules):
        if not (rule.get("layer") or rule.get("op_type") or rule.get("name") or rule.get("after")):
            raise RecipeError(f"precision.rules[{i}]: give at least one of layer, op_type, name, after")
        if rule["precision"] == "auto":
            raise RecipeError(f"precision.rules[{i}].precision: 'auto' is only valid as precision.default")
        patterns.append((_regex(rule, i, "name"), _regex(rule, i, "after")))
    return patterns


def pinned_in_graph(node: Any) -> bool:
    """True for nodes already pinned to f32 (an embedded front-end): never quantized.

    A model read from IR names the attribute with its version (``DisablePrecisionConversion_0``).
    """
    return any(
        key == PIN_ATTRIBUTE or key.startswith(PIN_ATTRIBUTE + "_") for key in dict(node.get_rt_info())
    )


def resolve(model: Any, default: str, rules: list[dict[str, Any]]) -> NodeMap:
    """Give every node of ``model`` a precision; warn about rules that match nothing.

    Args:
        model: an ``ov.Model``.
        default: the precision of nodes no rule matches.
        rules: ``precision.rules`` as plain dicts, in order.

    Returns:
        The :class:`NodeMap`.

    Raises:
        RecipeError: a rule has no matcher, an invalid regex, or precision ``auto``.
    """
    patterns = _compile_rules(rules)
    classes = classify(model)
    hits = [0] * len(rules)
    precision: dict[str, str] = {}
    ruled: set[str] = set()
    for node in model.get_ordered_ops():
        if node.get_type_name() in _SKIP_TYPES:
            continue
        name = node.get_friendly_name()
        chosen = default
        for i, (rule, pattern) in enumerate(zip(rules, patterns, strict=True)):
            if _rule_matches(rule, node, classes.get(name, set()), pattern):
                chosen, hits[i] = rule["precision"], hits[i] + 1
                ruled.add(name)
                break
        if pinned_in_graph(node):
            chosen = "fp32"
            ruled.discard(name)  # already pinned in the IR
        precision[name] = chosen
    for i, rule in enumerate(rules):
        if hits[i] == 0:
            shown = {k: v for k, v in rule.items() if v is not None}
            log.warning("precision.rules[%d] %s matches no node of the model", i, shown)
    return NodeMap(precision, classes, weighted_nodes(model), hits, ruled)


def quantize_int8(
    model: Any, node_map: NodeMap, samples: list[dict[str, Any]], cfg: dict[str, Any], statistics: Any = None
) -> tuple[Any, dict[str, Any]]:
    """Static INT8 (``nncf.quantize``) of the map's ``int8`` nodes; every other node is ignored.

    ``statistics`` (a :class:`~ovbuild.precision.statistics.StatisticsScope`) shares the
    calibration statistics with every other map of the same model and samples. Returns the model
    and how many statistics were collected and reused.
    """
    import nncf

    from ovbuild.precision.statistics import quantize_shared

    if not samples:
        raise StageError(
            "precision: static int8 needs calibration data; set a calibration group, e.g. "
            "calibration=sentences (text), calibration=audio_dir calibration.path=DIR, calibration=npz"
        )
    ignored = [n for n, p in node_map.precision.items() if p != "int8"]
    kwargs = quantize_settings(node_map, cfg, len(samples))
    store = statistics.store(samples, kwargs) if statistics is not None else None
    try:
        return quantize_shared(
            model,
            nncf.Dataset(samples),
            store,
            ignored_scope=nncf.IgnoredScope(names=ignored, validate=False),
            **kwargs,
        )
    except ValueError as exc:
        raise StageError(f"precision: nncf.quantize rejected the configuration: {exc}") from exc


def compress_weights(
    model: Any, node_map: NodeMap, precision: str, cfg: dict[str, Any], dataset: Any = None
) -> Any:
    """Weight-only INT8/INT4 (``nncf.compress_weights``) of the map's ``precision`` nodes.

    ``dataset`` (an ``nncf.Dataset``) feeds the data-aware options (``precision.awq``, ...).
    """
    import nncf

    from ovbuild.precision.weights import compression_kwargs, run_compress_weights

    targets = set(node_map.nodes(precision)) & set(node_map.weighted)
    if not targets:
        return model
    ignored = [n for n in node_map.precision if n not in targets]
    bits = _WEIGHT_ONLY[precision]
    mode = getattr(nncf.CompressWeightsMode, f"{bits}_{'SYM' if cfg.get('sym') else 'ASYM'}")
    return run_compress_weights(model, mode, ignored, compression_kwargs(cfg, bits, dataset))


def compress_fp16(model: Any, node_map: NodeMap) -> int:
    """Store the weights of ``fp16``/``bf16`` nodes as f16 constants decompressed in-graph."""
    import numpy as np
    import openvino as ov
    import openvino.opset13 as ops

    wanted = {n for n in node_map.weighted if node_map.precision[n] in ("fp16", "bf16")}
    done = 0
    for node in model.get_ordered_ops():
        if node.get_friendly_name() not in wanted:
            continue
        port = weight_port(node)
        const = node.input_value(port).get_node()
        if const.get_type_name() != "Constant" or const.get_element_type() != ov.Type.f32:
            continue
        half = ops.constant(const.get_data().astype(np.float16))
        node.input(port).replace_source_output(ops.convert(half, ov.Type.f32).output(0))
        done += 1
    return done


def set_dynamic_quantization(model: Any, group_size: int | None) -> dict[str, str]:
    """Record the CPU's runtime activation quantization in the model's ``runtime_options``.

    OpenVINO applies ``runtime_options`` from the model's rt_info when it compiles, so the IR,
    the precompiled blob and the generated loader all get it without extra plumbing.
    """
    if not group_size:
        return {}
    model.set_rt_info(str(group_size), ["runtime_options", "DYNAMIC_QUANTIZATION_GROUP_SIZE"])
    return {"DYNAMIC_QUANTIZATION_GROUP_SIZE": str(group_size)}


def apply_map(
    model: Any,
    node_map: NodeMap,
    samples: list[dict[str, Any]],
    cfg: dict[str, Any],
    weights_dataset: Any = None,
    statistics: Any = None,
) -> tuple[Any, dict]:
    """Apply a resolved map to ``model``.

    Args:
        model: an ``ov.Model`` (consumed).
        node_map: from :func:`resolve`.
        samples: calibration input dicts (needed only for static INT8).
        cfg: the ``precision`` config.
        weights_dataset: an ``nncf.Dataset`` for data-aware weight compression (AWQ, ...).
        statistics: a :class:`~ovbuild.precision.statistics.StatisticsScope`: static INT8 reuses
            the calibration statistics stored there (and stores the ones it collects).

    Returns:
        ``(model, summary)``; the names to pin to f32 are in ``summary["pin_f32"]``.

    Raises:
        StageError: static INT8 without calibration data, or NNCF rejects the map.
    """
    summary: dict[str, Any] = {"weighted_layers": node_map.weighted_counts()}
    int8_weighted = set(node_map.nodes("int8")) & (set(node_map.weighted) | _attention(node_map))
    if int8_weighted:
        model, counts = quantize_int8(model, node_map, samples, cfg, statistics)
        ignored = len([p for p in node_map.precision.values() if p != "int8"])
        summary["nncf_quantize"] = {"ignored": ignored, "statistics": counts}
    for precision in _WEIGHT_ONLY:
        if set(node_map.nodes(precision)) & set(node_map.weighted):
            model = compress_weights(model, node_map, precision, cfg, weights_dataset)
            summary.setdefault("nncf_compress_weights", []).append(precision)
    summary["fp16_weights"] = compress_fp16(model, node_map)
    summary["compile_properties"] = set_dynamic_quantization(
        model, cfg.get("dynamic_quantization_group_size")
    )
    # An explicit fp32 rule means "execute in f32" even where the device defaults to BF16.
    summary["pin_f32"] = [
        n for n in node_map.nodes("fp32") if n in node_map.ruled or cfg["default"] != "fp32"
    ]
    return model, summary


def _attention(node_map: NodeMap) -> set[str]:
    return {n for n, c in node_map.classes.items() if "attention" in c}
