"""Turn a ``calibration`` config into input dicts that fit the model.

Raw items (text lines, audio/image files, ``.npz`` rows, callable yields) are listed, shuffled
with the seed and split: the first ``samples`` calibrate, the next ``holdout`` are kept apart
for ``validate`` and never seen by calibration. Each item then goes through the recipe's
front-end (:mod:`ovbuild.calibration.transforms`) and is checked against the model's inputs.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from ovbuild.errors import StageError
from ovbuild.target import resolve_target

log = logging.getLogger("ovbuild.calibration")

AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".ogg")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp")


def _path(cfg: dict[str, Any]) -> Path:
    if not cfg.get("path"):
        raise StageError(f"calibration.path: required for calibration.kind={cfg['kind']!r}")
    path = Path(cfg["path"]).expanduser()
    if not path.exists():
        raise StageError(f"calibration.path: {path} does not exist")
    return path


def _files(cfg: dict[str, Any], suffixes: tuple[str, ...]) -> list[Path]:
    root = _path(cfg)
    if not root.is_dir():
        raise StageError(f"calibration.path: {root} is not a directory (calibration.kind={cfg['kind']})")
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)
    if not files:
        raise StageError(
            f"calibration.path: no usable files in {root} for calibration.kind={cfg['kind']} "
            f"(looked for {', '.join(suffixes)})"
        )
    return files


def raw_items(cfg: dict[str, Any]) -> list[Any]:
    """The dataset's raw items, before any front-end."""
    kind = cfg["kind"]
    if kind == "text_lines":
        path = _path(cfg)
        try:
            lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()]
        except (OSError, UnicodeDecodeError) as exc:
            raise StageError(f"calibration.path: cannot read {path}: {exc}") from exc
        items = [ln for ln in lines if ln and not ln.startswith("#")]
        if not items:
            raise StageError(f"calibration.path: {path} has no text lines")
        return items
    if kind == "audio_dir":
        return _files(cfg, AUDIO_SUFFIXES)
    if kind == "image_dir":
        return _files(cfg, IMAGE_SUFFIXES)
    if kind == "npz":
        path = _path(cfg)
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {k: data[k] for k in data.files}
        except (OSError, ValueError) as exc:
            raise StageError(f"calibration.path: cannot read {path}: {exc}") from exc
        if not arrays:
            raise StageError(f"calibration.path: {path} holds no arrays")
        n = min(len(v) for v in arrays.values())
        return [{k: v[i] for k, v in arrays.items()} for i in range(n)]
    if kind == "callable":
        if not cfg.get("target"):
            raise StageError("calibration.target: required for calibration.kind=callable ('module:function')")
        fn = resolve_target(cfg["target"], "calibration.target")
        try:
            items = list(fn())
        except Exception as exc:
            raise StageError(
                f"calibration.target: {cfg['target']} failed: {type(exc).__name__}: {exc}"
            ) from exc
        if not items or not all(isinstance(i, dict) for i in items):
            raise StageError(f"calibration.target: {cfg['target']} must yield dicts of input arrays")
        return items
    if kind == "synthetic":
        log.warning(
            "calibration.kind=synthetic: random inputs calibrate poorly; use real data for real builds"
        )
        return list(range(cfg["samples"] + cfg.get("holdout", 0)))
    raise StageError(f"calibration.kind: unknown kind {kind!r}")


def split_dataset(items: list[Any], cfg: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    """Seeded shuffle, then ``(calibration, holdout)`` with no item in both."""
    order = np.random.default_rng(cfg.get("seed", 0)).permutation(len(items))
    shuffled = [items[i] for i in order]
    n = min(cfg["samples"], len(shuffled))
    holdout = cfg.get("holdout", 0)
    if holdout and n == len(shuffled) and len(shuffled) > 1:
        # Too few items for both: keep a fifth apart rather than validate on calibration data.
        n = max(1, len(shuffled) - max(1, len(shuffled) // 5))
    return shuffled[:n], shuffled[n : n + holdout]


def load_dataset(
    cfg: dict[str, Any], frontend: dict[str, Any] | None, model: Any, tokenizer: str | None = None
) -> tuple[list[dict[str, np.ndarray]], list[dict[str, np.ndarray]]]:
    """Calibration and held-out input dicts for ``model``.

    Args:
        cfg: the recipe's ``calibration`` block.
        frontend: the recipe's ``frontend`` block (how inference preprocesses).
        tokenizer: the tokenizer directory for text (``config.tokenizer.tokenizer_source``).
        model: the ``ov.Model`` the samples must fit.

    Returns:
        ``(calibration, holdout)`` lists of ``{input name: array}``.

    Raises:
        StageError: no usable items, or samples that do not fit the model's inputs.
    """
    from ovbuild.calibration.transforms import transform

    calib, held = split_dataset(raw_items(cfg), cfg)
    frontend = frontend or {}
    return (
        transform(calib, cfg, frontend, tokenizer, model, "calibration"),
        transform(held, cfg, frontend, tokenizer, model, "holdout"),
    )
