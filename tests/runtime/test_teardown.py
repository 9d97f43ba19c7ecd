"""Teardown never hangs: hundreds of THROUGHPUT models built, hammered and torn down under CPU load.

The hang this guards against: a compiled model destroyed (GIL held) while an OpenVINO stream thread
waits for the GIL (a Python callback, or releasing a tensor that shares NumPy memory). The child
process arms ``faulthandler`` to print every thread's stack and exit if it outlives its bound, so a
hang is a failure with stacks, not a stuck CI job.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BOUND_SECONDS = 240

_CHILD = r"""
import faulthandler, sys, threading, gc
faulthandler.dump_traceback_later({bound}, exit=True)
import numpy as np
import openvino as ov
sys.modules["ovbuild"] = None  # the artifact's own runtime only
sys.path.insert(0, {artifact!r})
import loader

def case(seed):
    rng = np.random.default_rng(seed)
    return {{
        "input": ov.Tensor((0.3 * rng.standard_normal((1, 512))).astype(np.float32), shared_memory=True),
        "state": ov.Tensor(np.zeros((2, 1, 128), np.float32), shared_memory=True),
        "sr": np.array(16000, dtype=np.int64),
    }}

def calls(model, k):
    try:
        for j in range(3):
            model(cases[(k + j) % 8])
    except loader.ModelClosedError:
        pass  # closed under it: the one error a caller may see

cases = [case(s) for s in range(8)]
for cycle in range({cycles}):
    model = loader.load(verify=False)
    threads = [threading.Thread(target=calls, args=(model, k)) for k in range(3)]
    for t in threads:
        t.start()
    batch = model.imap(cases)  # left half-consumed: the generator must give its requests back
    next(batch)
    how = cycle % 3
    if how == 0:
        for t in threads:
            t.join()
        with model:
            model.infer_batch(cases)
    elif how == 1:
        for t in threads:
            t.join()
        del batch, model  # __del__
        gc.collect()
    else:
        model.close()  # while calls may still be running: they finish or get ModelClosedError
        for t in threads:
            t.join()
        del batch
print("cycles done", flush=True)
last = loader.load(verify=False)  # left for interpreter exit
last.infer_batch(cases)
"""


def _burn_cpu() -> subprocess.Popen:
    """Parallel CPU load: two busy processes, so OpenVINO's stream threads get preempted."""
    code = "import time\nend = time.time() + 600\nwhile time.time() < end: pass\n"
    return [subprocess.Popen([sys.executable, "-c", code]) for _ in range(2)]


@pytest.mark.timeout(BOUND_SECONDS + 60)
def test_hundreds_of_throughput_models_tear_down_without_hanging(vad_throughput_artifact: Path) -> None:
    burners = _burn_cpu()
    try:
        code = _CHILD.format(bound=BOUND_SECONDS, artifact=str(vad_throughput_artifact), cycles=200)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=vad_throughput_artifact,
            env=env,
            capture_output=True,
            text=True,
            timeout=BOUND_SECONDS + 30,
        )
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
    assert done.returncode == 0, done.stderr[-6000:]
    assert "cycles done" in done.stdout
