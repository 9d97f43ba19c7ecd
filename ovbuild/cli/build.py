"""``ovbuild build``: the Hydra app. Overrides and ``-m`` sweeps work as in any Hydra app."""

from __future__ import annotations

import logging
import sys
from typing import Any

from ovbuild.config import conf_dir, load_recipe, register_recipes
from ovbuild.errors import OvbuildError
from ovbuild.graph import BuildResult, build

log = logging.getLogger("ovbuild")


def summarize(result: BuildResult) -> str:
    """The console summary of one build: where it went, what ran, size, precision, accuracy."""
    manifest = result.manifest
    metrics = manifest.get("metrics", {})
    state = "new version" if result.new_version else "unchanged"
    lines = [
        f"{result.name} v{result.version} ({state}) -> {result.path}",
        f"  key {result.key[:16]}  built: {', '.join(result.built) or '-'}"
        f"  cached: {', '.join(result.reused) or '-'}"
        f"  in {result.seconds:.2f}s",
        f"  size {metrics.get('size_bytes', 0) / 1e6:.2f} MB; device {manifest['device_plan']['device']}",
    ]
    for name, value in (metrics.get("accuracy") or {}).items():
        lines.append(f"  accuracy {name} = {value:.6f}")
    for device, blob in manifest.get("blobs", {}).items():
        totals: dict[str, int] = {}
        for per_precision in blob["runtime_precisions"].values():
            for precision, n in per_precision.items():
                totals[precision] = totals.get(precision, 0) + n
        mix = ", ".join(f"{p}: {n}" for p, n in sorted(totals.items()))
        lines.append(f"  {device}: compiled in {blob['compile_seconds']:.2f}s; runtime precisions {mix}")
    return "\n".join(lines)


def run_build(cfg: Any) -> dict[str, Any]:
    """Build one composed config; a plain function the Hydra app calls and tests call directly."""
    from omegaconf import OmegaConf

    raw = OmegaConf.to_container(cfg, resolve=True, throw_on_missing=False)
    recipe = load_recipe(raw=raw)
    result = build(recipe)
    print(summarize(result), flush=True)
    return {"status": "success", "name": result.name, "version": result.version, "path": str(result.path)}


def _task(cfg: Any) -> dict[str, Any]:
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    try:
        return run_build(cfg)
    except OvbuildError as exc:
        if HydraConfig.get().mode == RunMode.MULTIRUN:
            # One failing variant must not stop a sweep; the report lists it with its reason.
            print(f"ovbuild: error: {exc}", file=sys.stderr, flush=True)
            return {"status": "error", "error": str(exc)}
        print(f"ovbuild: error: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(2) from exc


def main(argv: list[str]) -> int:
    import hydra

    multirun = any(a in ("-m", "--multirun") for a in argv)
    overrides = [a for a in argv if "=" in a and not a.startswith("-")]
    if not multirun and not any(a.startswith("--") and a not in ("--verbose",) for a in argv):
        load_recipe(overrides)  # one clear message for a bad recipe, before Hydra starts
    register_recipes()
    app = hydra.main(version_base=None, config_path=str(conf_dir()), config_name="config")(_task)
    sys.argv = ["ovbuild build", *argv]
    app()
    return 0
