"""The stage contract: a name, a version, the slice of the recipe it depends on, and one ``run``."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from ovbuild.store import CacheEntry

MODEL_XML = "model.xml"


class SharedCore:
    """One ``ov.Core`` for every stage of a build, made on first use (a build that is answered
    from the cache never imports openvino)."""

    def __init__(self) -> None:
        self._core: Any = None
        self._lock = threading.Lock()

    def get(self) -> Any:
        with self._lock:
            if self._core is None:
                import openvino as ov

                try:  # its extension registers itself on every Core made after the import, so any
                    import openvino_tokenizers  # noqa: F401  stage can read IR with tokenizer ops
                except ImportError:
                    pass
                self._core = ov.Core()
            return self._core


@dataclass
class StageContext:
    """What a running stage may use. It writes only into ``out_dir``."""

    recipe: dict[str, Any]
    out_dir: Path
    store_root: Path
    ancestors: dict[str, CacheEntry] = field(default_factory=dict)
    #: The running stage's own cache key (``emit`` records it beside its ancestors' keys).
    key: str = ""
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("ovbuild.stage"))
    shared_core: SharedCore = field(default_factory=SharedCore)

    @property
    def core(self) -> Any:
        return self.shared_core.get()

    def read_model(self, entry: CacheEntry, name: str = MODEL_XML) -> Any:
        return self.core.read_model(str(entry.file(name)))

    def save_model(self, model: Any, name: str = MODEL_XML, *, fp16: bool = False) -> Path:
        import openvino as ov

        from ovbuild.stages._models import name_unnamed_ports

        path = self.out_dir / name
        name_unnamed_ports(model)
        ov.save_model(model, str(path), compress_to_fp16=fp16)
        return path


class Stage:
    """One step of the stage graph.

    Subclasses set ``name`` and ``version`` (bump it when the stage's output bytes change),
    return their slice of the recipe from :meth:`config` (``None`` skips the stage), name the
    files they read in :meth:`input_files` (their digests enter the cache key), and implement
    :meth:`run`, which writes into ``ctx.out_dir`` and returns a JSON-able result.
    """

    name: ClassVar[str]
    version: ClassVar[int] = 1
    #: A stage that does not yet transform its input says so here; ``ovbuild show`` prints it.
    passthrough_note: ClassVar[str | None] = None
    #: False for stages whose whole result is cheap metadata: they run every build and leave no
    #: entry, so a build that fails later leaves nothing behind for them.
    cached: ClassVar[bool] = True

    def config(self, recipe: dict[str, Any]) -> dict[str, Any] | None:
        raise NotImplementedError

    def input_files(self, recipe: dict[str, Any]) -> list[Path]:
        return []

    def run(self, ctx: StageContext, parent: CacheEntry | None, config: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError
