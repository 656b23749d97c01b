"""The client side of `grade --cluster`: connect, admit workers, send chunks, write what comes back.

Flow of one run (`ClusterGrading`; who may grade: `WorkerRoll`; what to send next: `ChunkQueue`):

1. Connect to the scheduler (`tcp://`, `tls://`: TLS settings come from Dask's own
   configuration, docs/scale.md) or start a `LocalCluster` of N single-threaded worker
   processes on 127.0.0.1 (`local:N`).
2. Register a `GraderAdmission` plugin with this client's `GraderManifest` and sandbox mode;
   read every worker's verdict. Refusals are printed with their reasons; a run with no
   admitted worker stops with `ClusterUnavailable` (after `ADMISSION_TIMEOUT` seconds, for
   a cluster that is still starting its workers).
3. Send the submissions in chunks (`ChunkSizer`), at most one chunk per admitted worker at a
   time. A worker holds only the chunk it is grading, so when a worker dies, Dask's count of
   deaths ("suspicious", bounded by the scheduler's `distributed.scheduler.allowed-failures`,
   default 3) falls on that chunk alone, and Dask sends the chunk to another worker.
4. A chunk Dask gives up on (`KilledWorker`) is split into single submissions. Dask counts a
   worker's death against every task assigned to that worker, queued ones included, so a single
   submission Dask gives up on while other tasks were out may be innocent: it is tried once
   more alone, with nothing else in flight, and only a submission that takes its worker down
   then gets a row saying so (status "error": not a verdict on the student, and graded again
   by the next run).
5. Each chunk's results are written by this process as the embedded pool writes them:
   feedback files, then `results.json` last, each atomically, so a client killed at any
   moment leaves whole files and a rerun resumes (batch.py).

Progress: each Dask worker announces every graded student on the run's progress topic; the
progress bar advances per student as the announcements arrive.
"""
from __future__ import annotations

import logging
import math
import os
import queue
import sys
import threading
import time
import uuid
from collections import deque
from pathlib import Path, PurePosixPath

from distributed import Client, LocalCluster
from distributed.security import Security
from distributed.scheduler import KilledWorker

from autograder import batch
from autograder.cluster import ClusterAddress, ClusterUnavailable
from autograder.cluster.admission import GraderAdmission, verdict_of
from autograder.cluster.manifest import GraderManifest
from autograder.cluster.work import ChunkOutcome, GradedStudent, grade_chunk
from autograder.results import SubmissionResult

ADMISSION_TIMEOUT = 60.0  # seconds a run waits for its first admitted worker
CONNECT_TIMEOUT = 30.0
POLL_SECONDS = 1.0


class ChunkSizer:
    """How many submissions go into the next chunk: guided self-scheduling.

    size = clamp(ceil(remaining / (CHUNKS_PER_WORKER * workers)), 1, MAX_CHUNK).

    Large chunks make scheduling cheap: a chunk costs Dask a few round trips (scheduler,
    client and worker), a small fraction of one submission's grading, and a chunk of
    MAX_CHUNK submissions pays them once. Small chunks keep the workers equally busy to the
    end and lose less when a worker dies: as the queue empties, chunks shrink to one
    submission, so the last chunks end within about one submission's time of each other."""

    MAX_CHUNK = 8
    CHUNKS_PER_WORKER = 3

    def next_size(self, remaining: int, workers: int) -> int:
        wanted = math.ceil(remaining / (self.CHUNKS_PER_WORKER * max(1, workers)))
        return max(1, min(self.MAX_CHUNK, wanted))


class WorkerRoll:
    """Which workers of the cluster may grade this run, as their admission verdicts and Dask's
    remove-worker events arrive (in Dask's event thread, hence the lock). Each refusal is
    reported once, through `say`."""

    def __init__(self, say):
        self._say = say
        self._lock = threading.Lock()
        self._admitted: set[str] = set()
        self._refused: dict[str, str] = {}

    def admitted(self) -> int:
        with self._lock:
            return len(self._admitted)

    def only_refusals(self) -> bool:
        """Every worker heard from was refused (waiting would not change that)."""
        with self._lock:
            return not self._admitted and bool(self._refused)

    def on_verdict(self, event) -> None:
        """A worker's verdict (from `Client.run` or the admission topic)."""
        verdict = event[1]
        worker = verdict["worker"]
        with self._lock:
            if verdict["admitted"]:
                self._admitted.add(worker)
                return
            if worker in self._refused:
                return
            self._refused[worker] = reason = "; ".join(verdict["reasons"])
        self._say(f"cluster: worker {worker} refused: {reason}")

    def on_cluster_event(self, event) -> None:
        message = event[1]
        if isinstance(message, dict) and message.get("action") == "remove-worker":
            with self._lock:
                self._admitted.discard(message.get("worker"))

    def refusals(self) -> str:
        with self._lock:
            return "\n".join(f"  {worker}: {reason}" for worker, reason in sorted(self._refused.items()))


