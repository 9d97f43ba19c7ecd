"""``ovbuild gc`` takes only sane arguments, keeps what ``latest`` of a variant or a sweep report
references, lists with ``--dry-run``; ``ovbuild report`` never overwrites a good report with an
error (issue 22, point 3)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from ovbuild import build
from ovbuild.cli.main import main
from ovbuild.store import ArtifactStore
from ovbuild.store.verify import store_problems
from ovbuild.sweeps.report import write_report
from tests.conftest import recipe_for, run_cli


def _tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.fixture(scope="module")
def variants(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding silero_vad v1 (fp32), v2 (fp16), v3 (fp16 again, another description)."""
    root = tmp_path_factory.mktemp("gc_store")
    build(recipe_for("recipe=silero_vad", root=root))
    build(recipe_for("recipe=silero_vad", "precision=fp16", root=root))
    build(recipe_for("recipe=silero_vad", "precision=fp16", "description=again", root=root))
    assert [v["version"] for v in ArtifactStore(root).versions("silero_vad")] == [1, 2, 3]
    return root


def _copy(store: Path, tmp_path: Path) -> Path:
    target = tmp_path / "store"
    shutil.copytree(store, target, symlinks=True)
    return target


BAD_ARGUMENTS = [
    (["--keep", "-1"], "--keep"),
    (["--keep", "0"], "--keep"),
    (["--keep", "1.5"], "--keep"),
    (["--keep", "many"], "--keep"),
    (["--keep", ""], "--keep"),
    (["--keep", "-0"], "--keep"),
    (["--keep=-100"], "--keep"),
    (["--grace", "-5"], "--grace"),
    (["--grace", "-0.001"], "--grace"),
    (["--grace", "nan"], "--grace"),
    (["--grace", "inf"], "--grace"),
    (["--grace=-inf"], "--grace"),
    (["--grace", "soon"], "--grace"),
    (["--keep", "0", "--dry-run"], "--keep"),
]


@pytest.mark.parametrize(("arguments", "option"), BAD_ARGUMENTS, ids=[" ".join(a) for a, _ in BAD_ARGUMENTS])
def test_gc_refuses_insane_arguments_and_removes_nothing(
    variants: Path, arguments: list[str], option: str, capsys
) -> None:
    before = _tree(variants)
    start = time.process_time()
    code = main(["gc", "--store", str(variants), *arguments])
    err = capsys.readouterr().err
    assert (
        code == 2 and err.startswith(f"ovbuild: error: {option}: ") and len(err.strip().splitlines()) == 1
    ), err
    assert time.process_time() - start < 5
    assert _tree(variants) == before
    assert store_problems(variants) == []


def test_gc_through_the_real_process_says_one_line(variants: Path) -> None:
    before = _tree(variants)
    done = run_cli("gc", "--store", str(variants), "--keep", "-1")
    assert done.returncode == 2 and done.stderr.strip().count("\n") == 0, done.stderr
    assert "--keep" in done.stderr and _tree(variants) == before


def test_keep_1_keeps_the_newest_version_of_every_variant(variants: Path, tmp_path: Path, capsys) -> None:
    store = _copy(variants, tmp_path)
    assert main(["gc", "--store", str(store), "--keep", "1", "--dry-run", "--grace", "0"]) == 0
    listed = capsys.readouterr().out
    assert f"would remove {store / 'artifacts' / 'silero_vad' / '2'}" in listed, listed
    assert "/silero_vad/1\n" not in listed and "/silero_vad/3\n" not in listed
    assert [v["version"] for v in ArtifactStore(store).versions("silero_vad")] == [1, 2, 3]  # dry run
    assert main(["gc", "--store", str(store), "--keep", "1"]) == 0
    kept = [v["version"] for v in ArtifactStore(store).versions("silero_vad")]
    assert kept == [1, 3]  # v1 is the only fp32 one: `silero_vad@fp32` still resolves
    assert main(["show", "--store", str(store), "silero_vad@fp32"]) == 0
    assert store_problems(store) == []


def _sweep(store: Path, versions: list[int]) -> Path:
    """A sweep report over ``versions``, written by the sweep's own writer (latency recorded)."""
    records = [
        {
            "num": i,
            "overrides": [f"description=v{v}"],
            "status": "success",
            "name": "silero_vad",
            "version": v,
            "path": str(store / "artifacts" / "silero_vad" / str(v)),
            "bench": {"median_ms": 1.0 + i, "iqr_ms": 0.1, "p90_ms": 1.2 + i, "rounds": 5},
        }
        for i, v in enumerate(versions)
    ]
    report_dir = store / "sweeps" / "s1"
    write_report(
        report_dir, records, store_root=store, machine={"cpu": "x", "cores": 2, "load_avg": [0, 0, 0]}
    )
    return report_dir


def test_gc_keeps_what_a_sweep_report_links_to_and_the_report_stays_good(
    variants: Path, tmp_path: Path, capsys
) -> None:
    store = _copy(variants, tmp_path)
    report_dir = _sweep(store, [1, 2])
    good = (report_dir / "report.md").read_text()
    assert main(["gc", "--store", str(store), "--keep", "1"]) == 0
    assert [v["version"] for v in ArtifactStore(store).versions("silero_vad")] == [1, 2, 3]
    assert main(["report", str(report_dir)]) == 0
    assert "cannot read" not in (report_dir / "report.md").read_text()
    # A version removed by hand: the report is not replaced by one that lost the variant.
    shutil.rmtree(store / "artifacts" / "silero_vad" / "2")
    capsys.readouterr()
    assert main(["report", str(report_dir)]) == 2
    err = capsys.readouterr().err
    assert "manifest.json" in err and "kept" in err and len(err.strip().splitlines()) == 1, err
    assert (report_dir / "report.md").read_text().count("| `") == good.count("| `")
    assert "cannot read" not in (report_dir / "report.md").read_text()


BAD_RECORDS = [
    "nope",
    "[]",
    '{"x": 1}',
    '{"variants": 5}',
    '{"variants": [1]}',
    '{"variants": [{"status": "success", "overrides": []}]}',
]


@pytest.mark.parametrize("text", BAD_RECORDS)
def test_report_refuses_an_unreadable_sweep_record_and_keeps_the_report(
    text: str, tmp_path: Path, capsys
) -> None:
    (tmp_path / "variants.json").write_text(text)
    (tmp_path / "report.md").write_text("# Sweep report\n(good)\n")
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "variants.json: not a readable sweep record" in err and len(err.strip().splitlines()) == 1, err
    assert (tmp_path / "report.md").read_text() == "# Sweep report\n(good)\n"
