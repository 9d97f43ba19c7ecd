"""Static INT8 whose calibration statistics are collected once per (model, calibration samples,
quantization settings) and reused by every precision map: a sweep's ``int8`` variant, each
candidate of ``precision: auto`` and its final build.

``nncf.quantize`` runs NNCF's post-training pipeline as steps (SmoothQuant; MinMax with fast bias
correction), and each step collects statistics on the model the step before produced: one
inference pass over the calibration set per step. :func:`quantize_shared` runs the same pipeline
(``create_ptq_pipeline``, ``run_step``) but fills each step's statistic points from a
:class:`~ovbuild.store.statistics.StatisticsStore` first and collects only the missing ones.

Why this is exact, not approximate:

- Only the last step takes the ignored scope; SmoothQuant smooths every eligible MatMul whatever
  the map, so each step before it sees the same model under every map. A step's statistics are
  stored under a digest of that step's graph (op types and names) and the store's key (model,
  samples, settings), so a different model under any step never reads them.
- The last step's points do depend on the map (ignored layers have none; quantizers may land
  elsewhere, with other reducers). Each statistic is stored under its target point (node, type,
  port) *and* a digest of its collector (statistic type, reducers, aggregators, sample count), so
  a map reuses a statistic only where it would have collected exactly that one itself.

``tests/precision/test_statistics.py`` checks that a map quantized with statistics another map
collected is bit-identical to ``nncf.quantize`` without any sharing.
"""

from __future__ import annotations

import enum
import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, is_dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from ovbuild.store.statistics import StatisticsStore

log = logging.getLogger("ovbuild.precision.statistics")
#: Bumped whenever what is stored under a key changes meaning.
FORMAT = 1
_STATE = frozenset({"_collected_samples", "_container"})  # filled by collection, not configuration


