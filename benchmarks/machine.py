"""What else the machine is doing: CPU seconds used by all processes (Linux /proc/stat) and a wait for quiet.

On a machine shared with other jobs a speed figure means little unless the cores were free: the benchmarks
print the CPU seconds that other processes used during each run (all busy time minus their own) and can wait
until other jobs are idle before starting one.
"""
from __future__ import annotations

import os
import time


def machine_busy() -> float:
    """CPU seconds all processes of the machine have used so far, steal time included (0 without /proc/stat)."""
    try:
        with open("/proc/stat") as stat:
            ticks = [int(v) for v in stat.readline().split()[1:9]]
    except OSError:
        return 0.0
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait


def wait_quiet(window: float = 8.0, share: float = 0.15) -> None:
    """Return once the machine has used less than ``share`` of a core over ``window`` seconds."""
    while True:
        busy = machine_busy()
        time.sleep(window)
        if (machine_busy() - busy) / window < share:
            return
