"""The source contract and its registry: a source kind is one class.

Writing ``class PaddleSource(Source)`` with ``kind = "paddle"`` and a ``schema`` dataclass (the
keys ``source:`` may hold for that kind) registers both: the validator then checks a recipe's
``source`` against that kind's schema (as ``frontend`` is checked by its ``kind``), and the
``source``/``convert`` stages dispatch to it. Add ``conf/source/paddle.yaml`` so ``source=paddle``
selects it on the command line.

``input_files`` names what the source reads (their digests enter the cache key) and raises
:class:`~ovbuild.errors.SourceError` when the source is missing; it must not import heavy
libraries (key planning and ``ovbuild validate`` call it). ``convert`` writes OpenVINO IR
(``model.xml`` and any sub-models) into ``ctx.out_dir`` and returns a JSON-able description.

What the rest of ovbuild needs to know about a kind is asked of its class, never decided by
testing ``kind`` (``model_file``, ``huggingface_dir``, ``faster_whisper_dir``, ``torch_module``);
the defaults say "not this kind of source".
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, ClassVar

from ovbuild.config.sections import register_source
from ovbuild.registry import register_kind


class Source:
    """One kind of model source (see the module docstring)."""

    #: Every registered source class by kind, filled by ``__init_subclass__``.
    registry: ClassVar[dict[str, type[Source]]] = {}

    kind: ClassVar[str]
    #: The dataclass of this kind's ``source:`` keys (``kind`` included).
    schema: ClassVar[type]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if register_kind(cls, Source.registry, "source kind"):
            register_source(cls.kind, cls)

    def input_files(self, cfg: dict[str, Any]) -> list[Path]:
        raise NotImplementedError

    def convert(
        self, ctx: Any, cfg: dict[str, Any], shapes: dict[str, list[int]] | None = None
    ) -> dict[str, Any]:
        """Write ``model.xml`` (and any sub-models) into ``ctx.out_dir``; ``shapes`` are the
        recipe's ``inputs`` (static shapes by input name) for converters that need them."""
        raise NotImplementedError

    #: ``torch_module`` gives a PyTorch module (``ovbuild bench`` times it as a baseline).
    torch_baseline: ClassVar[bool] = False

    def model_file(self, cfg: Any) -> Path | None:
        """The one model file OpenVINO reads as it is, so its inputs are known before any stage
        runs; None when a stage must export the model first (or the file is missing)."""
        return None

    def huggingface_dir(self, cfg: Any) -> str | None:
        """The HuggingFace model directory the source is, as the recipe spells it: its tokenizer,
        ``config.json`` (labels, positions, task) and the transformers/optimum baselines."""
        return None

    def faster_whisper_dir(self, cfg: Any) -> Path | None:
        """The CTranslate2 weights faster-whisper runs (the speech bench compares against them)."""
        return None

    def torch_module(self, cfg: Any) -> Any:
        """The source as a PyTorch module in eval mode (the eager baseline), if ``torch_baseline``."""
        raise NotImplementedError(f"a {self.kind} source has no PyTorch module")


class ModuleSource(Source):
    """A kind whose ``input_files(cfg)`` and ``convert(ctx, cfg, shapes)`` are functions of the module
    that defines the class (the bundled kinds, whose functions tests also call directly)."""

    def input_files(self, cfg: dict[str, Any]) -> list[Path]:
        return sys.modules[type(self).__module__].input_files(cfg)

    def convert(
        self, ctx: Any, cfg: dict[str, Any], shapes: dict[str, list[int]] | None = None
    ) -> dict[str, Any]:
        return sys.modules[type(self).__module__].convert(ctx, cfg, shapes)
