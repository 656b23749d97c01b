"""What a Dask worker runs: a chunk of submissions, graded exactly as an embedded pool process grades them.

Per submission, `grade_chunk` calls the pool's own grading step, `batch.grade_or_error`
(so results are the pool's by construction), renders the feedback files the pool would write
(`reports.feedback.write_feedback`, into a private temporary folder) and returns them as
bytes with the result; the client writes them. The grader fingerprint stored in each result
is the client's (`batch.grader_fingerprint` hashes absolute paths, which differ from host to
host; admission has shown that the contents are the client's), so resuming compares like
with like.

State that outlives a chunk lives in the worker process, as in a pool process: the pytest
session of the assignment (`runtime.session.shared_session`), whose thread owns the warm
zygotes that fork each sandboxed student process (`sandbox.warm`), matplotlib's imports, and
the objects frozen out of the garbage collector's way after the first student.
`WorkerState.prepare` builds it when the worker is admitted, before the first chunk arrives.
"""
from __future__ import annotations

import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from autograder import batch, speed
from autograder.cluster.manifest import GraderManifest
from autograder.results import SubmissionResult


@dataclass
class GradedStudent:
    """One student's result and feedback files (path relative to OUT/<student>/ -> bytes)."""

    result: SubmissionResult
    files: dict[str, bytes]


@dataclass
class ChunkOutcome:
    graded: list[GradedStudent]
    worker: str            # the Dask worker's address
    busy_seconds: float    # wall time spent grading in the worker (for the scheduling share)


class GraderMismatch(RuntimeError):
    """This worker's grader is not the client's (admission should have kept the chunk away)."""


class WorkerState:
    """The grading state of this worker process: prepared once, used by every chunk.

    `cpu`: pin the grading threads (and so every zygote and sandboxed process they start) to
    that CPU, as the embedded pool pins its processes (`speed.pool_process`). None leaves
    pinning to the per-call default."""

    _lock = threading.Lock()  # a chunk waits here while `prepare` runs
    _cpu: int | None = None

    @classmethod
    def pin_to(cls, cpu: int | None) -> None:
        cls._cpu = cpu

    @classmethod
    def prepare(cls, assignment: str) -> None:
        """Import what drawing needs and start `assignment`'s pytest session, pinned (work that
        would otherwise delay the first chunk)."""
        from autograder.reports import figures
        from autograder.runtime.session import shared_session

        with cls._lock:
            cls._pin_this_thread()
            figures.preload()
            shared_session(assignment)

    @classmethod
    def _pin_this_thread(cls) -> None:
        """Threads inherit their creator's CPU set: a session restarted from a task thread stays pinned."""
        if cls._cpu is not None:
            speed.pool_process(cls._cpu)

    @classmethod
    def grading(cls):
        """Held while a chunk grades: after `prepare`, and one chunk at a time."""
        cls._pin_this_thread()
        return cls._lock

    @classmethod
    def close(cls) -> None:
        """End every pytest session of this process (their threads, and so their zygotes)."""
        from autograder.runtime.session import close_shared_sessions

        with cls._lock:
            close_shared_sessions()


def grade_chunk(subs: list, options: batch.BatchOptions, grader_fingerprint: str, expected_digest: str,
                progress_topic: str) -> ChunkOutcome:
    """Dask task: grade the `Submission`s `subs` (one assignment) and return their results and
    feedback files. `expected_digest` is the client's `GraderManifest.digest`; a worker whose own
    differs raises `GraderMismatch` instead of grading. Each graded student is announced on
    `progress_topic` (the client's progress bar)."""
    from distributed import get_worker

    assignment = subs[0].assignment
    mine = GraderManifest.of_this_installation(assignment)
    if mine.digest != expected_digest:
        raise GraderMismatch(f"this worker's grader of {assignment} is not the client's (digest {mine.digest[:12]})")
    worker = get_worker()
    started = time.perf_counter()
    graded = []
    with WorkerState.grading():
        for sub in subs:
            graded.append(grade_one(sub, options, grader_fingerprint))
            worker.log_event(progress_topic, {"student": sub.student})
            speed.freeze_long_lived(collect=True)  # as a pool process after its first student
    return ChunkOutcome(graded, worker.address, time.perf_counter() - started)


def grade_one(sub, options: batch.BatchOptions, grader_fingerprint: str) -> GradedStudent:
    """One student's result and feedback files; a failure of the grader's own (here or in
    drawing the feedback) becomes that student's "grader error" row, as in the embedded pool,
    and never fails the chunk: a chunk fails only when its worker dies."""
    try:
        result = batch.grade_or_error(sub, options)
        if result.fingerprint:
            result.fingerprint = {"submission": sub.digest, "grader": grader_fingerprint}
        return GradedStudent(result, render_feedback(result, options))
    except Exception as exc:  # noqa: BLE001 - reported in the student's row
        message = f"grader error: {type(exc).__name__}: {exc}"[:2000]
        return GradedStudent(SubmissionResult(student=sub.student, assignment=sub.assignment, checks=[],
                                              output=message, status="error"), {})


def render_feedback(result: SubmissionResult, options: batch.BatchOptions) -> dict[str, bytes]:
    """The files `write_feedback` writes for `result` (feedback.md, feedback.html, figures/*.png),
    by path relative to the student's folder."""
    with tempfile.TemporaryDirectory(prefix="nnopt-feedback-") as tmp:
        folder = Path(tmp)
        batch.write_student_feedback(result, folder, options)
        return {path.relative_to(folder).as_posix(): path.read_bytes()
                for path in sorted(folder.rglob("*")) if path.is_file()}
