"""Cached and published files are immutable, and damage never reaches a new artifact (issue 13, point 3)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from ovbuild import build
from ovbuild.errors import StageError
from ovbuild.hashing import sha256_text
from ovbuild.runtime import import_loader
from ovbuild.store import StageCache
from ovbuild.store.cache import ENTRY_FILE
from ovbuild.store.verify import artifact_problems, store_problems
from tests.conftest import recipe_for


@pytest.fixture
def vad_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of a built store (tests here damage it)."""
    base = tmp_path_factory.getbasetemp() / "cache-base"
    if not base.exists():
        build(recipe_for("recipe=silero_vad", root=base))
    copy = tmp_path_factory.mktemp("vad") / "store"
    shutil.copytree(base, copy, symlinks=True, copy_function=shutil.copy2)
    return copy


def _flip_keeping_mtime(path: Path, offset: int) -> bytes:
    st = path.stat()
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    with open(path, "r+b") as fh:  # root ignores the read-only bit, as an attacker with root would
        fh.seek(offset)
        fh.write(bytes([data[offset]]))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_mtime_ns == st.st_mtime_ns and path.stat().st_size == st.st_size
    return bytes(data)


def test_every_cached_and_published_file_is_read_only(vad_store: Path) -> None:
    files = [p for p in (vad_store / "cache").rglob("*") if p.is_file() and "_locks" not in p.parts]
    files = [p for p in files if "_digests" not in p.parts and p.name != "builds.jsonl"]
    files += [p for p in (vad_store / "artifacts").rglob("*") if p.is_file() and p.parent.name != "artifacts"]
    published = [p for p in files if p.name != "index.json"]
    assert len(published) > 20
    writable = [str(p) for p in published if p.stat().st_mode & 0o222]
    assert writable == []


def test_blob_damaged_in_place_with_mtime_kept_never_reaches_a_new_artifact(vad_store: Path) -> None:
    first = build(recipe_for("recipe=silero_vad", root=vad_store))
    entry = StageCache(vad_store).entry_dir("precompile", first.manifest.stage_keys["precompile"])
    damaged = _flip_keeping_mtime(entry / "cache" / "CPU.blob", 4096)
    second = build(recipe_for("recipe=silero_vad", "description=changed", root=vad_store))
    assert second.version == 2 and "precompile" in second.built  # the damaged entry was rebuilt
    assert (second.path / "cache" / "CPU.blob").read_bytes() != damaged
    assert artifact_problems(second.path) == []
    import_loader(second.path).load()  # verifies every digest and imports the blob
    assert store_problems(vad_store) == []  # the damaged entry is gone, not kept beside the new one


def test_damage_hidden_from_the_memo_is_caught_when_the_artifact_is_assembled(vad_store: Path) -> None:
    """An attacker who also rewrites the digest memo fools the cache lookup; emit hashes the
    bytes it publishes from their content and refuses to vouch for them."""
    first = build(recipe_for("recipe=silero_vad", root=vad_store))
    cache = StageCache(vad_store)
    entry = cache.entry_dir("precompile", first.manifest.stage_keys["precompile"])
    blob = entry / "cache" / "CPU.blob"
    recorded = json.loads((entry / ENTRY_FILE).read_text())["files"]["cache/CPU.blob"]["sha256"]
    _flip_keeping_mtime(blob, 4096)
    st = blob.resolve().stat()
    stamp = sha256_text(f"{blob.resolve()}|{st.st_size}|{st.st_mtime_ns}|{st.st_ctime_ns}|{st.st_ino}")
    (cache.memo.root / stamp[:2]).mkdir(parents=True, exist_ok=True)
    (cache.memo.root / stamp[:2] / stamp).write_text(recorded)  # the memo now lies
    assert cache.lookup("precompile", first.manifest.stage_keys["precompile"]) is not None
    with pytest.raises(StageError, match=r"damaged: cache/CPU.blob"):
        build(recipe_for("recipe=silero_vad", "description=changed", root=vad_store))
    assert [p.name for p in (vad_store / "artifacts" / "silero_vad").iterdir() if p.name.isdigit()] == ["1"]
