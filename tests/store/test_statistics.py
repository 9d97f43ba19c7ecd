"""The statistics journal as a killed process leaves it."""

from __future__ import annotations

from pathlib import Path

from ovbuild.store.statistics import StatisticsStore, collections


def test_a_journal_line_cut_by_a_kill_is_skipped_not_fatal(tmp_path: Path) -> None:
    stats = StatisticsStore(tmp_path, "ab" * 32, {"model": "m"})
    with stats.locked():
        stats.record("step0", collected=12, reused=0, samples=300, seconds=1.5)
        stats.record("step1", collected=0, reused=12, samples=300, seconds=0.1)
    journal = tmp_path / "statistics" / "collections.jsonl"
    with open(journal, "a") as fh:
        fh.write('{"key": "abab", "step": "st')  # the writer died mid-line
    rows = collections(tmp_path)
    assert [(r["step"], r["collected"], r["reused"]) for r in rows] == [("step0", 12, 0), ("step1", 0, 12)]
    assert collections(tmp_path, since=rows[1]["time"]) == rows[1:]
