"""The runtime's audio defaults are the schema's (the artifact cannot import ovbuild's schema)."""

from __future__ import annotations

import dataclasses

import pytest

from ovbuild.config.schema import AudioFrontend
from ovbuild.runtime.audio import AudioError, audio_config
from ovbuild.runtime.audio.config import DEFAULTS


def test_defaults_equal_the_schema_defaults() -> None:
    schema = {f.name: f.default for f in dataclasses.fields(AudioFrontend)}
    for key, value in DEFAULTS.items():
        assert schema[key] == value, key


def test_config_takes_a_mapping_or_the_schema_dataclass() -> None:
    assert audio_config(AudioFrontend(n_mels=80))["n_mels"] == 80
    assert audio_config({"fmax": None, "n_mels": None})["n_mels"] == 40  # None: the default
    with pytest.raises(AudioError, match="unknown audio features 'spectro'"):
        audio_config({"features": "spectro"})
