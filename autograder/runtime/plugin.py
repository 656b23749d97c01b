"""The pytest plugin that turns a grading suite into a grader.

Fixtures: `student` (the submission, a `StudentCode` in its worker), `reference` (the
reference module, trusted side), `feedback` (plot data and partial credit).
Markers: `points(n)`, `hidden`, `unit(name)`, `kind(name)`, `rule(text)`. Everything a report
needs travels as pytest-json-report metadata of each test. An exception that is not the
student's (`is_grader_error`) makes the check a grader error: no verdict, the student told so,
the traceback kept for the instructor.
"""
from __future__ import annotations

import math
import traceback

import numpy as np
import pytest

from autograder.checks import CheckFailed
from autograder.remote import StudentFault

MARKERS = (
    "points(n): points the check is worth",
    "hidden: a hidden check (not run by `check`; feedback shows name, status and points only)",
    "unit(name): the student function or class the check grades",
    "kind(name): gradient, agreement, statistics, convergence or contract",
    "rule(text): the rule a hidden check grades, which a student's feedback names when it fails "
    "(default: the first line of its docstring); never its inputs or values",
)
KINDS = ("gradient", "agreement", "statistics", "convergence", "contract")
_METADATA = pytest.StashKey()


class Feedback:
    """What a check tells the reports beyond pass/fail."""

    def __init__(self):
        self.artifacts: list[dict] = []
        self.fraction: float | None = None

    def attach(self, kind: str, **data) -> None:
        """Plot data for the reports (kinds in docs/checks.md)."""
        self.artifacts.append({"kind": kind, **_plain(data)})

    def partial(self, fraction: float) -> None:
        """Credit `fraction` of the points even though the check fails."""
        self.fraction = min(1.0, max(0.0, float(fraction)))


def _plain(value):
    """JSON-safe copy: arrays to lists, non-finite floats to None (floats and lists first: paths
    and losses are most of the data)."""
    kind = type(value)
    if kind is float:
        return value if math.isfinite(value) else None
    if kind is list or kind is tuple:
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, (np.floating, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def is_grader_error(exc: BaseException) -> bool:
    """Whether a check's exception is the grader's own fault rather than a verdict on the student.

    The student's: `CheckFailed` (a check's verdict) and `StudentFault` (their code raised, hung,
    crashed or sent something that is not data). Anything else was raised by trusted code (the
    reference, a diagnosis, a check helper, a fixture) and is a grader error, whatever input
    provoked it: a check must turn every result a student can return into a verdict.
    """
    return not isinstance(exc, (CheckFailed, StudentFault))


GRADER_ERROR_MARKER = "grader error:"  # how an instructor's record of a grader error begins
GRADER_ERROR_NOTE = ("The grader itself failed on this check (a grader error, not a verdict on your code). "
                     "It is reported to your instructor, and its points are withheld until they review it.")


def failure_message(excinfo) -> str:
    """The student-facing message for a failed check (a grader error says so, without its traceback)."""
    exc = excinfo.value
    if is_grader_error(exc):
        return GRADER_ERROR_NOTE
    return str(exc)


def grader_error_trace(excinfo) -> str:
    """The instructor's record of a grader error: the marker, exception and trusted-side traceback
    (at most ~4000 characters: its head and its innermost frames)."""
    text = f"{GRADER_ERROR_MARKER} " + "".join(traceback.format_exception(type(excinfo.value), excinfo.value,
                                                                          excinfo.tb))
    return text if len(text) <= 4000 else f"{text[:300]}\n…\n{text[-3700:]}"


def marker_metadata(item) -> dict:
    """Points, visibility, unit, kind and display name from the test's markers (kept on the item:
    a `SuiteSession` runs the same items for every submission)."""
    if _METADATA not in item.stash:
        item.stash[_METADATA] = _read_markers(item)
    return dict(item.stash[_METADATA])


def _read_markers(item) -> dict:
    """`marker_metadata` read from the markers and docstring; a check without points is a usage error."""
    points = item.get_closest_marker("points")
    if points is None or not points.args:
        raise pytest.UsageError(f"{item.nodeid}: every check needs @pytest.mark.points(n)")
    unit = item.get_closest_marker("unit")
    kind = item.get_closest_marker("kind")
    if kind is not None and kind.args[0] not in KINDS:
        raise pytest.UsageError(f"{item.nodeid}: kind must be one of {', '.join(KINDS)}")
    doc = (getattr(item.function, "__doc__", None) or "").strip().splitlines()
    name = doc[0].strip() if doc else item.name
    rule = item.get_closest_marker("rule")
    rule = str(rule.args[0]) if rule is not None and rule.args else name
    if "[" in item.name:
        name = f"{name} [{item.name.split('[', 1)[1]}"
    hidden = item.get_closest_marker("hidden") is not None
    return {
        "check_id": item.name,
        "name": name,
        "points": float(points.args[0]),
        "hidden": hidden,
        "rule": rule if hidden else "",
        "unit": unit.args[0] if unit else None,
        "kind": kind.args[0] if kind else None,
    }


class GradingPlugin:
    """Registered with `pytest.main(plugins=[...])`; `submission` is the `StudentCode` graded
    (a `SuiteSession` sets it before each submission's run, and passes `remember=True`)."""

    def __init__(self, submission, reference, *, remember: bool = False):
        self.submission = submission
        self._reference = reference
        self._feedback: Feedback | None = None  # the running check's, if it asked for one
        self.memory: dict | None = {} if remember else None  # the `remembered` fixture

    def pytest_configure(self, config):
        for line in MARKERS:
            config.addinivalue_line("markers", line)

    @pytest.fixture(scope="session")
    def student(self):
        return self.submission

    @pytest.fixture(scope="session")
    def reference(self):
        return self._reference

    @pytest.fixture(scope="session")
    def remembered(self):
        """A dict where checks keep the results of the grader's own computations, keyed by their exact
        input, for the later submissions of a `SuiteSession`; None in a one-off run, where nothing
        would be reused and computing keys would only cost time."""
        return self.memory

    @pytest.fixture
    def feedback(self):
        self._feedback = Feedback()
        return self._feedback

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item):
        self._feedback = None  # reset ahead of this check's fixtures: a `feedback` is the check's own

    def pytest_collection_modifyitems(self, items):
        for item in items:  # reports use `failure_message`; pytest's traceback rendering is never shown
            item.repr_failure = failure_message

    def pytest_json_runtest_metadata(self, item, call):
        """Marker metadata after setup, the failure message of setup or call, and the feedback's
        artifacts and partial credit after teardown: pytest-json-report checks that the metadata
        is JSON by serializing all of it after every stage, so the artifacts (plot data, up to
        ~50 KB) are added last, serialized once."""
        meta = marker_metadata(item) if call.when == "setup" else {}
        if call.excinfo is not None:
            meta["message"] = failure_message(call.excinfo)
            if is_grader_error(call.excinfo.value):
                meta["grader_error"] = grader_error_trace(call.excinfo)
        if call.when == "teardown" and self._feedback is not None:
            meta["artifacts"] = self._feedback.artifacts
            meta["partial"] = self._feedback.fraction
        return meta
