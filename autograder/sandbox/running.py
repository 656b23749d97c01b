"""What every started worker offers, whichever way it was started, and the one way it is torn down.

Three kinds implement `RunningWorker`: a cold worker (`launch.WorkerProcess`: bwrap or the process
fallback), a warm one forked by a zygote (`warm.WarmWorker`), and the portable one
(`portable.PortableWorker`). The trusted client uses only this interface.
"""
from __future__ import annotations

import os
import threading
import warnings
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path


class Teardown:
    """A worker's kill and cleanups, run once: by `kill()`, at garbage collection or at exit.

    Kept apart from the worker so that a finalizer can hold it without keeping the worker alive.
    `kill()` returns the pids that survived it (warned about); the `cleanups` run after it even
    when it fails. A forked copy of the grading process (a pool process) never runs it: the
    workers are its parent's."""

    def __init__(self, kill: Callable[[], list[int]], cleanups: Sequence[Callable[[], None]]):
        self._kill, self._cleanups = kill, cleanups
        self._lock = threading.Lock()
        self._owner = os.getpid()
        self.done = False

    def run(self) -> None:
        if os.getpid() != self._owner:
            return
        with self._lock:
            if self.done:
                return
            self.done = True
            try:
                survivors = self._kill()
            finally:
                for cleanup in self._cleanups:
                    cleanup()
        if survivors:
            warnings.warn(f"sandbox: worker processes {survivors} survived kill()", RuntimeWarning, stacklevel=3)


class RunningWorker:
    """A started worker. `kill()` it when done (also after a normal exit: it removes daemons, the
    scratch folder and the uid lease); it is also killed at garbage collection and exit.

    `mode` is the isolation it runs in ("bwrap", "process", "portable"); `host_uid` the leased uid
    all its processes run as on the host (None without one); `scratch` its host scratch folder
    (None when it has none on the host)."""

    mode: str
    host_uid: int | None = None
    scratch: Path | None = None

    def __init__(self, output, teardown: Teardown):
        self._output, self._teardown = output, teardown
        weakref.finalize(self, teardown.run)

    def wait(self, timeout: float | None = None) -> int | None:
        """The exit status (-N when killed by signal N), None if still running after `timeout`."""
        raise NotImplementedError

    def alive(self) -> bool:
        return self.wait(0) is None

    def sandbox_failure(self) -> str | None:
        """Why the sandbox cannot start workers here, for a worker started before that was known;
        None if it can (or nothing was left unknown)."""
        return None

    def output(self) -> str:
        """Captured stdout+stderr so far, at most `limits.output_bytes` of it (never blocks)."""
        return self._output.text()

    def kill(self) -> None:
        """Kill the worker's whole process tree, reap it, remove what it left; idempotent."""
        self._teardown.run()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.kill()
