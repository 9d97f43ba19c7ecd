"""One store setting: ``--store``/``store.root=`` > ``$OVBUILD_STORE`` > ``./outputs``, in every command."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli


def test_one_store_setting_everywhere(shared_store: Path, tmp_path: Path) -> None:
    env = {"OVBUILD_STORE": str(shared_store)}
    built = run_cli("build", "recipe=silero_vad", env=env, cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert str(shared_store / "artifacts" / "silero_vad") in built.stdout
    assert not (tmp_path / "outputs").exists()
    for command in (["ls"], ["show", "silero_vad"], ["gc", "--dry-run"]):
        done = run_cli(*command, env=env, cwd=tmp_path)
        assert done.returncode == 0 and "no artifacts" not in done.stdout, (command, done.stderr)
    # an explicit store wins over the environment, in both spellings
    other = tmp_path / "other"
    empty = run_cli("ls", "--store", str(other), env=env, cwd=tmp_path)
    assert f"no artifacts in {other}" in empty.stdout and "OVBUILD_STORE" in empty.stdout
    checked = run_cli("validate", "recipe=silero_vad", f"store.root={other}", env=env, cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
