"""Servers for the benchmarks: a free local port, and ``kg serve`` started and waited for (the tests have the
same in tests/servers.py, with pytest's failure instead of an exit)."""
from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_kg_serve(*options: str, stderr=subprocess.PIPE, wait_s: float = 120.0) -> tuple[subprocess.Popen, str]:
    """``kg serve OPTIONS`` on a free port, once ``/health`` answers: (process, base URL). Exits with the server's
    stderr (when piped) if it stops or does not answer within ``wait_s``. Pass ``stderr=subprocess.DEVNULL`` for a
    long run whose log would fill the pipe."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", *options, "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=stderr)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    log = proc.stderr.read().decode()[-2000:] if proc.stderr else ""
    sys.exit(f"kg serve did not start: {log}")
