"""``ovbuild build``: the Hydra app. Overrides and ``-m`` sweeps work as in any Hydra app."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ovbuild.cli._errors import print_error
from ovbuild.cli.options import add_store_option, hydra_overrides, store_in_environment
from ovbuild.cli.subcommand import Subcommand
from ovbuild.errors import OvbuildError, RecipeError
from ovbuild.runtime.manifest import Manifest

if TYPE_CHECKING:
    from ovbuild.graph import BuildResult

log = logging.getLogger("ovbuild")


def _precision_lines(manifest: Manifest) -> list[str]:
    """What each device really runs, and a note when FP32 weights execute in a lower precision."""
    lines = []
    requested = manifest.precision
    pinned = manifest.device.get("inference_precision")
    for device, blob in manifest.blobs.items():
        totals: dict[str, int] = {}
        for per_precision in blob["runtime_precisions"].values():
            for precision, n in per_precision.items():
                totals[precision] = totals.get(precision, 0) + n
        mix = ", ".join(f"{p}: {n}" for p, n in sorted(totals.items()))
        runs = blob.get("inference_precision")
        lines.append(
            f"  {device}: runs in {runs}; compiled in {blob['compile_seconds']:.2f}s; "
            f"runtime precisions {mix}"
        )
        if requested == "fp32" and runs in ("bf16", "f16") and not pinned:
            lines.append(
                f"  note: precision=fp32 executes as {runs} on {device} (the device's default); "
                "add device.inference_precision=f32 to run in f32"
            )
    return lines


def summarize(result: BuildResult) -> str:
    """The console summary of one build: where it went, what ran, size, precision, accuracy."""
    manifest = result.manifest
    metrics = manifest.metrics
    state = "new version" if result.new_version else "unchanged"
    variant = manifest.label
    lines = [
        f"{result.name} v{result.version} ({state}) -> {result.path}",
        f"  variant {variant} ({result.name}@{variant})  key {result.key[:16]}"
        f"  built: {', '.join(result.built) or '-'}"
        f"  cached: {', '.join(result.reused) or '-'}"
        f"  in {result.seconds:.2f}s",
        f"  size {metrics.get('size_bytes', 0) / 1e6:.2f} MB; device {manifest.device_plan['device']}",
    ]
    from ovbuild.metrics.registry import accuracy_lines

    lines += [f"  {line}" for line in accuracy_lines(metrics.get("accuracy") or {})]
    if manifest.labels:
        lines.append(f"  labels ({len(manifest.labels)}): {', '.join(manifest.labels[:6])}")
    lines += _precision_lines(manifest)
    for name, value in (manifest.stages.get("frontend") or {}).get("defaulted", {}).items():
        lines.append(f"  note: the tokenizer gives no {name}; the model is fed {value} (its default)")
    return "\n".join(lines)


def run_build(cfg: Any) -> dict[str, Any]:
    """Build one composed config; a plain function the Hydra app calls and tests call directly."""
    from omegaconf import OmegaConf

    from ovbuild.cli._quiet import third_party_to_log
    from ovbuild.config import clear_dropped_groups, load_recipe
    from ovbuild.graph import build

    raw = OmegaConf.to_container(cfg, resolve=True, throw_on_missing=False)
    recipe = load_recipe(raw=clear_dropped_groups(raw, _task_overrides()))
    with third_party_to_log(_log_file(recipe)) as captured:
        result = build(recipe)
    print(summarize(result), flush=True)
    if captured.summary():
        print(captured.summary(), flush=True)
    return {"status": "success", "name": result.name, "version": result.version, "path": str(result.path)}


def _task_overrides() -> list[str]:
    from hydra.core.hydra_config import HydraConfig

    return list(HydraConfig.get().overrides.task) if HydraConfig.initialized() else []


def _log_file(recipe: dict[str, Any]) -> Path:
    """The build's log file in Hydra's run dir (``<store>/runs/...``), beside Hydra's own log."""
    from hydra.core.hydra_config import HydraConfig

    if HydraConfig.initialized():
        return Path(HydraConfig.get().runtime.output_dir) / "third_party.log"
    return Path(recipe["store"]["root"]) / "runs" / "third_party.log"


def _task(cfg: Any) -> dict[str, Any]:
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    try:
        return run_build(cfg)
    except Exception as exc:
        if HydraConfig.get().mode == RunMode.MULTIRUN:
            # One failing variant must not stop a sweep (nor, through Hydra's sweeper re-raising
            # a failed job, the report): it is listed with its reason and the exit code says so.
            reason = str(exc) if isinstance(exc, OvbuildError) else f"{type(exc).__name__}: {exc}"
            print(f"ovbuild: error: {reason}", file=sys.stderr, flush=True)
            from ovbuild.errors import GateMissed

            if isinstance(exc, GateMissed):  # built but below its bound: the report still shows it
                return {"status": "missed_gate", "error": reason, "gate": exc.record()}
            return {"status": "error", "error": reason}
        if not isinstance(exc, OvbuildError):
            raise
        print_error(exc)
        raise SystemExit(2) from exc


