"""Test hooks for crash safety: ``OVBUILD_CRASH_AT=<step>`` ends the process at that step of
publishing with ``os._exit`` (no cleanup, no ``finally``), as a kill or a power cut would;
``OVBUILD_FILL_DISK_AT=<step>:<file>`` grows ``<file>`` at that step until its disk is full, so
the writes that follow fail as they would on a full disk.

Every step where the store is between two states is listed in :data:`STEPS`; the crash tests
kill a real build at each one and check that the store still verifies and the next build works.
"""

from __future__ import annotations

import os

ENV = "OVBUILD_CRASH_AT"
FILL_ENV = "OVBUILD_FILL_DISK_AT"
CRASH_EXIT_CODE = 137
STEPS = (
    "cache.tmp_created",  # a stage's temp dir exists, nothing in it yet
    "cache.produced",  # the stage wrote its files into the temp dir
    "cache.recorded",  # entry.json written into the temp dir
    "cache.published",  # temp dir renamed into place, build not yet logged
    "artifact.tmp_created",  # the version's temp dir exists
    "artifact.linked",  # the artifact's files are in the temp dir
    "artifact.published",  # the version directory is in place; index.json and latest are stale
    "artifact.indexed",  # index.json rewritten; latest still stale
    "artifact.latest",  # latest repointed: the whole publish is done
)


def crash_point(step: str) -> None:
    """End the process here when ``$OVBUILD_CRASH_AT`` names ``step``; otherwise do nothing."""
    if os.environ.get(ENV) == step:
        os._exit(CRASH_EXIT_CODE)
    at, _, filler = os.environ.get(FILL_ENV, "").partition(":")
    if at == step:
        fill_disk(filler)


def fill_disk(filler: str) -> None:
    """Append to ``filler`` until its filesystem has no block left (64 KiB, then 4 KiB, then 1 B)."""
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        for size in (1 << 16, 1 << 12, 1):
            block = b"\0" * size
            try:
                while True:
                    os.write(fd, block)
            except OSError:
                continue
    finally:
        os.close(fd)
