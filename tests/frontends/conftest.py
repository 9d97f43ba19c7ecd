"""Audio fixtures for the in-graph front-end tests: the same ones as ``tests/runtime/conftest.py``."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "_ovbuild_audio_fixtures", Path(__file__).resolve().parents[1] / "runtime" / "conftest.py"
)
_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fixtures)

SR = _fixtures.SR
SENTENCES = _fixtures.SENTENCES
make_chirp = _fixtures.make_chirp
chirp = _fixtures.chirp
speak = _fixtures.speak
speech = _fixtures.speech
