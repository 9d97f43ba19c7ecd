"""A file no decoder can read: the error names every decoder tried, each with a reason."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ovbuild.runtime.audio import AudioDecodeError, audio_decode


@pytest.mark.filterwarnings("ignore")
def test_audio_decode_error_lists_no_empty_fallback(tmp_path: Path) -> None:
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"this is not audio " * 200)
    with pytest.raises(AudioDecodeError) as raised:
        audio_decode(str(junk))
    message = str(raised.value)
    assert str(junk) in message and "soundfile: " in message and "wave: " in message
    assert not re.search(r"(soundfile|librosa|wave): ?(;|$)", message), message
