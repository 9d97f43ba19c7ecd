"""The stage graph: compute every stage's key up front, reuse what the cache holds, run the rest,
and publish the final entry as an artifact version.

Keys depend only on the recipe, the files it names, package versions and the ovbuild code each
stage runs (:mod:`ovbuild.imports`), never on outputs, so an unchanged rebuild is answered from
the artifact index without touching a stage. The stages and their order come from the registry
(:mod:`ovbuild.stages.base`); each runs through ``Stage.execute``, which carries models forward.
"""

from __future__ import annotations

import inspect
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ovbuild.errors import OvbuildError, StageError, StoreWriteError, openvino_reason
from ovbuild.extras import install_hint, missing_package_message
from ovbuild.hashing import DigestMemo, package_versions, sha256_json
from ovbuild.imports import CodeIndex
from ovbuild.preflight import check_inputs, check_lineage, check_recipe
from ovbuild.runtime.manifest import Manifest
from ovbuild.stages import Stage, StageContext, default_stages
from ovbuild.stages.base import SharedCore
from ovbuild.store import ArtifactStore, CacheEntry, StageCache
from ovbuild.store.fs import store_writes, write_problem
from ovbuild.store.lease import lease
from ovbuild.store.paths import check_name

log = logging.getLogger("ovbuild")


@dataclass
class PlannedStage:
    stage: Stage
    config: dict[str, Any]
    key: str
    files: dict[str, str]


@dataclass
class BuildResult:
    name: str
    version: int
    path: Path
    key: str
    new_version: bool
    built: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def manifest(self) -> Manifest:
        return Manifest.read(self.path)


def store_root(recipe: dict[str, Any], override: str | Path | None = None) -> Path:
    return Path(override or recipe["store"]["root"]).expanduser().resolve()


def plan_stages(
    recipe: dict[str, Any], cache: StageCache, stages: list[Stage] | None = None
) -> list[PlannedStage]:
    """Every active stage with its config and full sha256 cache key, in order."""
    packages = package_versions()
    code_index = CodeIndex()
    planned: list[PlannedStage] = []
    parent_key = None
    for stage in stages or default_stages():
        config = stage.config(recipe)
        if config is None:
            continue
        files: dict[str, str] = {}
        for path in stage.input_files(recipe):
            for rel, digest in cache.memo.tree(path).items():
                files[f"{path}/{rel}" if Path(path).is_dir() else str(path)] = digest
        key = sha256_json(
            {
                "stage": stage.name,
                "version": stage.version,
                "config": config,
                "parent": parent_key,
                "files": files,
                "packages": packages,
                "code": _code_digest(stage, code_index, cache),
            }
        )
        planned.append(PlannedStage(stage, config, key, files))
        parent_key = key
    return planned


def _code_digest(stage: Stage, index: CodeIndex, cache: StageCache) -> str:
    return code_digest(Path(inspect.getfile(type(stage))), index, cache.memo)


def code_digest(stage_file: Path, index: CodeIndex, memo: DigestMemo) -> str:
    """A digest of the source files a stage runs (its module and everything it imports from
    ovbuild): editing them rebuilds the stage even without a ``version`` bump, while editing code
    it never runs (the CLI, other stages) leaves its entries valid."""
    files = index.closure(stage_file)
    return sha256_json({_code_name(f, index.root): memo.digest(f) for f in files})


def _code_name(file: Path, root: Path) -> str:
    return file.relative_to(root).as_posix() if file.is_relative_to(root) else str(file)


