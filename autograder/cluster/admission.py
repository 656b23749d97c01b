"""Which Dask workers may grade: the same grader as the client's, and a sandbox as asked.

The client registers one `GraderAdmission` plugin per run; Dask runs its `setup` on every
worker connected now and on every worker that joins later. `setup` judges the worker
(`judge`) and, if it is admitted, gives it one unit of the resource `resource_name(...)`
(named after the grader's digest) and prepares its grading state in the background. Every
chunk asks for one unit of that resource, so Dask sends chunks only to admitted workers, one
at a time each. A refused worker gets no resource: it never sees a submission. Each verdict
is kept in the worker (`verdict_of`, read by the client with `Client.run`) and announced
as an event on the run's admission topic (for workers that join mid-run).

A worker is refused when
- its `GraderManifest` differs from the client's (the reason names the differing entries), or
- the client asked for bubblewrap (`--sandbox auto`, the default, or `bwrap`) and the worker
  cannot start it; `--sandbox process` accepts the weaker process isolation everywhere.
"""
from __future__ import annotations

import asyncio
import threading
from dataclasses import asdict, dataclass

from distributed.diagnostics.plugin import WorkerPlugin

from autograder.cluster.manifest import GraderManifest, describe_differences
from autograder.cluster.work import WorkerState

_VERDICTS: dict[str, dict] = {}  # plugin name -> verdict, in each worker process


@dataclass
class Verdict:
    worker: str
    admitted: bool
    reasons: list[str]

    def as_message(self) -> dict:
        """Plain data (Dask events are msgpack)."""
        return asdict(self)


def resource_name(assignment: str, manifest: GraderManifest) -> str:
    return f"nnopt-grader-{assignment}-{manifest.digest[:16]}"


def judge(worker: str, expected: GraderManifest, mode: str) -> Verdict:
    """Whether this process may grade for a client whose manifest is `expected`, in sandbox `mode`."""
    from autograder import sandbox

    reasons = []
    try:
        mine = GraderManifest.of_this_installation(expected.assignment)
    except Exception as exc:  # e.g. no solutions/ next to the package: it cannot grade at all
        reasons.append(f"it cannot read its grader: {type(exc).__name__}: {exc}")
    else:
        differences = expected.differences(mine)
        if differences:
            reasons.append(f"its grader differs from the client's: {describe_differences(differences)}")
    if mode in ("auto", "bwrap"):
        try:
            sandbox.resolve_mode("bwrap")
        except sandbox.SandboxUnavailable as exc:
            reasons.append(f"it cannot sandbox student code ({exc}); pass --sandbox process to accept "
                           "the weaker process isolation (docs/security.md)")
    return Verdict(worker=worker, admitted=not reasons, reasons=reasons)


def verdict_of(plugin_name: str) -> dict | None:
    """This worker's verdict for the plugin `plugin_name` (run on workers with `Client.run`)."""
    return _VERDICTS.get(plugin_name)


class GraderAdmission(WorkerPlugin):
    """Admit or refuse each worker for one client's run (see the module docstring).

    `pin_cpus`: the workers are a local cluster's, named 0..N-1 with N at most the CPU count:
    pin worker k to CPU k, as the embedded pool pins its k-th process."""

    idempotent = False

    def __init__(self, name: str, manifest: GraderManifest, mode: str, topic: str, pin_cpus: bool = False):
        self.name, self.manifest, self.mode, self.topic, self.pin_cpus = name, manifest, mode, topic, pin_cpus
        self.resource = resource_name(manifest.assignment, manifest)
        self.admitted = False

    async def setup(self, worker) -> None:
        verdict = await asyncio.to_thread(judge, worker.address, self.manifest, self.mode)
        _VERDICTS[self.name] = verdict.as_message()
        self.admitted = verdict.admitted
        if verdict.admitted:
            WorkerState.pin_to(worker.name if self.pin_cpus and isinstance(worker.name, int) else None)
            threading.Thread(target=WorkerState.prepare, args=(self.manifest.assignment,),
                             name="nnopt-grader-prepare", daemon=True).start()
            await worker.set_resources(**{self.resource: 1})
            _announce_new_capacity(worker)
        worker.log_event(self.topic, verdict.as_message())

    async def teardown(self, worker) -> None:
        """Withdraw the resource unless another run's plugin still grants it; end the grading
        state when no run uses this worker any more."""
        _VERDICTS.pop(self.name, None)
        others = [p for p in worker.plugins.values() if isinstance(p, GraderAdmission) and p.admitted]
        if self.admitted and not any(p.resource == self.resource for p in others):
            await worker.set_resources(**{self.resource: 0})
        if not others:
            await asyncio.to_thread(WorkerState.close)


def _announce_new_capacity(worker) -> None:
    """Make the scheduler place the chunks that no worker could take so far.

    A task whose resource no worker has waits in Dask's "no-worker" state (chunks sent before
    any worker was admitted, or while every admitted worker was restarting). The scheduler
    looks at those tasks again when a worker starts *running*, not when a worker gains a
    resource (`Scheduler.add_resources` does not): so the worker reports itself paused and
    running again, which is that signal (`Scheduler.handle_worker_status_change`)."""
    from distributed.core import Status

    if worker.status == Status.running:
        worker.status = Status.paused
        worker.status = Status.running
