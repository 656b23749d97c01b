"""Calls of the student's code made by a helper thread while the caller works on earlier results."""
from __future__ import annotations

import queue
import threading
from contextlib import contextmanager

from autograder.remote.errors import StudentCrash
from autograder.remote.supervisor import WorkerSupervisor
from autograder.sandbox import affinity


@contextmanager
def stream(supervisor: WorkerSupervisor, calls):
    """Iterate over ``call()`` for each of `calls` (callables that call the student's code of
    `supervisor`'s worker), each made by a helper thread while the caller works on the results
    before it.

    The helper keeps this thread's pin with the worker; meanwhile the caller runs on the CPUs
    it had before `start` (so a self-check computes on the second core while the worker
    draws). The first call that raises ends the stream and its error is raised in the caller,
    in its place; leaving the block stops the helper after its current call. Use the student
    only through the stream inside the block.
    """
    supervisor.start()
    results: queue.SimpleQueue = queue.SimpleQueue()
    stop = threading.Event()

    def fetch():
        try:
            for call in calls:
                if stop.is_set():
                    return
                if not supervisor.running:  # never relaunch from this short-lived thread
                    raise StudentCrash("the student's process was stopped by an earlier fault")
                results.put((True, call()))
        except BaseException as exc:  # re-raised in the caller
            results.put((False, exc))
        else:
            results.put((False, None))

    def drain():
        while True:
            ok, value = results.get()
            if ok:
                yield value
            elif value is None:
                return
            else:
                raise value

    helper = threading.Thread(target=fetch, name="student-stream", daemon=True)
    helper.start()  # before widening: it inherits the pin
    try:
        with affinity.widened(supervisor.pinned_from):
            yield drain()
    finally:
        stop.set()
        helper.join()
