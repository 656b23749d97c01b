"""glibc malloc settings for the processes that exchange arrays: the grader and its workers.

By default glibc gives freed memory at the top of the heap back to the kernel once it
exceeds the trim threshold (twice the largest mmapped block freed so far), and serves big
blocks with fresh mmaps. Each megabyte-sized array of a round trip (the frame's buffer,
the decoded array, the student's result) then faults its pages in afresh. Keeping up to
256 MB of freed memory, growing the heap 64 MB at a time and serving blocks below 32 MB
from the heap makes that memory reused. Where each process gets these settings:
`autograder/speed.py`; what they save: docs/performance.md.
"""
from __future__ import annotations

from functools import cache

# glibc's mallopt parameters (malloc.h) and the environment variables that set them at startup
_SETTINGS = ((-1, "MALLOC_TRIM_THRESHOLD_", 256 << 20),  # M_TRIM_THRESHOLD
             (-2, "MALLOC_TOP_PAD_", 64 << 20),          # M_TOP_PAD
             (-3, "MALLOC_MMAP_THRESHOLD_", 32 << 20))   # M_MMAP_THRESHOLD

ENVIRONMENT = {variable: str(value) for _, variable, value in _SETTINGS}
"""The settings for a process about to start (the workers' environment)."""


@cache
def keep_freed_memory() -> bool:
    """Apply the settings to this process with `mallopt`; False where the C library is not glibc."""
    import ctypes  # not on a self-check's path before the worker is launched

    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library the interpreter is linked with
    except (OSError, AttributeError):
        return False
    return all(mallopt(parameter, value) == 1 for parameter, _, value in _SETTINGS)
