"""The built-in front-end kinds: audio, text, image (see :mod:`ovbuild.stages.frontend_kind`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ovbuild.config.schema import AudioFrontend, ImageFrontend, TextFrontend
from ovbuild.stages._requirements import requirement
from ovbuild.stages.frontend_kind import FrontEnd


class AudioFrontEnd(FrontEnd):
    """Waveform → features (mel, MFCC, Whisper's log-mel), prepended to the model in f32."""

    kind = "audio"
    schema = AudioFrontend

    def embed(self, ctx: Any, parent: Any, config: dict[str, Any]) -> dict[str, Any]:
        from ovbuild.stages._frontend_audio import embed_audio

        return embed_audio(ctx, parent, config)

    def requirements(self, facts: dict[str, Any]) -> list[dict[str, Any]]:
        # The loader decodes WAV and resamples with the standard library and NumPy without these.
        return [
            requirement(
                "soundfile", "soundfile", "decoding FLAC/OGG/MP3 files (WAV works without)", required=False
            ),
            requirement("soxr", "soxr", "fast resampling (NumPy without)", required=False),
        ]


class TextFrontEnd(FrontEnd):
    """A tokenizer: compiled into the graph (openvino-tokenizers) or shipped for host-side use."""

    kind = "text"
    schema = TextFrontend

    def keyed(self, frontend: dict[str, Any], recipe: dict[str, Any]) -> dict[str, Any]:
        from ovbuild.config.tokenizer import tokenizer_source

        return {**frontend, "tokenizer": tokenizer_source(recipe)}  # an hf source's own, named in the key

    def input_files(self, frontend: dict[str, Any]) -> list[Path]:
        # An hf source's tokenizer is already part of the source's digests.
        return [Path(frontend["tokenizer"]).expanduser()] if frontend.get("tokenizer") else []

    def embed(self, ctx: Any, parent: Any, config: dict[str, Any]) -> dict[str, Any]:
        from ovbuild.stages._frontend_text import embed_text

        return embed_text(ctx, parent, config)

    def host(self, ctx: Any, parent: Any, config: dict[str, Any]) -> dict[str, Any]:
        from ovbuild.stages._frontend_text import ship_tokenizer

        return {"embedded": False, "assets": ship_tokenizer(ctx, config)}

    def requirements(self, facts: dict[str, Any]) -> list[dict[str, Any]]:
        if facts.get("embedded"):
            return []  # the tokenizer IR's openvino-tokenizers is found from the IR files themselves
        return [requirement("tokenizers", "tokenizers", "host-side tokenization (assets/tokenizer.json)")]


class ImageFrontEnd(FrontEnd):
    """Resize, layout, colour order and normalization: PrePostProcessor steps in the graph, or
    the same steps run by the loader."""

    kind = "image"
    schema = ImageFrontend

    def embed(self, ctx: Any, parent: Any, config: dict[str, Any]) -> dict[str, Any]:
        from ovbuild.stages._frontend_image import embed_image

        return embed_image(ctx, parent, config)

    def host(self, ctx: Any, parent: Any, config: dict[str, Any]) -> dict[str, Any]:
        from ovbuild.stages._frontend_image import host_image

        return host_image(ctx, parent, config)

    def requirements(self, facts: dict[str, Any]) -> list[dict[str, Any]]:
        return [requirement("pillow", "PIL", "reading image files (arrays work without)", required=False)]
