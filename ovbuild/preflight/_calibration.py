"""Calibration data must exist and hold readable samples of the kind the recipe says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ovbuild.errors import OvbuildError
from ovbuild.preflight._model import ModelInputs

_TRIED = 5  # files decoded before a folder is called unreadable


def calibration_problems(recipe: dict[str, Any], inputs: ModelInputs | None) -> list[str]:
    cfg = recipe.get("calibration")
    if not cfg or cfg["kind"] == "synthetic":
        return []
    from ovbuild.calibration.datasets import raw_items
    from ovbuild.target import resolve_target

    try:
        if cfg["kind"] == "callable":  # resolved here, called once, by the calibrate stage
            resolve_target(cfg["target"], "calibration.target")
            return []
        items = raw_items(cfg)
    except OvbuildError as exc:
        return [str(exc)]
    except Exception as exc:  # noqa: BLE001 - a reader's own error (a broken zip in an .npz, ...)
        return [f"calibration.path: cannot read {cfg.get('path')}: {type(exc).__name__}: {exc}"]
    if cfg["kind"] == "audio_dir":
        return _readable(items, _decode_audio, "audio", cfg)
    if cfg["kind"] == "image_dir":
        return _readable(items, _decode_image, "image", cfg)
    if cfg["kind"] == "npz" and inputs is not None:
        unknown = sorted(set(items[0]) - set(inputs.ranks))
        if unknown:
            return [
                f"calibration.path: {cfg['path']} holds arrays {', '.join(unknown)} that are not inputs "
                f"of the model (its inputs: {', '.join(inputs.names)})"
            ]
    return []


def _readable(files: list[Path], decode, what: str, cfg: dict[str, Any]) -> list[str]:
    reasons = []
    for path in files[:_TRIED]:
        try:
            decode(path)
            return []
        except Exception as exc:  # noqa: BLE001 - every decoder failure is reported below
            text = str(exc).strip()
            reasons.append(f"{path.name}: {text.splitlines()[0] if text else type(exc).__name__}")
    return [
        f"calibration.path: no readable {what} in {cfg['path']} (calibration.kind={cfg['kind']}; "
        f"tried {len(reasons)}: {'; '.join(reasons)})"
    ]


def _decode_audio(path: Path) -> None:
    from ovbuild.runtime.audio import audio_decode

    audio_decode(path)


def _decode_image(path: Path) -> None:
    from PIL import Image

    with Image.open(path) as image:
        image.verify()
