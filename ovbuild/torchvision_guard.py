"""Keeps a torchvision that cannot load beside the installed torch from breaking transformers.

optimum-intel declares torchvision, so ``pip install ovbuild[hf]`` brings one; PyPI's torchvision is
built against a different torch than the CPU build the ``hf`` extra pins, and its import fails
("operator torchvision::nms does not exist"). transformers decides whether torchvision is present
from ``importlib.util.find_spec`` alone, then imports it from deep inside its lazy modules, so the
failure surfaces as ``Could not import module 'PreTrainedModel'`` in the middle of a conversion.

:func:`install` puts a finder on ``sys.meta_path`` that, the first time anything looks for
transformers, optimum or sentence-transformers, tries ``import torchvision`` once. If that raises,
torchvision is made to look absent (``sys.modules["torchvision"] = None``, which ``find_spec``
reports as "not installed"), so transformers takes its torchvision-free paths. ovbuild itself never
uses torchvision. ``ovbuild doctor`` reports the broken install and names the fix (:func:`diagnose`).
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from typing import Any

_TRIGGERS = frozenset({"transformers", "optimum", "sentence_transformers"})
_lock = threading.Lock()
#: ``None`` until probed; then the reason torchvision failed to import, or ``""`` if it loaded.
_failure: str | None = None
FIX = "pip uninstall -y torchvision (ovbuild does not use it; transformers then skips it)"


def _present() -> bool:
    if "torchvision" in sys.modules:
        return sys.modules["torchvision"] is not None
    try:
        from importlib.machinery import PathFinder

        return PathFinder.find_spec("torchvision") is not None
    except (ImportError, ValueError):
        return False


def shield() -> str:
    """Try torchvision once; if it cannot be imported, hide it. Returns why it failed ("" if it
    loaded or is not installed). Safe from many threads; later calls return the first answer."""
    global _failure
    with _lock:
        if _failure is not None:
            return _failure
        if not _present() or sys.modules.get("torchvision") is not None:
            _failure = ""
            return _failure
        try:
            import torchvision  # noqa: F401
        except Exception as exc:  # RuntimeError from torch.library, ImportError from _C, ...
            for name in [n for n in sys.modules if n == "torchvision" or n.startswith("torchvision.")]:
                del sys.modules[name]
            sys.modules["torchvision"] = None  # type: ignore[assignment]
            lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
            _failure = f"{type(exc).__name__}: {lines[0] if lines else ''}"
        else:
            _failure = ""
        return _failure


class _Finder:
    """A meta-path finder that finds nothing: it only runs :func:`shield` before the first lookup
    of a library that imports torchvision, then lets the normal finders continue."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        # It stays on sys.meta_path: removing it here would shift the list the import system is
        # iterating over and skip the next finder.
        if _failure is None and name in _TRIGGERS:
            shield()
        return None


_FINDER = _Finder()


def install() -> None:
    """Arm the finder (idempotent); a no-op once the libraries it guards were imported."""
    if any(name in sys.modules for name in _TRIGGERS):
        shield()
        return
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)


def diagnose() -> dict[str, Any]:
    """For ``ovbuild doctor``, in a fresh interpreter so the answer does not depend on what this
    process imported: ``{"present": bool, "loads": bool, "error": str, "fix": str}``."""
    import subprocess

    if importlib.util.find_spec("torchvision") is None and "torchvision" not in sys.modules:
        return {"present": False, "loads": False, "error": "", "fix": ""}
    probe = subprocess.run(
        [sys.executable, "-c", "import torchvision"], capture_output=True, text=True, timeout=300
    )
    if probe.returncode == 0:
        return {"present": True, "loads": True, "error": "", "fix": ""}
    lines = [ln.strip() for ln in probe.stderr.splitlines() if ln.strip()]
    return {"present": True, "loads": False, "error": lines[-1] if lines else "", "fix": FIX}
