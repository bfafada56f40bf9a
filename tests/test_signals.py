"""SIGTERM and SIGHUP stop respin as cleanly as Ctrl-C: no worker is left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import ROOT, read_seed, SPUN_SEEDS

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")


def children(pid: int) -> set[int]:
    """Every descendant of ``pid`` (Linux), found through /proc."""
    found: set[int] = set()
    pending = [pid]
    while pending:
        parent = pending.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                kids = {int(k) for k in (task / "children").read_text().split()}
            except OSError:
                continue
            pending += kids - found
            found |= kids
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_stops_a_long_fix_and_its_workers(tmp_path, signum):
    long_text = tmp_path / "long.txt"
    long_text.write_text((read_seed(SPUN_SEEDS[0]) + "\n") * 40, encoding="utf-8")  # ≥ 256 kB: workers start
    process = subprocess.Popen([sys.executable, "-m", "respin", "fix", "--jobs", "2", str(long_text)], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        workers: set[int] = set()
        while len(workers) < 2 and time.monotonic() < deadline and process.poll() is None:
            workers = children(process.pid)
            time.sleep(0.05)
        assert len(workers) >= 2, "the long text did not start its workers"
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 128 + signum
    assert stderr.decode().strip() == f"respin: stopped by signal {int(signum)}"
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in workers if alive(pid)]
