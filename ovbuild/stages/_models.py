"""Helpers for stages that carry the model files forward unchanged.

What flows from stage to stage, and so into the artifact: IR files (``*.xml``/``*.bin``) at the
top of an entry and whatever a stage puts under ``assets/`` (e.g. a host-side tokenizer). Other
files a stage writes (statistics, reference outputs) stay in its own entry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ovbuild.store import ASSETS, CacheEntry
from ovbuild.store.fs import link_or_copy

_MODEL_SUFFIXES = (".xml", ".bin")


def model_files(entry: CacheEntry) -> list[Path]:
    """Every IR file an entry carries (main model, tokenizer, sub-models)."""
    return sorted(p for p in entry.path.iterdir() if p.suffix in _MODEL_SUFFIXES)


def carry_models(entry: CacheEntry, out_dir: Path, skip: tuple[str, ...] = ()) -> list[str]:
    """Hard-link the parent's IR files and assets into ``out_dir``, except those ``out_dir``
    already holds (a stage's own output wins); entries are immutable, so linking is safe."""
    names = []
    for path in model_files(entry):
        if path.name in skip or (out_dir / path.name).exists():
            continue
        link_or_copy(path, out_dir / path.name)
        names.append(path.name)
    assets = entry.path / ASSETS
    if assets.is_dir():
        for path in sorted(assets.rglob("*")):
            target = out_dir / ASSETS / path.relative_to(assets)
            if path.is_file() and not target.exists():
                link_or_copy(path, target)
    return names


def name_unnamed_ports(model: Any) -> None:
    """Give every input and output tensor without a name one (``input_<i>``/``output_<i>``).

    ``ov.convert_model(torch_module)`` leaves outputs unnamed, and OpenVINO then refuses to say
    which tensor is which (``Attempt to get a name for a Tensor without names``); every later
    stage, the manifest and the loader address ports by name.
    """
    taken = {n for port in [*model.inputs, *model.outputs] for n in port.get_names()}
    for kind, ports in (("input", model.inputs), ("output", model.outputs)):
        for i, port in enumerate(ports):
            if port.get_names():
                continue
            name = f"{kind}_{i}"
            while name in taken:
                name += "_"
            port.get_tensor().set_names({name})
            taken.add(name)