def samples_digest(samples: list[dict[str, Any]]) -> str:
    """A digest of calibration inputs (names, dtypes, shapes, values) in order."""
    digest = hashlib.sha256()
    for sample in samples:
        for name in sorted(sample):
            value = np.asarray(sample[name])
            digest.update(f"{name}|{value.dtype}|{value.shape}|".encode())
            digest.update(repr(value.tolist()).encode() if value.dtype == object else value.tobytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class StatisticsScope:
    """Where a build's statistics live: the store root and the cache key of the model entry that
    is quantized (it covers the model and everything it was made from)."""

    root: Path
    model_key: str

    def store(self, samples: list[dict[str, Any]], settings: dict[str, Any]) -> StatisticsStore:
        """The store of ``settings`` (every ``nncf.quantize`` argument but the dataset and the
        ignored scope) applied to this model on ``samples``."""
        from importlib.metadata import version

        meta = {"model": self.model_key, "samples": samples_digest(samples), "settings": _plain(settings)}
        versions = {"format": FORMAT, "nncf": version("nncf"), "openvino": version("openvino")}
        key = hashlib.sha256(json.dumps({**meta, **versions}, sort_keys=True).encode()).hexdigest()
        return StatisticsStore(self.root, key, meta)


def statistics_scope(ctx: Any, parent: Any) -> StatisticsScope:
    """The scope of a running stage that quantizes ``parent``'s model."""
    return StatisticsScope(Path(ctx.store_root), parent.key)


def _plain(settings: dict[str, Any]) -> dict[str, Any]:
    from nncf.quantization.advanced_parameters import convert_to_dict_recursively

    def plain(value: Any) -> Any:
        if isinstance(value, enum.Enum):
            return value.value
        if is_dataclass(value):
            return convert_to_dict_recursively(value)
        return value

    return {k: plain(v) for k, v in sorted(settings.items())}


def _describe(obj: Any) -> str:
    """A reducer's or aggregator's configuration, stable across processes (NNCF's own ``__hash__``
    hashes strings, which Python salts per process)."""

    def plain(value: Any) -> bool:
        if isinstance(value, tuple | list):
            return all(plain(v) for v in value)
        return value is None or isinstance(value, bool | int | float | str | enum.Enum)

    fields = {k: repr(v) for k, v in sorted(vars(obj).items()) if k not in _STATE and plain(v)}
    return f"{type(obj).__module__}.{type(obj).__qualname__}{fields}"


def collector_digest(collector: Any) -> str:
    """What a tensor collector computes: each branch's reducer, output port and aggregator, and
    which branch feeds which field of its statistic."""
    reducers = {hash(r): r for r in collector.reducers}
    branch = {
        key: f"{_describe(reducers[key[0]])}:{key[1]}->{_describe(aggregator)}"
        for key, aggregator in collector.aggregators.items()
    }
    fields = getattr(collector, "_stat_container_kwargs_map", {})  # field -> branch key
    described = {
        "branches": sorted(branch.values()),
        "fields": sorted((str(f), branch.get(k, repr(k))) for f, k in fields.items()),
        "container": getattr(getattr(collector, "_stat_container", None), "__name__", None),
    }
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()[:20]


def graph_digest(model: Any) -> str:
    """The op types and names of ``model`` in order: tells the pipeline's steps' models apart."""
    ops = "\n".join(f"{op.get_type_name()} {op.get_friendly_name()}" for op in model.get_ordered_ops())
    return hashlib.sha256(ops.encode()).hexdigest()[:20]


def _wanted(container: Any) -> dict[str, list[tuple]]:
    """``{stored name: [(target point, algorithm, collector), ...]}`` of a step's statistic points."""
    wanted: dict[str, list[tuple]] = {}
    for points in container.values():
        for point in points:
            target = point.target_point
            where = f"{target.target_node_name}_{target.type}_{target.port_id}"
            for algorithm, collectors in point.algorithm_to_tensor_collectors.items():
                for collector in collectors:
                    name = f"{where}#{collector_digest(collector)}"
                    wanted.setdefault(name, []).append((target, algorithm, collector))
    return wanted


def _data(statistics: Any) -> dict[str, Any]:
    """A collected statistic as ``{field: Tensor}`` (SmoothQuant's come as plain dicts)."""
    if isinstance(statistics, dict):
        return dict(statistics)
    return statistics.get_data(is_serialized=True)


def _load(collector: Any, data: dict[str, Any]) -> None:
    """Give ``collector`` a stored statistic, as NNCF's own ``load_statistics_from_dir`` does (an
    empty collector cannot build its statistic, so the instance is made from the data alone)."""
    kind = getattr(collector, "_stat_container", None)
    if kind is None:  # SmoothQuant's collectors return a plain dict of branches
        collector.set_cache(dict(data))
        return
    statistic = kind.__new__(kind)
    statistic.load_data(data)
    collector.set_cache(statistic)


def fill_step(
    store: StatisticsStore,
    step: str,
    container: Any,
    model: Any,
    graph: Any,
    dataset: Any,
    superset: Callable[[], Any] | None = None,
) -> dict[str, int]:
    """Give every statistic point of ``container`` its statistics: from ``store``, collecting
    (one pass over ``dataset``) only those not stored yet. When it must collect, it also collects
    the missing points of ``superset()`` (the all-INT8 map's), so that a map with fewer INT8
    layers built first does not make the next one collect again. Returns the counts."""
    wanted = _wanted(container)
    with store.locked():
        stored = store.read(step)
        missing = {name: users for name, users in wanted.items() if name not in stored}
        needed = len(missing)
        if missing and superset is not None:
            for name, users in _wanted(superset()).items():
                if name not in stored:
                    missing.setdefault(name, users)
        if missing:
            stored.update(_collect(store, step, missing, model, graph, dataset, len(wanted) - needed))
    for name, users in wanted.items():
        for _, _, collector in users:
            _load(collector, stored[name])
    return {"collected": len(missing), "reused": len(wanted) - needed}


def _collect(
    store: StatisticsStore,
    step: str,
    missing: dict[str, list],
    model: Any,
    graph: Any,
    dataset: Any,
    reused: int,
) -> dict[str, dict[str, Any]]:
    """One pass over ``dataset`` for the ``missing`` statistics, published as a pack."""
    from nncf.common.factory import StatisticsAggregatorFactory
    from nncf.common.tensor_statistics.statistic_point import StatisticPoint, StatisticPointsContainer

    started = time.perf_counter()
    points = StatisticPointsContainer()
    for users in missing.values():
        target, algorithm, collector = users[0]
        points.add_statistic_point(StatisticPoint(target, collector, algorithm))
    aggregator = StatisticsAggregatorFactory.create(model, dataset)
    aggregator.register_statistic_points(points)
    aggregator.collect_statistics(model, graph)
    new = {name: _data(users[0][2].get_statistics()) for name, users in missing.items()}
    store.add(step, new)
    store.record(step, len(new), reused, dataset.get_length() or 0, time.perf_counter() - started)
    log.info("statistics %s: collected %d, reused %d", step, len(new), reused)
    return new


def quantize_shared(
    model: Any, dataset: Any, store: StatisticsStore | None, **params: Any
) -> tuple[Any, dict[str, int | None]]:
    """``nncf.quantize(model, dataset, **params)`` with the statistics of ``store``.

    Returns:
        ``(quantized model, {"collected": n, "reused": n})`` (both ``None`` when NNCF ran on its
        own: no store, or a model with ``If`` operations, which NNCF quantizes body by body).
    """
    import nncf
    from nncf.common.factory import build_graph
    from nncf.common.utils.backend import BackendType
    from nncf.openvino.graph.model_utils import remove_friendly_name_duplicates
    from nncf.openvino.graph.node_utils import get_number_if_op
    from nncf.quantization.algorithms.post_training.pipeline import create_ptq_pipeline

    pipeline = create_ptq_pipeline(**params)
    everything = create_ptq_pipeline(**{**params, "ignored_scope": None})  # the all-INT8 map
    steps = pipeline.pipeline_steps
    supported = all(BackendType.OPENVINO in a.available_backends for step in steps for a in step)
    batched = dataset.get_batch_size() not in (None, 1)  # nncf.quantize then adapts its parameters
    if store is None or not supported or batched or get_number_if_op(model) > 0:
        return nncf.quantize(model, dataset, **params), {"collected": None, "reused": None}
    model = remove_friendly_name_duplicates(model)
    counts = {"collected": 0, "reused": 0}
    for index in range(len(steps)):
        graph = build_graph(model)
        container = pipeline.get_statistic_points_for_step(index, model, graph)
        step = f"step{index}-{graph_digest(model)}"
        superset = partial(everything.get_statistic_points_for_step, index, model, graph)
        for what, n in fill_step(store, step, container, model, graph, dataset, superset).items():
            counts[what] += n
        model = pipeline.run_step(index, container, model, graph)
    _finish(model, params)
    return model, counts


def _finish(model: Any, params: dict[str, Any]) -> None:
    """What ``nncf.quantize`` does for OpenVINO after its pipeline: fold the weight quantizers
    into int8 constants and record the parameters in the model's ``nncf`` rt_info."""
    from nncf.openvino.quantization.backend_parameters import is_weight_compression_needed
    from nncf.openvino.rt_info import dump_parameters
    from nncf.parameters import TargetDevice
    from nncf.quantization.advanced_parameters import convert_to_dict_recursively
    from openvino._offline_transformations import compress_quantize_weights_transformation

    advanced = params.get("advanced_parameters")
    if is_weight_compression_needed(advanced):
        compress_quantize_weights_transformation(model)
    dump_parameters(
        model,
        {
            "preset": params.get("preset"),
            "target_device": params.get("target_device", TargetDevice.ANY).value,
            "subset_size": params.get("subset_size", 300),
            "fast_bias_correction": params.get("fast_bias_correction", True),
            "model_type": params.get("model_type"),
            "ignored_scope": params.get("ignored_scope"),
            "advanced_parameters": convert_to_dict_recursively(advanced),
        },
    )
