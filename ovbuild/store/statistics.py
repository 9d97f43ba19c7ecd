"""Calibration statistics shared by every static-INT8 build of one model and calibration set:
``<root>/statistics/<key[:2]>/<key>/<step>/pack-*/``, each pack in NNCF's own statistics format
(``statistics_metadata.json`` + one ``.safetensors`` file per statistic).

A pack is written whole into a temp dir beside its final place and published with one
``os.replace``; packs are never changed afterwards, so a reader sees each one complete or not at
all (a killed writer leaves only a ``.tmp-*`` dir, which readers skip and ``gc`` removes). A
per-key file lock makes a second builder wait while the first collects, then find what it needs.
A pack NNCF cannot read back is removed and its statistics are collected again, never trusted.
``collections.jsonl`` records every collection pass: how a sweep proves it collected once.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from filelock import FileLock

from ovbuild.store.crashpoints import crash_point
from ovbuild.store.fs import remove_tree, write_json_atomic
from ovbuild.store.paths import protect

log = logging.getLogger(__name__)
STATISTICS = "statistics"
META_FILE = "meta.json"
JOURNAL = "collections.jsonl"


class StatisticsStore:
    """The statistics of one key: ``read``/``add`` packs per pipeline step, under ``locked()``."""

    def __init__(self, root: Path, key: str, meta: dict[str, Any]) -> None:
        self.root = Path(root) / STATISTICS
        self.key = key
        self.path = self.root / key[:2] / key
        self.meta = meta

    @contextmanager
    def locked(self) -> Iterator[StatisticsStore]:
        lock_dir = self.root / "_locks"
        lock_dir.mkdir(parents=True, exist_ok=True)
        with FileLock(str(lock_dir / f"{self.key}.lock")):
            if not (self.path / META_FILE).exists():
                write_json_atomic(self.path / META_FILE, self.meta)
            yield self

    def read(self, step: str) -> dict[str, dict[str, Any]]:
        """Every statistic stored for ``step``: ``{name: {field: nncf Tensor}}``."""
        from nncf.common.tensor_statistics.statistics_serializer import load_statistics
        from nncf.common.utils.backend import BackendType

        found: dict[str, dict[str, Any]] = {}
        for pack in sorted((self.path / step).glob("pack-*")):
            try:
                data = load_statistics(pack, BackendType.OPENVINO)
            except Exception as exc:  # nncf.StatisticsCacheError, or an unreadable file
                log.warning("discarding statistics pack %s: %s", pack, exc)
                remove_tree(pack)
                continue
            for name, value in data.items():
                found.setdefault(name, value)
        return found

    def add(self, step: str, data: dict[str, dict[str, Any]]) -> Path:
        """Publish ``data`` as a new pack of ``step``."""
        from nncf.common.tensor_statistics.statistics_serializer import dump_statistics
        from nncf.common.utils.backend import BackendType

        parent = self.path / step
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=parent, prefix=".tmp-"))
        try:
            dump_statistics(data, tmp, BackendType.OPENVINO, {"ovbuild_key": self.key, "step": step})
            crash_point("statistics.dumped")
            protect(tmp)
            final = parent / f"pack-{time.time_ns()}-{os.getpid()}"
            os.replace(tmp, final)
        except BaseException:
            remove_tree(tmp)
            raise
        return final

    def record(self, step: str, collected: int, reused: int, samples: int, seconds: float) -> None:
        """One journal line per collection pass (a pass that only reused statistics writes none)."""
        line = {
            "key": self.key,
            "step": step,
            "collected": collected,
            "reused": reused,
            "samples": samples,
            "seconds": round(seconds, 3),
            "time": time.time(),
            "pid": os.getpid(),
        }
        with open(self.root / JOURNAL, "a") as fh:
            fh.write(json.dumps(line) + "\n")


def collections(root: Path, since: float | None = None) -> list[dict[str, Any]]:
    """The journal of collection passes under ``root`` (optionally only those after ``since``)."""
    try:
        lines = (Path(root) / STATISTICS / JOURNAL).read_text().splitlines()
    except OSError:
        return []
    rows = []
    for line in lines:
        try:
            rows.append(json.loads(line))
        except ValueError:  # the last line of a process killed while appending it
            continue
    return [r for r in rows if isinstance(r, dict) and (since is None or r.get("time", 0) >= since)]


def statistics_dirs(root: Path) -> list[Path]:
    """Every key's directory (those with a ``meta.json``)."""
    return sorted(p.parent for p in (Path(root) / STATISTICS).glob(f"??/*/{META_FILE}"))


def model_key(path: Path) -> str | None:
    """The cache key of the model entry a statistics directory belongs to."""
    try:
        return json.loads((path / META_FILE).read_text()).get("model")
    except (OSError, ValueError):
        return None
