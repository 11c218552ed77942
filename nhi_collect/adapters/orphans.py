"""Child processes that die with their parent: a `run` killed with kill -9 left its PDF workers and
their Chromium browsers printing on as orphans, holding memory and a core.

Linux's PR_SET_PDEATHSIG asks the kernel to send SIGKILL to a process when its parent dies; it is set
in each PDF worker as it starts and in each Chromium before it executes. (The signal follows the parent
*thread* that started the child: the pool's workers and the browsers are started by the thread that
submits the letters, which lives as long as the process does.) Elsewhere these are no-ops.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from functools import cache

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


@cache
def _prctl():
    """libc's prctl, looked up in the parent: a child between fork and exec should call nothing that
    takes locks, as the dynamic loader does."""
    return ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None


def prepare() -> None:
    _prctl()


def die_with_parent() -> None:
    """For subprocess's preexec_fn (call `prepare` in the parent first)."""
    prctl = _prctl()
    if prctl is not None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def worker_start(parent: int) -> None:
    """A pool's initializer: die with the parent, and at once if it has already died."""
    die_with_parent()
    if os.getppid() != parent:
        os._exit(1)