def _check_run_dir_root(root: str) -> None:
    """Hydra keeps its run directory (``<store>/runs/...``) as config text and reads it back as an
    interpolation, so a store path holding ``${`` would send its logs elsewhere: refused, naming it.
    (``validate``, ``ls``, ``show`` and ``gc`` take such a path literally.)"""
    if "${" in root:
        raise RecipeError(
            f"store.root: {root!r} contains '${{': Hydra would read the build's run directory "
            "below it as an interpolation; build into a directory whose path has no '${'"
        )


# Hydra's flags that take a value (`--cfg job`, `-p source`): their value is not an override.
_HYDRA_VALUE_FLAGS = {"--cfg", "-c", "--package", "-p", "--info", "-i", "--config-path", "-cp"}
_HYDRA_VALUE_FLAGS |= {"--config-name", "-cn", "--config-dir", "-cd", "--experimental-rerun"}


def _stray_words(argv: list[str]) -> list[str]:
    """Words that are neither an override, a flag, nor a Hydra flag's value."""
    stray = []
    for i, word in enumerate(argv):
        after_flag = i > 0 and argv[i - 1] in _HYDRA_VALUE_FLAGS
        if "=" not in word and not word.startswith(("-", "~")) and not after_flag:
            stray.append(word)
    return stray


def main(argv: list[str]) -> int:
    """Run the Hydra app on ``argv`` (overrides and Hydra flags, as typed)."""
    import hydra

    from ovbuild.config import conf_dir, load_recipe, register_recipes
    from ovbuild.config.overrides import normalize_overrides

    # conf/hydra/launcher/{joblib,ray}.yaml share their plugin schema's name on purpose, so
    # `hydra/launcher=joblib` picks ovbuild's tuning and is still type-checked against it.
    warnings.filterwarnings("ignore", message="(?s).*is validated against ConfigStore schema")
    multirun = any(a in ("-m", "--multirun") for a in argv)
    stray = _stray_words(argv)
    if stray:
        hint = "expected KEY=VALUE (e.g. precision=fp16), or ~KEY to drop a key"
        raise RecipeError(f"override {stray[0]!r}: {hint}")
    overrides = [a for a in argv if ("=" in a or a.startswith("~")) and not a.startswith("-")]
    if not multirun and not any(a.startswith("--") and a not in ("--verbose",) for a in argv):
        # One clear message for a bad recipe or store, before Hydra starts (and writes its run dir).
        from ovbuild.graph import store_root
        from ovbuild.preflight import check_recipe
        from ovbuild.store.fs import probe_writable

        recipe = load_recipe(overrides)
        check_recipe(recipe, store_root(recipe))
        _check_run_dir_root(str(store_root(recipe)))
        probe_writable(store_root(recipe))  # a full or read-only store: one line, not Hydra's traceback
    if multirun:
        from ovbuild.cli.options import STORE_ENV
        from ovbuild.sweeps import set_rejected, split_sweep

        _check_run_dir_root(os.environ.get(STORE_ENV, ""))

        # Hydra composes every job before launching any: a bad value (precision=fp32,nope) would
        # stop the whole sweep, so it is taken out here and reported as one failed variant.
        checked = split_sweep(argv)
        argv = checked.argv
        set_rejected(checked.rejected)
    normalized = normalize_overrides(argv)
    register_recipes(normalized.recipe_files)
    argv = normalized.items
    app = hydra.main(version_base=None, config_path=str(conf_dir()), config_name="config")(_task)
    sys.argv = ["ovbuild build", *argv]
    app()
    if multirun:
        from ovbuild.sweeps import last_report

        report = last_report()
        if report is not None and report.failed:
            names = "; ".join(f"{r['variant']}: {r['error']}" for r in report.failed)
            print(
                f"ovbuild: error: {len(report.failed)} of {len(report.rows)} variants failed ({names}); "
                f"report: {report.report_dir / 'report.md'}",
                file=sys.stderr,
            )
            return 2
    return 0


class Build(Subcommand):
    name = "build"
    order = 10
    help = "build a recipe into a versioned artifact (Hydra overrides; -m sweeps)"
    description = (
        "Build a recipe. Every argument is a Hydra override (recipe=NAME|PATH, precision=int8,\n"
        "device=cpu_throughput, inputs.NAME=[1,128], store.root=DIR, ...); -m sweeps comma-separated\n"
        "values (precision=fp32,int8) into one artifact per variant and a report."
    )
    epilog = "examples:\n  ovbuild build recipe=minilm\n  ovbuild build -m recipe=minilm precision=fp32,int8"
    passthrough = True

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("overrides", nargs="*", metavar="OVERRIDE", help="KEY=VALUE Hydra overrides")
        parser.add_argument(
            "-m", "--multirun", action="store_true", help="sweep: one build per combination of values"
        )
        add_store_option(parser)

    def run(self, args: argparse.Namespace) -> int:
        with store_in_environment(args):
            return main(hydra_overrides(args))