class StudentProgress:
    """The run's progress bar: one step per student, counted once whether the worker's
    announcement or the written result comes first; `say` prints a line above it."""

    def __init__(self, total: int, enabled: bool):
        from tqdm import tqdm

        self._lock = threading.Lock()
        self._counted: set[str] = set()
        self._bar = tqdm(total=total, unit="student", disable=not enabled, dynamic_ncols=True)

    def count(self, student: str) -> None:
        with self._lock:
            if student in self._counted:
                return
            self._counted.add(student)
            self._bar.set_postfix_str(student)
            self._bar.update()

    def on_announcement(self, event) -> None:
        self.count(event[1]["student"])

    def close(self) -> None:
        self._bar.close()


def say(line: str) -> None:
    """Print a line to stderr without breaking a progress bar."""
    from tqdm import tqdm

    tqdm.write(line, file=sys.stderr)


class ClusterGrading:
    """One `grade --cluster` run: a Dask client, the admission of its workers, the chunks."""

    def __init__(self, address: ClusterAddress, assignment: str, options: batch.BatchOptions,
                 admission_timeout: float = ADMISSION_TIMEOUT):
        self.address, self.assignment, self.options = address, assignment, options
        self.admission_timeout = admission_timeout
        self.manifest = GraderManifest.of_this_installation(assignment)
        run = uuid.uuid4().hex[:12]
        self.progress_topic = f"nnopt-grader-{run}-progress"
        self._plugin = GraderAdmission(f"nnopt-grader-{assignment}-{run}", self.manifest, options.mode,
                                       topic=f"nnopt-grader-{run}-admission",
                                       pin_cpus=address.is_local and address.local_workers <= (os.cpu_count() or 1))
        self._roll = WorkerRoll(say)
        self._cluster = self._client = None
        self._topics: list[str] = []
        self.stats = DispatchStats()

    # -- connection and admission -------------------------------------------------------------

    def __enter__(self) -> ClusterGrading:
        try:
            self._cluster, self._client = connect(self.address)
            self._admit()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _admit(self) -> None:
        client = self._client
        self._subscribe(self._plugin.topic, self._roll.on_verdict)
        self._subscribe("all", self._roll.on_cluster_event)
        client.register_plugin(self._plugin)
        for verdict in client.run(verdict_of, self._plugin.name, on_error="return").values():
            if isinstance(verdict, dict):
                self._roll.on_verdict((None, verdict))
        if self._roll.only_refusals():
            self._wait_for_admission(since=-math.inf)

    def _subscribe(self, topic: str, handler) -> None:
        self._client.subscribe_topic(topic, handler)
        self._topics.append(topic)

    def _wait_for_admission(self, since: float) -> None:
        """Raise `ClusterUnavailable` when no worker has been admitted for `admission_timeout` seconds."""
        if self._roll.admitted() or time.monotonic() - since < self.admission_timeout:
            return
        refused = self._roll.refusals()
        waited = f" (waited {self.admission_timeout:g} s)" if since > -math.inf else ""
        raise ClusterUnavailable(f"no worker of {self.address} may grade {self.assignment}{waited}"
                                 + (f"; refused:\n{refused}" if refused else ": the cluster has no worker"))

    def close(self) -> None:
        """Withdraw this run's plugin (ending the workers' grading state), then disconnect."""
        client, self._client = self._client, None
        if client is not None:
            for topic in self._topics:  # before the client goes: the scheduler would still send their events
                client.unsubscribe_topic(topic)
            try:
                if client.status == "running":
                    client.unregister_worker_plugin(self._plugin.name)
            except Exception:  # noqa: BLE001 - a worker already gone must not hide the run's own outcome
                pass
            client.close()
        cluster, self._cluster = self._cluster, None
        if cluster is not None:
            cluster.close()

    # -- grading ------------------------------------------------------------------------------

    def grade(self, todo: list, out_dir: Path, *, progress: bool = True):
        """Grade the `Submission`s `todo`; yield each `SubmissionResult` once its outputs are written."""
        out_dir = Path(out_dir)
        queue_ = ChunkQueue(todo)
        inflight: dict[str, tuple[object, list, bool]] = {}  # task key -> (future, its submissions, sent solo)
        done: queue.SimpleQueue = queue.SimpleQueue()
        fingerprint = batch.grader_fingerprint(self.assignment)
        bar = StudentProgress(len(todo), progress)
        self._subscribe(self.progress_topic, bar.on_announcement)
        self.stats.started = idle_since = time.monotonic()
        try:
            while queue_ or inflight:
                workers = self._roll.admitted()
                for chunk, sent_solo in queue_.next_chunks(workers, out=len(inflight)):
                    future = self._client.submit(
                        grade_chunk, chunk, self.options, fingerprint, self.manifest.digest, self.progress_topic,
                        key=f"grade-{self.assignment}-{chunk[0].student}-{uuid.uuid4().hex[:8]}", pure=False,
                        resources={self._plugin.resource: 1})
                    future.add_done_callback(done.put)
                    inflight[future.key] = (future, chunk, sent_solo)
                try:
                    future = done.get(timeout=POLL_SECONDS)
                except queue.Empty:
                    if workers:
                        idle_since = time.monotonic()
                    self._wait_for_admission(idle_since)
                    continue
                idle_since = time.monotonic()
                _, chunk, sent_solo = inflight.pop(future.key)
                collected = self._collect(future, chunk, queue_, sent_solo)
                future.release()  # else a worker lost later would make Dask compute the chunk again
                for graded in collected:
                    write_student(out_dir, graded, self.options)
                    bar.count(graded.result.student)
                    yield graded.result
            self.stats.finished = time.monotonic()
            say(self.stats.summary())
        finally:
            for future, _, _ in inflight.values():
                future.cancel()
            bar.close()

    def _collect(self, future, chunk: list, queue_: ChunkQueue, sent_solo: bool) -> list[GradedStudent]:
        """What a finished chunk gives: its results, or, after Dask gave up on it, nothing yet
        (`ChunkQueue.retry` sends its submissions again) or rows saying why they were not graded."""
        if future.status == "finished":
            outcome: ChunkOutcome = future.result()
            self.stats.add(outcome, len(chunk))
            return outcome.graded
        error = future.exception()
        if isinstance(error, KilledWorker) and queue_.retry(chunk, sent_solo):
            if len(chunk) > 1:
                self.stats.split += 1
            return []
        if isinstance(error, KilledWorker):
            tries = error.allowed_failures + 1
            message = (f"grader error: grading this submission took down its Dask worker {tries} times in a row "
                       f"(last on {error.last_worker.address}); it was not graded. The batch went on; run grade "
                       "again to retry it.")
        else:
            message = f"grader error: the Dask task grading it failed: {type(error).__name__}: {error}"
        return [GradedStudent(SubmissionResult(student=sub.student, assignment=sub.assignment, checks=[],
                                               output=message, status="error"), {}) for sub in chunk]


