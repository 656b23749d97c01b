"""How an untrusted worker process is started and killed.

`start_worker` runs `autograder/wire/worker.py` on a copy of one submission, either in
a bubblewrap sandbox (Linux) or, where that is impossible, as a plain process with
rlimits ("process" mode, weaker: see `describe`). The trusted client keeps the wall
deadlines and calls `WorkerProcess.kill()`, which removes every process the worker
started. The threat model is in docs/security.md.
"""
from autograder.sandbox.launch import (
    SandboxUnavailable,
    WorkerProcess,
    describe,
    resolve_mode,
    sandbox_available,
    start_worker,
)
from autograder.sandbox.limits import Limits

__all__ = ["Limits", "SandboxUnavailable", "WorkerProcess", "describe", "resolve_mode", "sandbox_available",
           "start_worker"]
