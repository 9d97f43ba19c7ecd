"""How ``run_inference`` runs particular artifacts: a hook may take a call over.

A hook is ``hook(model: LoadedModel, data, config: dict) -> results | None``. It returns the
``results`` value of the result dict (e.g. ``{"text": "..."}`` for a speech recognizer given an
audio file), or ``None`` to let the next hook, and finally the plain loader call, handle it. The
facade still times the call and builds the legacy result dict around what the hook returns.

To add one (e.g. Whisper transcripts for ``model_type: "audio"``): write a module with a function
decorated with :func:`inference_hook` and list the module in :data:`HOOK_MODULES`; modules are
imported on the first ``run_inference``, so heavy imports stay out of ``import ovbuild.compat``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

InferenceHook = Callable[[Any, Any, dict[str, Any]], Any]

#: Modules whose import registers hooks.
HOOK_MODULES: list[str] = ["ovbuild.compat._whisper"]
_HOOKS: list[InferenceHook] = []
_imported: set[str] = set()


def inference_hook(hook: InferenceHook) -> InferenceHook:
    """Register ``hook`` (a decorator)."""
    _HOOKS.append(hook)
    return hook


def run_hooks(model: Any, data: Any, config: dict[str, Any]) -> Any:
    """The first hook's results for this call, or ``None`` when no hook takes it."""
    for module in HOOK_MODULES:
        if module not in _imported:
            importlib.import_module(module)
            _imported.add(module)
    for hook in _HOOKS:
        results = hook(model, data, config)
        if results is not None:
            return results
    return None
