"""Real servers for tests: a free loopback port, and `kg serve` started in a subprocess and stopped by PID."""
from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import httpx
import pytest


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def kg_serve(store_dir: Path, *options: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """``kg serve --store store_dir OPTIONS`` on a free port: ``(base URL, process)`` once ``/health`` answers;
    the test fails with the server's stderr if it does not start. Terminated (killed after 10 s) on exit."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--store", str(store_dir), "--port", str(port),
                             *options], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail(f"kg serve did not start: {proc.stderr.read().decode()[-2000:]}")
    try:
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
