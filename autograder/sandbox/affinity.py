"""Running the grader and its worker on one CPU.

Every check is a chain of round trips between the trusted process and the worker. A
wake-up across CPUs costs more than the Python work of a small round trip, so both sides
on one CPU make each round trip cheaper. Parallel grading (`grade -j N`) pins each pool
process, and so the workers it starts, to its own CPU (`pin_process_to`); otherwise the
grading thread pins itself and its worker (`pin_thread_with`). Where each is applied:
`autograder/speed.py`; what it saves: docs/performance.md.
"""
from __future__ import annotations

import os
from contextlib import contextmanager

from autograder.sandbox import procs


def available() -> bool:
    return hasattr(os, "sched_setaffinity") and procs.proc_available()


def current_cpu() -> int:
    """The CPU the calling thread last ran on (/proc/thread-self/stat, field 39)."""
    fields = (procs.PROC / "thread-self" / "stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[36])


_pinned_process = False  # set by pin_process_to


def pin_thread_with(find_pids) -> set[int] | None:
    """Pin the calling thread and the processes ``find_pids()`` to the CPU this thread is on.

    Returns the thread's previous CPU set to restore later, or None if the thread was
    not changed (it already had a single CPU, or there is no affinity support). In a process
    pinned by `pin_process_to` nothing is done, and `find_pids` (a /proc scan) is not
    called: its threads and every zygote and worker they start inherit its CPU."""
    if not available() or _pinned_process:
        return None
    pids = find_pids()
    allowed = os.sched_getaffinity(0)
    cpu = current_cpu()
    cpu = cpu if cpu in allowed else min(allowed)
    saved = None
    if len(allowed) > 1:
        os.sched_setaffinity(0, {cpu})
        saved = allowed
    for pid in pids:
        try:
            os.sched_setaffinity(pid, {cpu})
        except OSError:  # exited meanwhile
            pass
    return saved


def restore_thread(saved: set[int] | None) -> None:
    if saved is not None:
        os.sched_setaffinity(0, saved)


@contextmanager
def widened(cpus: set[int] | None):
    """Run the calling thread on `cpus` (its set before `pin_thread_with`) meanwhile, then
    back on its pin. For work of the grader's own that overlaps the worker's (`StudentCode.stream`)."""
    if cpus is None:
        yield
        return
    pinned = os.sched_getaffinity(0)
    os.sched_setaffinity(0, cpus)
    try:
        yield
    finally:
        os.sched_setaffinity(0, pinned)


def pin_process_to(index: int) -> None:
    """Pin a pool process, from its initializer (before it starts any thread or worker), to the
    `index`-th allowed CPU."""
    global _pinned_process
    if available():
        allowed = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {allowed[index % len(allowed)]})
        _pinned_process = True
