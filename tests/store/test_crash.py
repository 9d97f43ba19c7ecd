"""Publishing survives a kill at every step (issue 13, point 2).

A real ``ovbuild build`` process is ended with ``os._exit`` at each step of publishing (the
``OVBUILD_CRASH_AT`` hook); the store must then verify, the next build of the same name must
succeed with ``latest`` and ``index.json`` repaired, and ``gc`` must clear the leftovers.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ovbuild import build
from ovbuild.store import ArtifactStore
from ovbuild.store.crashpoints import CRASH_EXIT_CODE, ENV, STEPS
from ovbuild.store.gc import collect
from ovbuild.store.verify import artifact_problems, store_problems
from tests.conftest import recipe_for, run_cli


@pytest.fixture(scope="module")
def crash_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the shared early stages, so each kill run redoes only the late ones."""
    root = tmp_path_factory.mktemp("crash") / "store"
    build(recipe_for("recipe=silero_vad", root=root))
    return root


def _leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob(".*") if p.name.startswith((".tmp-", ".trash-"))]


@pytest.mark.parametrize("step", STEPS)
def test_kill_at_each_publishing_step(crash_store: Path, step: str) -> None:
    name = f"vad_{step.replace('.', '_')}"
    killed = run_cli(
        "build", "recipe=silero_vad", f"name={name}", f"store.root={crash_store}", env={ENV: step}
    )
    assert killed.returncode == CRASH_EXIT_CODE, (killed.stdout, killed.stderr)
    assert store_problems(crash_store) == []

    store = ArtifactStore(crash_store)
    published_before = [v["version"] for v in store.versions(name)]
    again = build(recipe_for("recipe=silero_vad", f"name={name}", root=crash_store))
    # A version the killed process renamed into place is found, not published twice.
    assert again.version == 1 and [v["version"] for v in store.versions(name)] == [1]
    assert again.new_version == (published_before == [])
    assert os.readlink(crash_store / "artifacts" / name / "latest") == "1"
    index = json.loads((crash_store / "artifacts" / name / "index.json").read_text())
    assert [v["version"] for v in index["versions"]] == [1]
    assert artifact_problems(again.path) == []
    assert store.resolve(name) == again.path.resolve()

    collect(crash_store, keep=5, grace=0)
    assert _leftovers(crash_store) == []
    assert store_problems(crash_store) == []
    assert build(recipe_for("recipe=silero_vad", f"name={name}", root=crash_store)).built == []


def test_a_half_removed_version_number_is_skipped(crash_store: Path) -> None:
    """A numbered directory without a manifest (deleted by hand, or an older ovbuild killed while
    removing) is not a version, keeps its number, and never blocks the next publish."""
    name = "vad_half_removed"
    (crash_store / "artifacts" / name / "1").mkdir(parents=True)
    (crash_store / "artifacts" / name / "1" / "model.bin").write_bytes(b"partial")
    result = build(recipe_for("recipe=silero_vad", f"name={name}", root=crash_store))
    assert result.version == 2
    assert [v["version"] for v in ArtifactStore(crash_store).versions(name)] == [2]
    collect(crash_store, keep=5, grace=0)
    assert not (crash_store / "artifacts" / name / "1").exists()
    assert ArtifactStore(crash_store).resolve(f"{name}/latest") == result.path.resolve()
