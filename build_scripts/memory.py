"""Giving memory back between the build's steps.

A build's peak memory is what matters on a small machine: the steps run one after another,
so what one step lets go should be there for the next rather than pile up."""
from __future__ import annotations

import ctypes
import gc
from pathlib import Path


def return_freed(collect: bool = True) -> None:
    """Collect what is unreachable, and ask the C library to give freed heap memory back.

    `collect=False` leaves out the collection, whose time grows with all the objects the
    process holds: `mkdocs serve` keeps a whole build's results (engines/session.py), and
    lets Python's own collector find their garbage.

    glibc keeps freed memory mapped for later use; `malloc_trim` returns what it can, so the
    resident size says what the process holds. Without glibc (or without the function) the
    memory is still reused by later allocations, only not shown as returned.

    >>> return_freed()
    """
    if collect:
        gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def resident_mb() -> int:
    """The process's resident memory in MB (Linux), or -1 where /proc does not say.

    >>> resident_mb() != 0
    True
    """
    try:
        status = Path("/proc/self/status").read_text()
        return int(status.split("VmRSS:")[1].split()[0]) // 1024
    except (OSError, IndexError, ValueError):
        return -1
