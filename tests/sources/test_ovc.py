"""A failed OpenVINO conversion must not silence logging for the rest of the process."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from ovbuild.sources._ovc import convert_model


def test_failed_conversion_leaves_the_root_logger_as_it_was(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(b"not an onnx model" * 50)
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    with pytest.raises(Exception):  # noqa: B017  (OpenVINO raises its own exception types)
        convert_model(str(garbage))
    assert root.level == level
    assert root.handlers == handlers
