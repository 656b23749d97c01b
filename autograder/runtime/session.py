"""One pytest session that grades submission after submission (a batch's pool process).

`run_suite` pays pytest's configuration, plugin registration and collection for every
submission. A `SuiteSession` pays them once: `pytest.main` runs
in the session's own long-lived thread, and `SubmissionLoop`, its runtest loop, serves
jobs handed over by `execute`. A job grades one submission and calls `run_checks`, which
runs every collected item through pytest's own `pytest_runtest_protocol` (the last one
with ``nextitem=None``, so every fixture, session-scoped ones included, is torn down
before the next submission; items are re-run as pytest-rerunfailures does), and turns
that submission's test reports into its JSON report with a fresh pytest-json-report
`JSONReport`. The session registers pytest-json-report's `JSONReportWorker`, which attaches
the per-test details (our metadata included) to each report, and the loop hands the
reports and the stage hook to the submission's `JSONReport`: its `pytest_sessionstart`
and `pytest_sessionfinish` open and build that report.

Jobs run in the session's thread, so the workers a job starts (and restarts after a fault)
are tied to a thread that lives as long as the session (see `StudentCode.launch`).
"""
from __future__ import annotations

import os
import queue
import threading
from concurrent.futures import Future
from contextlib import redirect_stdout

import pytest
from pytest_jsonreport.plugin import JSONReport, JSONReportWorker

from autograder import reference
from autograder.results import CheckResult
from autograder.runtime.plugin import GradingPlugin
from autograder.runtime.runner import checks_from_report, no_plugin_autoload, pytest_args


class SubmissionLoop:
    """pytest plugin: the runtest loop of a `SuiteSession`, one job (submission) at a time."""

    def __init__(self, jobs: queue.SimpleQueue, grading: GradingPlugin):
        self._jobs, self._grading = jobs, grading
        self.ready = threading.Event()
        self.collect_errors: list[str] = []
        self._session = None
        self._report: JSONReport | None = None

    def pytest_collectreport(self, report):
        if report.failed:
            self.collect_errors.append(report.longreprtext[-2000:])

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session):
        """Serve jobs until `None`; a job that raises ends the session (its state is unknown)."""
        if self.collect_errors:
            return True
        self._session = session
        self.ready.set()
        while (job := self._jobs.get()) is not None:
            function, future = job
            try:
                future.set_result(function())
            except BaseException as exc:  # noqa: B036 - handed to the caller, whatever it is
                future.set_exception(exc)
                break
        return True

    def run_checks(self, student) -> list[CheckResult]:
        """Every collected check on `student`, in collection order; one CheckResult per check."""
        session = self._session
        self._grading.submission = student
        self._report = JSONReport(session.config)
        self._report.pytest_sessionstart(session)
        items = session.items
        try:
            for item, nextitem in zip(items, [*items[1:], None]):
                item.ihook.pytest_runtest_protocol(item=item, nextitem=nextitem)
        finally:
            session.config.pluginmanager.get_plugin("terminalreporter").stats.clear()
        self._report.pytest_sessionfinish(session)
        return checks_from_report(self._report.report)

    def pytest_runtest_logreport(self, report):
        self._report.pytest_runtest_logreport(report)

    @pytest.hookimpl(trylast=True)
    def pytest_json_runtest_stage(self, report):
        return self._report.pytest_json_runtest_stage(report)


class SuiteSession:
    """`assignment`'s grading suite, collected once, run on one submission per `execute` job."""

    def __init__(self, assignment: str, *, hidden: bool = True):
        self.assignment, self.hidden = assignment, hidden
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()  # a job is queued only while the loop will still take it
        self._stopped = False
        self._grading = GradingPlugin(None, reference.load(assignment), remember=True)
        self._loop = SubmissionLoop(self._jobs, self._grading)
        self._terminal = open(os.devnull, "w")  # pytest's terminal reporter keeps the file it starts with
        self._thread = threading.Thread(target=self._main, name=f"suite-{assignment}", daemon=True)
        with no_plugin_autoload(), redirect_stdout(self._terminal):
            self._thread.start()
            self._loop.ready.wait()
        if not self.alive:
            self.close()
            errors = "\n".join(self._loop.collect_errors) or "pytest stopped before running the checks"
            raise RuntimeError(f"the {assignment} suite cannot run: {errors}")

    def _main(self):
        try:
            pytest.main(pytest_args(self.assignment, hidden=self.hidden),
                        plugins=[JSONReportWorker(), self._grading, self._loop])
        finally:
            with self._lock:
                self._stopped = True
            self._loop.ready.set()
            while True:  # jobs queued as the loop ended
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if job is not None:
                    job[1].set_exception(RuntimeError("the grading session stopped"))

    @property
    def alive(self) -> bool:
        """Still taking jobs (False in a forked child, which has no copy of the session's thread)."""
        return not self._stopped and self._thread.is_alive()

    def execute(self, function):
        """Run ``function()`` in the session's thread, where it may call `run_checks`; its result."""
        future: Future = Future()
        with self._lock:
            if self._stopped:
                raise RuntimeError("the grading session stopped")
            self._jobs.put((function, future))
        return future.result()

    def run_checks(self, student) -> list[CheckResult]:
        """The suite on `student` (a started `StudentCode`); only from a job of `execute`."""
        if threading.current_thread() is not self._thread:
            raise RuntimeError("run_checks runs in the session's thread: call it from a job of execute()")
        return self._loop.run_checks(student)

    def close(self) -> None:
        """End the pytest session (fixtures torn down, its thread gone)."""
        with self._lock:
            if not self._stopped:
                self._jobs.put(None)
        self._thread.join()
        self._terminal.close()


_SHARED: dict[str, SuiteSession] = {}


def shared_session(assignment: str) -> SuiteSession:
    """This process's session of `assignment`'s full suite (hidden checks included), started at
    first use and again if it stopped (`grade`'s pool processes; `close_shared_sessions` ends them)."""
    session = _SHARED.get(assignment)
    if session is None or not session.alive:
        session = _SHARED[assignment] = SuiteSession(assignment)
    return session


def close_shared_sessions() -> None:
    while _SHARED:
        _SHARED.popitem()[1].close()
