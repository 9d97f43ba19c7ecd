"""The stage contract, and the registry that orders the graph.

A stage is one class: writing ``class Prune(Stage)`` with a ``name`` and an ``order`` registers
it (Olive's ``Pass`` registry). It returns its slice of the recipe from :meth:`Stage.config`
(``None`` skips the stage; the slice is also its cache-key material), names the files it reads
in :meth:`Stage.input_files` (their digests enter the key) and implements :meth:`Stage.run`,
which writes only into ``ctx.out_dir`` and returns its declared :class:`StageResult` (``Result``;
:mod:`ovbuild.stages.results`). Later stages read it by type, ``ctx.result(ConvertResult)``; the
store and the manifest hold it as the JSON object :meth:`StageResult.to_json` gives. The base
class carries the parent's model files forward after ``run`` (whatever ``run`` did not write
itself), so no stage can drop the IR by forgetting to; a stage that must not carry sets
``carries_models = False``. A stage whose section is new to the recipe declares ``section`` and ``schema`` (a
dataclass), and the validator checks it like any built-in section.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar, TypeVar

from ovbuild.registry import register
from ovbuild.store import CacheEntry

MODEL_XML = "model.xml"

R = TypeVar("R", bound="StageResult")


def optional(default: Any = None) -> Any:
    """A result field that is left out of the JSON while it is ``None`` (the stage did not set it)."""
    return field(default=default, metadata={"omit_if_none": True})


@dataclass(frozen=True)
class StageResult:
    """What one stage hands to the later ones, declared as a frozen dataclass per stage.

    ``stage`` names the stage that produces it, so readers ask for the type and never spell the
    stage's name. In the store and the manifest it is a JSON object: the fields, then ``details``
    (what the stage records for people and tools but no later stage reads) merged in at the top
    level, so the layout is the one stages wrote before results were typed and old entries load.
    """

    stage: ClassVar[str]
    #: The rest of the JSON object, read by no later stage (a source's own conversion facts, ...).
    details: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def from_json(cls: type[R], record: Mapping[str, Any]) -> R:
        """The result from its JSON object (an entry written by any ovbuild version): missing
        fields take their defaults, unknown keys go to ``details``."""
        names = {f.name for f in dataclasses.fields(cls)} - {"details"}
        known = {k: v for k, v in record.items() if k in names}
        rest = MappingProxyType({k: v for k, v in record.items() if k not in names})
        return cls(**known, details=rest)

    def to_json(self) -> dict[str, Any]:
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name != "details" and not (value is None and f.metadata.get("omit_if_none")):
                out[f.name] = value
        return {**out, **self.details}


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
    """What a running stage may use. It writes only into ``out_dir``.

    There is no recipe here: a stage reads only the config its :meth:`Stage.config` returned
    (which its cache key digests), its input files, and its ancestors' entries (whose keys chain
    into its own), so nothing a stage reads can change without changing its key.
    """

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

    def entry(self, kind: type[StageResult]) -> CacheEntry | None:
        """The ancestor entry (its files) of the stage that produces ``kind``, if it ran."""
        return self.ancestors.get(kind.stage)

    def result(self, kind: type[R]) -> R | None:
        """The typed result of the ancestor stage that produces ``kind``, or None if it did not run."""
        entry = self.entry(kind)
        return None if entry is None else kind.from_json(entry.result)

    def reference(self) -> CacheEntry | None:
        """The float model the candidate is judged against: see :func:`reference_entry`."""
        return reference_entry(self.ancestors)


class Stage:
    """One step of the stage graph (see the module docstring for the contract)."""

    #: Every concrete stage class by name, filled by ``__init_subclass__``.
    registry: ClassVar[dict[str, type[Stage]]] = {}

    name: ClassVar[str]
    #: Position in the graph; stages run in ascending ``order`` (built-ins step by 10).
    order: ClassVar[int]
    version: ClassVar[int] = 1
    #: ``run`` writes a new float ``model.xml`` (a candidate reference for ``validate``/``emit``).
    produces_model: ClassVar[bool] = False
    #: ``run`` changes the numerics (quantization): later models are no longer the reference.
    changes_numerics: ClassVar[bool] = False
    #: After ``run``, the parent's IR files and assets that ``run`` did not write are linked in.
    carries_models: ClassVar[bool] = True
    #: A recipe section this stage adds (with its dataclass ``schema``), checked by the validator.
    section: ClassVar[str | None] = None
    schema: ClassVar[type | None] = None
    #: A stage that does not yet transform its input says so here; ``ovbuild show`` prints it.
    passthrough_note: ClassVar[str | None] = None
    #: False for stages whose whole result is cheap metadata: they run every build and leave no
    #: entry, so a build that fails later leaves nothing behind for them.
    cached: ClassVar[bool] = True
    #: The type :meth:`run` returns (its ``stage`` is this stage's ``name``).
    Result: ClassVar[type[StageResult] | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            return  # a shared helper base, not a stage
        if not isinstance(getattr(cls, "order", None), int):
            raise TypeError(f"stage {cls.name!r}: declare its position with an int 'order'")
        register(Stage.registry, cls.name, cls, "stage name")
        if cls.section is not None and cls.schema is not None:
            from ovbuild.config.sections import register_section

            register_section(cls.section, cls.schema)

    def config(self, recipe: dict[str, Any]) -> Any:
        raise NotImplementedError

    def input_files(self, recipe: dict[str, Any]) -> list[Path]:
        return []

    def run(self, ctx: StageContext, parent: CacheEntry | None, config: Any) -> StageResult | dict[str, Any]:
        raise NotImplementedError

    def execute(self, ctx: StageContext, parent: CacheEntry | None, config: Any) -> dict[str, Any]:
        """:meth:`run`, then carry the parent's models forward (what the graph calls); the result
        as the JSON object the store records (a plug-in stage may still return a plain dict)."""
        result = self.run(ctx, parent, config)
        if self.carries_models and parent is not None:
            from ovbuild.stages._models import carry_models

            carry_models(parent, ctx.out_dir)
        return result.to_json() if isinstance(result, StageResult) else result


def stage_classes() -> list[type[Stage]]:
    """Every registered stage class, in graph order."""
    return sorted(Stage.registry.values(), key=lambda cls: cls.order)


def reference_entry(ancestors: Mapping[str, CacheEntry]) -> CacheEntry | None:
    """The last model-producing ancestor before the first numerics-changing one: the FP32 model
    as it stood before compression, which ``validate`` scores against and ``emit`` records."""
    found = None
    for name, entry in ancestors.items():
        cls = Stage.registry.get(name)
        if cls is None:
            continue
        if cls.changes_numerics:
            break
        if cls.produces_model and entry.file(MODEL_XML).is_file():
            found = entry
    return found
