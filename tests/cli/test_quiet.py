"""Third-party noise of an HF build goes to the build's log; the console gets a one-line count."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import run_cli
from tests.stages._tiny_bert import make_tiny_bert


def test_third_party_warnings_go_to_the_build_log(tmp_path: Path) -> None:
    model = make_tiny_bert(tmp_path)
    store = tmp_path / "store"
    done = run_cli("build", "recipe=minilm", f"source.path={model}", "name=tinybert", "--store", str(store))
    assert done.returncode == 0, done.stderr
    for noise in ("TracerWarning", "LOAD REPORT", "loss_type", "0it"):
        assert noise not in done.stderr, noise
    (line,) = [x for x in done.stdout.splitlines() if "third-party warnings" in x]
    path = Path(re.search(r"are in (\S+)$", line).group(1))
    assert path.is_file() and path.is_relative_to(store / "runs")
    logged = path.read_text()
    assert "TracerWarning" in logged
    count = int(re.search(r"(\d+) third-party warnings", line).group(1))
    assert count == len(re.findall(r"^\S+:\d+: \w+(Warning|Error)\b", logged, re.M)) > 0
