"""Run one assignment's grading suite on one submission -> `SubmissionResult`.

pytest is the grading runtime: `pytest.main` runs in this (trusted) process with our
`GradingPlugin` and pytest-json-report's `JSONReport`; the student's code runs in a
sandboxed worker behind `StudentCode`. The JSON report becomes the result. pytest is
imported only once the worker is launched, so the two start up side by side. A batch runs
the checks in one long-lived pytest session per process instead (session.py).
"""
from __future__ import annotations

import io
import os
from contextlib import contextmanager, redirect_stdout
from functools import partial
import tempfile
import time
from pathlib import Path

from autograder import reference, sandbox, speed
from autograder.results import CheckResult, SubmissionResult, grader_error_summary
from autograder.remote import StudentCode, SubmissionImportError

SUITES_DIR = Path(__file__).resolve().parent.parent / "suites"


def suite_dir(assignment: str) -> Path:
    return SUITES_DIR / assignment


def pytest_args(assignment: str, *, hidden: bool, select: str | None = None) -> list[str]:
    """Command line for one suite: quiet, no cache, no outside conftest or ini, no autoloaded plugins.

    No assertion rewriting, output capture or log capture: checks report through `CheckFailed`
    messages, never bare asserts or prints, and the student's output is the worker's. No skip or
    xfail marks, unittest classes, subtests, tmp_path or --setup-only/--setup-plan: a check passes
    or fails. Each plugin left out hooks into every check of every submission, so leaving them
    out (and the capture plugin) makes every check cheaper. The JSON report keeps what results need (outcomes, metadata, durations,
    collectors) and omits the rest.

    Visible modules come first (reports list checks in this order); without hidden checks the
    `test_hidden*.py` modules are not even collected (nor imported).
    """
    directory = suite_dir(assignment)
    modules = sorted(directory.glob("test_*.py"), key=lambda path: (path.name.startswith("test_hidden"), path.name))
    targets = [str(path) for path in modules if hidden or not path.name.startswith("test_hidden")]
    args = [*targets, "-p", "pytest_jsonreport.plugin", "-p", "no:cacheprovider",
            "-p", "no:stepwise", "-p", "no:unraisableexception", "-p", "no:threadexception",
            "-p", "no:faulthandler", "-p", "no:doctest", "-p", "no:pastebin", "-p", "no:junitxml",
            "-p", "no:logging", "-p", "no:skipping", "-p", "no:unittest", "-p", "no:subtests",
            "-p", "no:setuponly", "-p", "no:setupplan", "-p", "no:capture", "-p", "no:tmpdir",
            "-qq", "--tb=no", "--no-header", "--import-mode=importlib", "--assert=plain",
            "--rootdir", str(directory), "-c", os.devnull, "--confcutdir", str(directory),
            "--json-report-file=none", "--json-report-omit", "log", "streams", "keywords", "warnings",
            "-W", "ignore::pytest.PytestCollectionWarning"]
    if not hidden:
        args += ["-m", "not hidden"]
    if select:
        args += ["-k", select]
    return args


@contextmanager
def no_plugin_autoload():
    """Only the plugins we name: installed pytest plugins stay out of grading."""
    saved = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        yield
    finally:
        if saved is None:
            del os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"]
        else:
            os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = saved


def run_suite(assignment: str, student: StudentCode, *, hidden: bool = True,
              select: str | None = None) -> list[CheckResult]:
    """Run the suite against an already constructed `StudentCode`; one CheckResult per check."""
    import pytest
    from pytest_jsonreport.plugin import JSONReport

    from autograder.runtime.plugin import GradingPlugin

    report_plugin = JSONReport()
    grading_plugin = GradingPlugin(student, reference.load(assignment))
    with no_plugin_autoload(), redirect_stdout(io.StringIO()):
        pytest.main(pytest_args(assignment, hidden=hidden, select=select),
                    plugins=[report_plugin, grading_plugin])
    if report_plugin.report is None:
        raise RuntimeError(f"the {assignment} suite did not run")
    _raise_for_broken_suite(report_plugin.report)
    return checks_from_report(report_plugin.report)


def _raise_for_broken_suite(report: dict) -> None:
    """A suite that fails to collect is the grader's bug, never the student's zero."""
    for collector in report.get("collectors", []):
        if collector.get("outcome") == "failed":
            raise RuntimeError(f"grading suite failed to collect: {collector.get('longrepr', '')[-2000:]}")


def checks_from_report(report: dict) -> list[CheckResult]:
    """One CheckResult per test of a pytest-json-report report, in run order."""
    return [check_from_report(test) for test in report.get("tests", [])]


