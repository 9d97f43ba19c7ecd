"""``ovbuild check --model`` with a model hub id explains that a local copy is needed."""

from __future__ import annotations

from pathlib import Path

from ovbuild.check import run_checks


def test_check_model_hub_id_explains_local_copy(tmp_path: Path) -> None:
    (row,) = run_checks(["mixed_precision"], store_root=tmp_path, model="bert-base-uncased")
    assert not row.passed
    for expected in ("bert-base-uncased", "hub id", "local copy", "config.json", "--local-dir"):
        assert expected in row.detail, row.detail
    assert not (tmp_path / "artifacts").exists()
