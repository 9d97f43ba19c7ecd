"""Long jobs in bounded memory: items grouped into units of a few inferences, answered in order.

A unit is a run of consecutive items answered together: for audio, up to ``ROWS_PER_UNIT`` waveform
rows from several short files (or all rows of one long file); otherwise one item. Only the units
in flight hold decoded audio and outputs, however many items the job has.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from .audio import audio_item_rows

#: Waveform rows per unit: enough to batch short clips, few enough that intermediate tensors stay small.
ROWS_PER_UNIT = 16
#: Waveform rows per request through an embedded audio front-end whose batch axis stays dynamic
#: (the recipe set ``device.input_shapes``, or a precompiled blob). Its framed tensors grow with the
#: batch (tens of MB for 32 ten-second clips, beyond any cache), so small requests spread over the
#: request pool are faster: log-mel of 32 ten-second clips took 3.4 ms per clip as one request and
#: 1.2-1.7 ms as 2-row requests over two streams (benchmarks/bench_audio_frontend.py, "rows" mode).
FRONTEND_ROWS_PER_REQUEST = 2


def frontend_row_shapes(
    frontend: dict[str, Any] | None, inputs: list[dict[str, Any]]
) -> dict[str, list[int]]:
    """``{waveform input: [1, samples]}`` when the artifact's only input is a waveform of dynamic
    batch feeding an embedded audio front-end (not Whisper's, whose transcriber batches chunks),
    else ``{}``.

    The loader compiles such a model for one row per request and spreads rows over the request
    pool: with a dynamic batch the CPU plugin runs the front-end's elementwise chains unfused and
    its slices and splits as copies (log-mel of a 10 s clip: 2.6-3 ms against 1.1-1.3 ms static,
    one thread).
    """
    frontend = frontend or {}
    if frontend.get("kind") != "audio" or not frontend.get("embedded") or len(inputs) != 1:
        return {}
    if frontend.get("features") == "whisper_log_mel":
        return {}
    shape = inputs[0].get("shape") or []
    if len(shape) != 2 or shape[0] != -1 or shape[1] in (-1, None):
        return {}
    return {inputs[0]["name"]: [1, int(shape[1])]}


@dataclasses.dataclass
class Unit:
    """Consecutive items answered together; ``owners[r]`` is the item of output row ``r`` (None: one item)."""

    members: list[int]
    errors: dict[int, str]
    owners: list[int] | None
    jobs: int
    outputs: list[dict[str, np.ndarray]] = dataclasses.field(default_factory=list)

    @property
    def complete(self) -> bool:
        return len(self.outputs) == self.jobs

    def results(self) -> Iterator[dict[str, Any]]:
        joined = {}
        if self.outputs:
            joined = {k: np.concatenate([o[k] for o in self.outputs]) for k in self.outputs[0]}
        owners = np.asarray(self.owners) if self.owners is not None else None
        for index in self.members:
            if index in self.errors:
                yield {"error": self.errors[index]}
            elif owners is None:
                yield joined
            else:
                yield {k: v[owners == index] for k, v in joined.items()}


def audio_units(
    items: Iterable[Any], frontend: dict[str, Any], num_samples: int, on_error: str
) -> Iterator[tuple[Unit, np.ndarray | None]]:
    """``(unit, waveform rows or None)``, decoding items lazily."""
    members: list[int] = []
    owners: list[int] = []
    errors: dict[int, str] = {}
    rows: list[np.ndarray] = []
    for index, item_rows, error in audio_item_rows(items, frontend, num_samples, on_error=on_error):
        members.append(index)
        if error is not None:
            errors[index] = error
        else:
            rows.append(item_rows)
            owners.extend([index] * len(item_rows))
        if len(owners) >= ROWS_PER_UNIT:
            yield Unit(members, errors, owners, 0), np.concatenate(rows)
            members, owners, errors, rows = [], [], {}, []
    if members:
        yield Unit(members, errors, owners, 0), np.concatenate(rows) if rows else None


def run_units(
    units: Iterable[tuple[Unit, list[dict[str, np.ndarray]]]],
    run: Callable[
        [Iterator[tuple[Unit, dict[str, np.ndarray]]]], Iterator[tuple[Unit, dict[str, np.ndarray]]]
    ],
) -> Iterator[dict[str, Any]]:
    """Per-item results in item order: ``run`` executes the units' jobs (in order) as they are made."""
    pending: deque[Unit] = deque()

    def jobs() -> Iterator[tuple[Unit, dict[str, np.ndarray]]]:
        for unit, unit_jobs in units:
            unit.jobs = len(unit_jobs)
            pending.append(unit)
            for job in unit_jobs:
                yield unit, job

    for unit, outputs in run(jobs()):
        unit.outputs.append(outputs)
        while pending and pending[0].complete:
            yield from pending.popleft().results()
    while pending:
        yield from pending.popleft().results()
