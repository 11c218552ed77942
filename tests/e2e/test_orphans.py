"""kill -9 of a process printing letters leaves no PDF worker and no Chromium behind (issue 15, item 8)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

PRINTING = """
from nhi_collect.adapters import letters
sections = ["<section class='letter'><p>" + "督促状 " * 3000 + "</p></section>"] * 1500
futures = [letters._pool(2).submit(letters._render_part, ("chromium", "t", sections)) for _ in range(2)]
[f.result() for f in futures]
"""


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            tree.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry.name))
    return tree


def descendants(pid: int) -> set[int]:
    tree, found, todo = _children(), set(), [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has finished; only its parent's reaping is left


def command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@pytest.mark.skipif(not sys.platform.startswith("linux") or not shutil.which("chromium"),
                    reason="PR_SET_PDEATHSIG is Linux's; the test needs Chromium")
def test_kill_9_while_printing_leaves_no_worker_and_no_browser():
    process = subprocess.Popen([sys.executable, "-c", PRINTING], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline, browsers = time.monotonic() + 90, set()
    while time.monotonic() < deadline and not browsers:
        time.sleep(0.2)
        below = descendants(process.pid)
        browsers = {p for p in below if "chromium" in command(p)}
    assert browsers, "no Chromium started"
    time.sleep(1)
    below = descendants(process.pid)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(alive(p) for p in below):
        time.sleep(0.2)
    left = {p: command(p) for p in below if alive(p)}
    for p in left:  # leave the machine clean whatever the outcome
        os.kill(p, signal.SIGKILL)
    assert left == {}
