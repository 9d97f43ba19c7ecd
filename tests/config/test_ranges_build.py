"""The other half of the range property (issue 22, point 2): a value the checks accept builds an
artifact whose first call works. Hypothesis draws values (edges included) for fields that shape
the artifact; each is built on a small real model (silero VAD) in one store (earlier stages
cached), and the artifact's first call runs in a child process, so a crash inside OpenVINO fails
the test instead of ending pytest. A value refused instead must be refused before anything is
published, naming its key. (Text front-end fields are not built here yet: see the issue notes.)
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ovbuild import build
from ovbuild.config.ranges import RANGES
from ovbuild.errors import GateMissed, RecipeError
from ovbuild.store import ArtifactStore
from tests.conftest import recipe_for

pytestmark = pytest.mark.slow


def _edges(key: str, low: int, high: int) -> st.SearchStrategy:
    """Integers of ``key``'s range, its edges and small values first (capped at ``high``)."""
    allowed = RANGES[key]
    assert allowed.contains(low) and allowed.contains(high)
    return st.sampled_from([low, high]) | st.integers(low, high)


#: field -> (recipe kind, strategy of values the checks accept). Upper ends are capped where the
#: range admits values far larger than a test may allocate (they are still accepted by validate).
FIELDS = {
    "device.num_streams": ("vad", st.sampled_from([-1, 1, 2, 8])),
    "device.num_requests": ("vad", _edges("device.num_requests", 0, 64)),
}

CALL = {
    "vad": "m({'input': np.zeros((1, 512), np.float32), "
    "'state': np.zeros((2, 1, 128), np.float32), 'sr': np.array(16000)})",
}


@pytest.fixture(scope="module")
def where(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One store shared by every example."""
    return tmp_path_factory.mktemp("fuzz_store")


def _overrides(kind: str) -> list[str]:
    return {"vad": ["recipe=silero_vad"]}[kind]


def _first_call_works(artifact: Path, kind: str) -> None:
    script = textwrap.dedent(f"""
        import sys
        import numpy as np
        sys.path.insert(0, {str(artifact)!r})
        import loader
        m = loader.load()
        out = {CALL[kind]}
        assert out, out
        """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, (artifact, done.returncode, done.stderr[-2000:])


def _build_and_call(key: str, value: object, store: Path) -> None:
    kind = FIELDS[key][0]
    overrides = [*_overrides(kind), f"{key}={value!r}"]
    before = {n: len(ArtifactStore(store).versions(n)) for n in ArtifactStore(store).names()}
    try:
        result = build(recipe_for(*overrides, root=store))
    except GateMissed:  # built, below its own bound: refused, nothing published
        assert key == "validate.min"
        assert {n: len(ArtifactStore(store).versions(n)) for n in ArtifactStore(store).names()} == before
        return
    except RecipeError as exc:  # refused by a check that reads the model: it names the key
        assert any(p.startswith(key) for p in exc.problems), exc.problems
        return
    _first_call_works(result.path, kind)


FUZZ = settings(
    max_examples=4,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@FUZZ
@given(data=st.data())
def test_device_values_that_pass_build_an_artifact_whose_first_call_works(data, where) -> None:
    key = data.draw(st.sampled_from([k for k, (kind, _) in FIELDS.items() if kind == "vad"]), label="key")
    _build_and_call(key, data.draw(FIELDS[key][1], label="value"), where)
