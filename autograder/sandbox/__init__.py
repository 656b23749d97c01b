"""How an untrusted worker process is started and killed.

`start_worker` runs `autograder/wire/worker.py` on a copy of one submission, either in
a bubblewrap sandbox (Linux) or, where that is impossible, as a plain process with
rlimits ("process" mode, weaker: see `describe`); on systems without those POSIX primitives
(Windows), `start_portable_worker` runs it as a plain child process over its stdin and stdout
("portable" mode, weaker still; sandbox/portable.py). The trusted client keeps the wall
deadlines and calls `kill()` of the worker (every kind is a `RunningWorker`), which removes
every process the worker started. The threat model is in docs/security.md.
"""
from autograder.sandbox.launch import (
    SandboxUnavailable,
    WorkerProcess,
    describe,
    portable_selected,
    resolve_mode,
    sandbox_available,
    start_worker,
)
from autograder.sandbox.limits import Limits
from autograder.sandbox.portable import PortableWorker, start_portable_worker
from autograder.sandbox.running import RunningWorker

__all__ = ["Limits", "PortableWorker", "RunningWorker", "SandboxUnavailable", "WorkerProcess", "describe",
           "portable_selected", "resolve_mode", "sandbox_available", "start_portable_worker", "start_worker"]
