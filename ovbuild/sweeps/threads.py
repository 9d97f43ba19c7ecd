"""Keep parallel sweep jobs on their own cores, so they do not oversubscribe a small machine.

OpenVINO's CPU plugin and oneTBB size their thread pools from the process's CPU affinity, and
OpenMP (torch, NNCF) does too; environment variables alone do not bound OpenVINO. A worker
process therefore claims a slot of ``cpus_per_job`` cores once, through a lock file that the
operating system releases when the process exits, and keeps it for its lifetime: OpenVINO reads
the CPU map once per process, so a worker must not move between cores later.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger("ovbuild.sweeps")
_claimed: tuple[object, list[int]] | None = None  # (held lock, cores) for this process


def _slot_dir() -> Path:
    # Machine-local on purpose: slots describe this machine's cores, whatever the store is on.
    path = Path(tempfile.gettempdir()) / "ovbuild-cpu-slots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def limit_cpus(cpus_per_job: int) -> list[int] | None:
    """Pin this process to a free slot of ``cpus_per_job`` cores, once for its lifetime.

    Args:
        cpus_per_job: cores per job; 0 does nothing.

    Returns:
        The cores this process now runs on, or None when no limit applies or no slot is free
        (more concurrent jobs than slots: they share the cores rather than wait).
    """
    global _claimed
    if _claimed is not None:
        return _claimed[1]
    if cpus_per_job <= 0 or not hasattr(os, "sched_setaffinity"):
        return None
    from filelock import FileLock, Timeout

    cores = sorted(os.sched_getaffinity(0))
    if len(cores) <= cpus_per_job:
        return None
    for slot in range(len(cores) // cpus_per_job):
        lock = FileLock(str(_slot_dir() / f"slot-{cpus_per_job}-{slot}.lock"))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            continue
        mine = cores[slot * cpus_per_job : (slot + 1) * cpus_per_job]
        os.sched_setaffinity(0, mine)
        _claimed = (lock, mine)
        log.info("sweep worker %d pinned to cores %s", os.getpid(), mine)
        return mine
    return None
