"""``ovbuild check``: a self-test of this machine through the legacy facade.

The old backend shipped a test script; this is that script as a command. Each check
(``checks.py``, one uniform ``check_x(env: CheckEnv) -> CheckResult`` each, registered in
``CHECKS``) builds a small real artifact through :class:`ovbuild.compat.OpenVINOBackend` (so the
compiler, cache and loader are all exercised), runs it, verifies the outputs are real (shapes,
finite values) and measures latency. The command line lives in ``ovbuild/cli/check.py``.

>>> print(format_table(run_checks(["basic"], store_root="/tmp/ovbuild-check")))  # doctest: +SKIP
"""

from __future__ import annotations

from ovbuild.check.checks import CHECKS
from ovbuild.check.env import CheckEnv, CheckFailed, CheckResult
from ovbuild.check.runner import format_table, run_checks

__all__ = ["CHECKS", "CheckEnv", "CheckFailed", "CheckResult", "format_table", "run_checks"]
