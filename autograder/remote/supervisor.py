"""The student's worker process, from the trusted side: started, waited for, restarted after a
fault, killed; what it printed; the CPU it shares with the grading thread.

The worker never imports the submission in this process: `autograder/wire/worker.py` runs in the
sandbox (`autograder.sandbox`) and says "ready" once the submission is imported, or why not. A
fault kills the whole worker tree; the next call launches a fresh worker (a new `generation`:
objects of the old one are lost). Where "auto" started the worker in bubblewrap before probing it
and bwrap cannot run here, the worker is started again in the fallback mode.
"""
from __future__ import annotations

import socket
from functools import partial
from pathlib import Path

from autograder import sandbox
from autograder.remote.budget import CallBudget, DeadlineStream
from autograder.remote.errors import StudentException, SubmissionImportError
from autograder.remote.lazy import import_on_first_use
from autograder.sandbox import affinity, uids

protocol = import_on_first_use("autograder.wire.protocol")

WORKER_SCRIPT = Path(__file__).resolve().parents[1] / "wire" / "worker.py"


class WorkerSupervisor:
    """One submission's worker: `launch`, `start` (wait until imported), `stop`, `close`.

    `module_name` is the name the submission is imported as; `stream` is the channel to the running
    worker (a `DeadlineStream`), `generation` counts the workers launched, `import_error` is set once
    the submission proved unable to start."""

    def __init__(self, source_file: Path, module_name: str, *, mode: str, limits: sandbox.Limits,
                 warm: bool, budget: CallBudget):
        self._source_file, self.module_name = Path(source_file), module_name
        self._mode, self._limits, self._budget = mode, limits, budget
        self._warm = warm  # fork workers from this thread's zygote: for processes that grade many
        self.worker = None
        self.stream: DeadlineStream | None = None
        self.generation = 0
        self.import_error: SubmissionImportError | None = None
        self.pinned_from: set[int] | None = None  # this thread's CPUs before it was pinned with the worker
        self._ready = False
        self._output_parts: list[str] = []

    @property
    def running(self) -> bool:
        return self.worker is not None

    def launch(self) -> None:
        """Start the worker without waiting for it (it imports numpy and the submission meanwhile).

        Launch from a long-lived thread: the sandbox ties the worker's life to the launching
        thread (PR_SET_PDEATHSIG), so a worker launched by a thread that exits dies with it.
        """
        if self.import_error is not None or self.worker is not None:
            return
        self._budget.start()
        if sandbox.portable_selected(self._mode):  # the channel is the worker's stdin and stdout
            self.worker = sandbox.start_portable_worker(WORKER_SCRIPT, self._source_file, self.module_name,
                                                        limits=self._limits)
            ours = self.worker.channel
        else:
            ours, theirs = socket.socketpair()
            try:
                self.worker = sandbox.start_worker(WORKER_SCRIPT, self._source_file, self.module_name,
                                                   theirs.fileno(), mode=self._mode, limits=self._limits,
                                                   warm=self._warm)
            finally:
                theirs.close()
        self.generation += 1
        self.stream = DeadlineStream(ours)
        self.stream.deadline = self._budget.import_deadline()
        self._ready = False

    def start(self) -> None:
        """Start the worker if needed and wait until the submission is imported."""
        if self.import_error is not None:
            # a fresh traceback each time: re-raising one exception object makes its traceback
            # grow by a stack per raise, and every report of it slower
            raise self.import_error.with_traceback(None)
        self.launch()
        if self._ready:
            return
        try:
            hello = protocol.recv(self.stream, self._limits.frame_bytes, _no_handles)
        except TimeoutError:
            self.import_error = SubmissionImportError(
                f"importing the submission took longer than {self._limits.import_seconds:g} s "
                "(an infinite loop or a long computation at module level?)")
        except EOFError:
            if self.worker.sandbox_failure() is not None:  # bwrap itself cannot run here: use the fallback
                self.stop(keep_output=False)  # what the failed sandbox printed is not the student's
                return self.start()
            self.import_error = SubmissionImportError(
                "the submission's process exited while being imported "
                "(sys.exit/os._exit at module level, a crash, or a resource limit)" + self.output_tail())
        except (protocol.ProtocolViolation, OSError) as exc:
            self.import_error = SubmissionImportError(f"the submission broke the worker at import: {exc}")
        else:
            if hello.get("op") == "import_error" and isinstance(hello.get("error"), dict):
                error = StudentException(hello["error"])
                self.import_error = SubmissionImportError(f"cannot import your submission: {error}")
            elif hello.get("op") != "ready":
                self.import_error = SubmissionImportError("the worker did not start properly")
        if self.import_error is not None:
            self.stop()
            raise self.import_error
        self._ready = True
        self._pin_with_worker()

    def _pin_with_worker(self) -> None:
        """Share a CPU with the worker (`sandbox.affinity`), where its processes are known: those of
        its leased uid."""
        if self.worker.host_uid is not None:
            saved = affinity.pin_thread_with(partial(uids.processes_of, self.worker.host_uid))
            self.pinned_from = self.pinned_from or saved

    def stop(self, keep_output: bool = True) -> None:
        """Kill the worker tree (keeping what it printed, unless told not to) and close the channel."""
        if self.worker is not None:
            self.worker.kill()
            if keep_output:
                self._output_parts.append(self.worker.output())
            self.worker = None
        if self.stream is not None:
            self.stream.close()
            self.stream = None

    def close(self) -> None:
        """Kill the worker tree and give this thread its CPUs back; nothing of the student's survives this."""
        self.stop()
        affinity.restore_thread(self.pinned_from)
        self.pinned_from = None

    def output(self) -> str:
        """What the student's code printed (capped per worker)."""
        parts = self._output_parts + ([self.worker.output()] if self.worker else [])
        return "".join(parts)[: self._limits.output_bytes]

    def output_tail(self) -> str:
        """The end of the running worker's output, as a note to add to a message ("" if none)."""
        if self.worker is None:
            return ""
        tail = self.worker.output().strip()[-500:]
        return f"\n--- output ---\n{tail}" if tail else ""


def _no_handles(handle):
    raise protocol.ProtocolViolation("a handle in the worker's greeting")