def build(
    recipe: dict[str, Any], *, root: str | Path | None = None, stages: list[Stage] | None = None
) -> BuildResult:
    """Build a validated recipe into a versioned artifact, reusing every cached stage.

    Raises:
        SourceError, StageError: a stage could not run; nothing is published.

    >>> from ovbuild import build, load_recipe
    >>> build(load_recipe(["recipe=silero_vad"])).version  # doctest: +SKIP
    1
    """
    started = time.perf_counter()
    store = store_root(recipe, root)
    check_name(recipe["name"])
    check_recipe(recipe, store)  # every bad value, before anything is written
    with store_writes(store):  # a full or read-only store: one line naming device, path, store
        cache = StageCache(store)
        artifacts = ArtifactStore(store)
        planned = plan_stages(recipe, cache, stages)  # writes only the digest memo
        if artifacts.find_key(recipe["name"], planned[-1].key) is None:
            check_lineage(recipe, store, cache.memo)  # a new version of this name: of the same model
            check_inputs(recipe)  # model, devices and data: before the first stage publishes
        # The lease keeps a concurrent `ovbuild gc` away from every entry this build reads or writes.
        with lease(store, recipe["name"], [p.key for p in planned]):
            result = _run(recipe, store, cache, artifacts, planned)
            _sign(recipe, result.path)
    result.seconds = time.perf_counter() - started
    return result


def _run(
    recipe: dict[str, Any],
    store: Path,
    cache: StageCache,
    artifacts: ArtifactStore,
    planned: list[PlannedStage],
) -> BuildResult:
    final_key = planned[-1].key
    found = artifacts.find_key(recipe["name"], final_key)
    if found is not None:
        artifacts.heal(recipe["name"])
        log.info("%s: unchanged, version %d (%s)", recipe["name"], found.version, final_key[:12])
        return BuildResult(
            found.name, found.version, found.path, final_key, False, reused=[p.stage.name for p in planned]
        )

    result = BuildResult(recipe["name"], 0, Path(), final_key, False)
    ancestors: dict[str, CacheEntry] = {}
    parent: CacheEntry | None = None
    shared_core = SharedCore()
    for item in planned:
        produce = _producer(item, recipe, store, shared_core, parent, ancestors)
        if not item.stage.cached:
            entry = CacheEntry(item.stage.name, item.key, store, produce(store))
        else:
            entry, built = cache.build(item.stage.name, item.key, produce)
            (result.built if built else result.reused).append(item.stage.name)
            log.info("[%s] %s %s", item.stage.name, "built" if built else "cached", item.key[:12])
        ancestors[item.stage.name] = entry
        parent = entry
    published = artifacts.publish(recipe["name"], final_key, parent.path, sha256_json(recipe))
    result.version, result.path, result.new_version = published.version, published.path, published.new
    return result


def _sign(recipe: dict[str, Any], path: Path) -> None:
    """Sign the version when the recipe has a ``sign:`` section and it is not signed yet (a
    crash between publish and signing is repaired by the next build)."""
    if not recipe.get("sign"):
        return
    from ovbuild.runtime.signature import SIGNATURE
    from ovbuild.store.signing import sign

    if not (path / SIGNATURE).is_file():
        cfg = recipe["sign"]
        chain = tuple(cfg.get("chain") or ())
        sign(
            path,
            cfg["key"],
            password_env=cfg.get("password_env"),
            certificate=cfg.get("certificate"),
            chain=chain,
        )


def _producer(
    item: PlannedStage,
    recipe: dict[str, Any],
    store: Path,
    shared_core: SharedCore,
    parent: CacheEntry | None,
    ancestors: dict[str, CacheEntry],
):
    def produce(out_dir: Path) -> dict[str, Any]:
        ctx = StageContext(
            out_dir=out_dir,
            store_root=store,
            ancestors=dict(ancestors),
            key=item.key,
            log=logging.getLogger(f"ovbuild.{item.stage.name}"),
            shared_core=shared_core,
        )
        try:
            result = item.stage.execute(ctx, parent, item.config)
        except OvbuildError:
            raise
        except Exception as exc:
            # Checked before the temp dir is removed: a full disk is still full now.
            full = write_problem(exc, out_dir, store, guess=True)
            if full:
                raise StoreWriteError(f"stage {item.stage.name}: {full}") from exc
            # One line with the useful part of (often multi-line) OpenVINO messages; the whole
            # message stays in the cause chain that --verbose prints.
            if isinstance(exc, ModuleNotFoundError) and install_hint(exc.name):
                message = missing_package_message(exc.name, f"stage {item.stage.name}")
                raise StageError(f"stage {item.stage.name} failed: {message}") from exc
            reason = openvino_reason(exc)
            raise StageError(f"stage {item.stage.name} failed: {type(exc).__name__}: {reason}") from exc
        return result

    return produce
