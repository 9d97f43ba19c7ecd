"""A real single-node Ray cluster on loopback for tests, stopped by its own process ids only.

``ray stop`` would stop every Ray process on the machine, including other people's clusters, so
the head is started with ``--block`` in a new session and torn down by that session's PIDs.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RayHead:
    """``ray start --head`` on 127.0.0.1 with every fixed port replaced by a free one."""

    def __init__(self, num_cpus: int = 2) -> None:
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        # Short path: Ray's Unix sockets live under it and must stay below 107 characters.
        self.temp_dir = Path(tempfile.mkdtemp(prefix="ovray", dir="/tmp"))
        ray = Path(sys.executable).with_name("ray")
        self.cmd = [
            str(ray),
            "start",
            "--head",
            "--block",
            "--node-ip-address",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--num-cpus",
            str(num_cpus),
            "--include-dashboard",
            "false",
            "--disable-usage-stats",
            "--temp-dir",
            str(self.temp_dir),
            "--object-store-memory",
            str(100 * 1024 * 1024),
            "--ray-client-server-port",
            str(free_port()),
            "--dashboard-agent-listen-port",
            str(free_port()),
            "--dashboard-agent-grpc-port",
            str(free_port()),
            "--runtime-env-agent-port",
            str(free_port()),
            "--metrics-export-port",
            str(free_port()),
        ]
        self.log = self.temp_dir / "head.log"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60.0) -> None:
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(
                self.cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"ray head exited: {self.log.read_text()[-2000:]}")
            if "Ray runtime started" in self.log.read_text():
                return
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"ray head did not start in {timeout}s: {self.log.read_text()[-2000:]}")

    def _session_pids(self) -> list[int]:
        """Every live process of the head's session (the head and what it spawned)."""
        sid = self.proc.pid  # start_new_session: the head leads its own session
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if os.getsid(int(entry.name)) == sid:
                        pids.append(int(entry.name))
                except OSError:
                    continue
        return pids

    def stop(self) -> None:
        if self.proc is None:
            return
        for sig, wait in ((signal.SIGTERM, 4.0), (signal.SIGKILL, 5.0)):
            pids = self._session_pids()
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, sig)
                except OSError:
                    pass
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline and self._session_pids():
                time.sleep(0.3)
        self.proc.wait(timeout=10)
        self.proc = None
        shutil.rmtree(self.temp_dir, ignore_errors=True)