def check_from_report(test: dict) -> CheckResult:
    """One pytest-json-report test entry -> CheckResult (partial credit on failure)."""
    meta = test.get("metadata", {})
    points = meta.get("points", 0.0)
    grader_error = meta.get("grader_error", "")
    passed = test["outcome"] == "passed" and not grader_error
    fraction = 1.0 if passed else 0.0 if grader_error else (meta.get("partial") or 0.0)
    output = "" if passed else meta.get("message") or _longrepr(test)
    return CheckResult(
        name=meta.get("name", test["nodeid"]), check_id=meta.get("check_id", test["nodeid"]),
        score=round(points * fraction, 6), max_score=points,
        status="passed" if passed else "grader_error" if grader_error else "failed", output=output,
        grader_error=grader_error, rule=meta.get("rule", ""),
        visibility="hidden" if meta.get("hidden") else "visible",
        unit=meta.get("unit"), kind=meta.get("kind"), artifacts=meta.get("artifacts", []),
        seconds=sum(test.get(stage, {}).get("duration", 0.0) for stage in ("setup", "call", "teardown")),
    )


def _longrepr(test: dict) -> str:
    for stage in ("setup", "call", "teardown"):
        crash = test.get(stage, {}).get("crash")
        if crash:
            return crash.get("message", "failed")
    return f"check {test['outcome']}"


def grade_file(assignment: str, source_file: Path, *, hidden: bool = True, student: str = "",
               mode: str = "auto", limits: sandbox.Limits | None = None,
               select: str | None = None, warm: bool = False, session=None) -> SubmissionResult:
    """Grade the submission file `source_file` (a `.py` module) of `assignment`.

    `warm`: fork the worker from this thread's zygote (sandbox/warm.py), which pays off from the
    second submission a process grades on (batches); a one-off `check` starts it cold.
    `session`: a `SuiteSession` of the assignment (batches) that runs the checks, in its thread;
    by default a pytest run of its own."""
    if session is None:
        run_checks = partial(run_suite, assignment, hidden=hidden, select=select)
        return _grade_file(assignment, source_file, run_checks, student=student, mode=mode, limits=limits,
                           warm=warm)
    _check_session(session, assignment, hidden, select)
    return session.execute(partial(_grade_file, assignment, source_file, session.run_checks, student=student,
                                   mode=mode, limits=limits, warm=warm))


def _check_session(session, assignment, hidden, select):
    if (session.assignment, session.hidden, select) != (assignment, hidden, None):
        raise ValueError(f"a session of {session.assignment} (hidden={session.hidden}) cannot grade "
                         f"{assignment} (hidden={hidden}, select={select!r})")


def _grade_file(assignment, source_file, run_checks, *, student, mode, limits, warm) -> SubmissionResult:
    started = time.perf_counter()
    code = StudentCode(source_file, assignment, mode=mode, limits=limits or sandbox.Limits(), warm=warm)
    with code:
        code.launch()  # the worker imports numpy and the submission while we import pytest
        speed.reuse_freed_memory()  # after the launch: the worker starts meanwhile
        import autograder.runtime.plugin  # noqa: F401 - pytest, the checks
        reference.load(assignment)
        try:
            code.start()
        except SubmissionImportError:
            pass  # kept in code.import_error; every check fails with it
        status, output = ("import_error", str(code.import_error)) if code.import_error else ("ok", "")
        checks = run_checks(code)
        stdout = code.output()
    if any("used up its time budget" in c.output for c in checks):
        status = "timeout"
    result = SubmissionResult(student=student, assignment=assignment, checks=checks, output=output,
                              status=status, stdout=stdout, seconds=time.perf_counter() - started)
    if status == "ok" and result.grader_errors:
        result.status, result.output = "grader_error", (
            f"{grader_error_summary(result)}: the grader itself failed there (not your mistake); your "
            "instructor is told, and those points are withheld until they review it.")
    return result


def grade_unavailable(assignment: str, message: str, *, student: str = "",
                      hidden: bool = True, session=None) -> SubmissionResult:
    """Every check failed with `message` (no submission, unreadable file): the row still has max_score."""
    code = StudentCode.unavailable(message)
    if session is None:
        checks = run_suite(assignment, code, hidden=hidden)
    else:
        _check_session(session, assignment, hidden, None)
        checks = session.execute(partial(session.run_checks, code))
    return SubmissionResult(student=student, assignment=assignment, checks=checks, output=message,
                            status="no_submission")


def grade_source(assignment: str, source: str, *, filename: str | None = None, hidden: bool = True,
                 student: str = "", mode: str = "auto", limits: sandbox.Limits | None = None,
                 select: str | None = None, warm: bool = False, session=None) -> SubmissionResult:
    """Grade source text (written to a private temporary file named like the module)."""
    with tempfile.TemporaryDirectory(prefix="nnopt-src-") as tmp:
        path = Path(tmp) / (filename or f"{assignment}.py")
        path.write_text(source)
        return grade_file(assignment, path, hidden=hidden, student=student, mode=mode,
                          limits=limits, select=select, warm=warm, session=session)