class ChunkQueue:
    """The submissions still to send, and in which groups.

    Fresh submissions go in chunks (`ChunkSizer`), at most one chunk out per admitted worker. A
    chunk Dask gave up on comes back as single submissions (`alone`). A single submission Dask
    gave up on while other tasks were out may have been blamed for another task's deaths (Dask
    counts a worker's death against every task assigned to it), so it is sent once more `solo`:
    only when nothing else is out, where the blame is exact."""

    def __init__(self, todo: list):
        self._pending = deque(todo)
        self._alone: deque = deque()
        self._solo: deque = deque()
        self._sizer = ChunkSizer()

    def __bool__(self) -> bool:
        return bool(self._pending or self._alone or self._solo)

    def next_chunks(self, workers: int, out: int) -> list[tuple[list, bool]]:
        """The chunks to send now, each with whether it is a solo retry, given `out` chunks in flight."""
        chunks = []
        while (self._pending or self._alone) and out + len(chunks) < max(1, workers):
            if self._alone:
                chunks.append(([self._alone.popleft()], False))
            else:
                size = min(len(self._pending), self._sizer.next_size(len(self._pending), workers))
                chunks.append(([self._pending.popleft() for _ in range(size)], False))
        if self._solo and not (self._pending or self._alone or out or chunks):
            chunks.append(([self._solo.popleft()], True))
        return chunks

    def retry(self, chunk: list, sent_solo: bool) -> bool:
        """Queue the submissions of a chunk Dask gave up on to be sent again; False when the chunk
        was already one submission sent solo: then it did take its worker down."""
        if len(chunk) > 1:
            self._alone.extend(chunk)
        elif not sent_solo:
            self._solo.extend(chunk)
        else:
            return False
        return True


def connect(address: ClusterAddress) -> tuple[LocalCluster | None, Client]:
    """A client of the scheduler at `address`, or of a new `LocalCluster` for ``local:N`` (returned
    too, to be closed after the client)."""
    if address.is_local:
        _preload_for_fork()
        cluster = LocalCluster(n_workers=address.local_workers, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None, silence_logs=logging.ERROR)
        return cluster, Client(cluster, set_as_default=False)
    if address.scheduler.startswith("tls://") and Security().get_connection_args("client").get("ssl_context") is None:
        raise ClusterUnavailable(f"{address} needs Dask's TLS settings (distributed.comm.tls.ca-file, "
                                 "client.cert and client.key; docs/scale.md), and none are configured")
    try:
        return None, Client(address.scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ClusterUnavailable(f"cannot reach the Dask scheduler at {address}: {exc}") from None


def _preload_for_fork() -> None:
    """A local cluster's workers are forked from this process (as the embedded pool's are),
    after it has imported what grading needs, instead of each starting a fresh interpreter
    that imports it all again, and run without Dask's profiler."""
    import dask

    from autograder.reports import figures
    from autograder.runtime import session  # noqa: F401 - pytest and the grading runtime

    figures.preload()
    dask.config.set({"distributed.worker.multiprocessing-method": "fork",
                     # the worker's sampling profiler walks every thread's stack at a fixed short
                     # interval, the grading session's deep pytest stacks included: CPU that grading needs
                     "distributed.worker.profile.enabled": False})


class DispatchStats:
    """What the run cost in scheduling: the workers' grading time against the run's wall time."""

    def __init__(self):
        self.started = self.finished = 0.0
        self.chunks = self.submissions = self.split = 0
        self.busy_seconds = 0.0
        self.workers: set[str] = set()

    def add(self, outcome: ChunkOutcome, size: int) -> None:
        self.chunks += 1
        self.submissions += size
        self.busy_seconds += outcome.busy_seconds
        self.workers.add(outcome.worker)

    def busy_share(self) -> float:
        """Grading time / (workers x wall time from the first chunk sent to the last result):
        1 minus this bounds what scheduling, waiting and the tail cost together."""
        wall = (self.finished - self.started) * max(1, len(self.workers))
        return self.busy_seconds / wall if wall > 0 else 0.0

    def summary(self) -> str:
        return (f"cluster: {self.submissions} submissions in {self.chunks} chunks on {len(self.workers)} workers"
                f"{f' ({self.split} chunks split after worker deaths)' if self.split else ''}; workers grading "
                f"{100 * self.busy_share():.1f}% of the time")


def write_student(out_dir: Path, graded: GradedStudent, options: batch.BatchOptions) -> None:
    """Write one student's outputs as the embedded pool does: feedback files, then results.json
    last (its presence marks the student graded), each atomically."""
    student_dir = out_dir / graded.result.student
    for name, data in graded.files.items():
        relative = PurePosixPath(name)
        if relative.is_absolute() or ".." in relative.parts or name == "results.json":
            raise ValueError(f"a worker returned a feedback file named {name!r}")
        target = student_dir.joinpath(*relative.parts)
        _remove_stale_temporaries(target)
        batch.write_atomic(target, data)
    _remove_stale_temporaries(student_dir / "results.json")
    batch.write_atomic(student_dir / "results.json", batch.results_json(graded.result, options))


def _remove_stale_temporaries(path: Path) -> None:
    """The temporary files of `path` that a client killed mid-write left behind (`.NAME.*`, named
    as `write_atomic` names them): the student is being written again, by this run only."""
    for stale in path.parent.glob(f".{path.name}.*"):
        stale.unlink(missing_ok=True)
