"""What every rubric-validity test (tests/validity/test_<assignment>.py) checks of its assignment.

- Mutants: realistic wrong implementations, each a text replacement applied to the reference
  source; the check that names the mistake must fail (with the diagnosis in its feedback, where
  the test file gives one) and the score drop.
- Correct alternatives (the demo cohort's correct students, written in other styles, and the
  released notebook filled in) get full marks; the whole cohort gets exactly what
  examples/cohort/<assignment>/expected.json says.
- The untouched stub (the reference with its solutions cleared), the released stub and an empty
  file score exactly 0.
- Every check of the rubric is failed by at least one known-wrong implementation (a mutant or a
  cohort student without full marks): no check that cannot fail.

Test modules import this file by name (`from harness import ...`): pytest puts this folder,
which is no package, on `sys.path` (its default "prepend" import mode); conftest.py has pytest
rewrite the asserts here.
"""
from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import nbformat

from autograder import submission
from autograder.release.stubs import clear_solutions
from autograder.results import SubmissionResult
from autograder.runtime import rubric
from autograder.runtime.runner import grade_source
from autograder.runtime.session import shared_session

ROOT = Path(__file__).resolve().parents[2]


def mutate(source: str, replacements: list[tuple]) -> str:
    """`source` with each `(old, new)` applied in order; `old` must stand exactly once in the text
    it applies to, or exactly `times` times for an `(old, new, times)` that replaces every one."""
    for old, new, *times in replacements:
        expected = times[0] if times else 1
        assert source.count(old) == expected, (
            f"the mutant does not apply: {old!r} is not {expected} time(s) in the reference")
        source = source.replace(old, new)
    return source


def stub_of(source: str) -> str:
    """The reference with every solution region replaced by `raise NotImplementedError`
    (a plain regex, independent of the release tool's `clear_solutions`)."""
    return re.sub(r"^( *)### BEGIN SOLUTION\n.*?^ *### END SOLUTION\n",
                  lambda m: f"{m.group(1)}raise NotImplementedError\n", source, flags=re.S | re.M)


@cache
def grade(assignment: str, source: str) -> SubmissionResult:
    """The full (hidden included) grade of `source`, as `grade` gives it: in the process's one
    pytest session of the assignment, after every submission graded before it. Each source is
    graded once per test session."""
    return grade_source(assignment, source, warm=True, session=shared_session(assignment))


def failed(result: SubmissionResult) -> set[str]:
    return {c.check_id for c in result.checks if c.status == "failed"}


class Validity:
    """The shared validity checks of one assignment; `notebook_student` is the cohort student
    whose submission is the released notebook with its solution cells filled in; `mutants`
    maps a mutant's name to (replacements, the check id that names it[, diagnosis])."""

    def __init__(self, assignment: str, *, notebook_student: str, mutants: dict):
        self.assignment = assignment
        self.mutants = mutants
        self.reference = (ROOT / "solutions" / f"{assignment}.py").read_text()
        self.cohort_dir = ROOT / "examples" / "cohort" / assignment
        self.released_stub = ROOT / "assignments" / assignment / f"{assignment}.py"
        self.released_notebook = ROOT / "assignments" / assignment / f"{assignment}.ipynb"
        self.notebook_student = notebook_student

    def grade(self, source: str) -> SubmissionResult:
        return grade(self.assignment, source)

    def cohort(self) -> dict:
        """student id -> Submission (folder with NAME.py or NAME.ipynb, or a zip), read as the batch grader does."""
        return {entry.stem if entry.suffix == ".zip" else entry.name: submission.load(entry, self.assignment)
                for entry in sorted(self.cohort_dir.iterdir()) if entry.is_dir() or entry.suffix == ".zip"}

    def reference_gets_full_marks(self):
        result = self.grade(self.reference)
        assert result.status == "ok"
        assert failed(result) == set()
        assert result.score == result.max_score > 0

    def mutant_fails_the_check_that_names_it(self, mutant: str, replacements: list[tuple], check_id: str,
                                             diagnosis: str | None = None):
        """The mutant fails `check_id` (whose feedback contains `diagnosis`, when given) and loses points."""
        result = self.grade(mutate(self.reference, replacements))
        checks = {c.check_id: c for c in result.checks}
        assert check_id in checks
        assert checks[check_id].status == "failed", f"{mutant}: {check_id} passed"
        if diagnosis is not None:
            assert diagnosis in checks[check_id].output, checks[check_id].output
        assert result.score < result.max_score

    def cohort_gets_expected_results(self):
        expected = json.loads((self.cohort_dir / "expected.json").read_text())
        students = self.cohort()
        assert sorted(students) == sorted(expected)
        assert sum(1 for e in expected.values() if e.get("full_marks")) >= 3  # two .py styles + the notebook
        assert sum(1 for e in expected.values() if e.get("fails")) >= 2
        for student, sub in students.items():
            assert sub.source is not None, f"{student}: {sub.error}"
            result = self.grade(sub.source)
            if expected[student].get("full_marks"):
                assert failed(result) == set(), f"{student}: {sorted(failed(result))}"
                assert result.score == result.max_score
            else:
                assert failed(result) == set(expected[student]["fails"]), student

    def assert_every_check_caught(self, mutants: dict):
        """Each check id of the rubric is failed by at least one mutant (`{id: (replacements,
        check_id, ...)}`) or one cohort student whom expected.json does not give full marks."""
        wrong = [mutate(self.reference, spec[0]) for spec in mutants.values()]
        expected = json.loads((self.cohort_dir / "expected.json").read_text())
        for student, sub in self.cohort().items():
            if not expected[student].get("full_marks"):
                assert sub.source is not None, f"{student}: {sub.error}"
                wrong.append(sub.source)
        caught = set().union(*(failed(self.grade(source)) for source in wrong))
        uncaught = [c["check_id"] for c in rubric.collect(self.assignment) if c["check_id"] not in caught]
        assert not uncaught, (f"{len(uncaught)} check(s) of {self.assignment} fail for none of its "
                              f"{len(wrong)} known-wrong implementations: {uncaught}")

    def filled_released_notebook_gets_full_marks(self):
        """The cohort's notebook is the released notebook with only its solution cells filled in."""
        released = nbformat.read(self.released_notebook, as_version=4)
        filled = nbformat.read(self.cohort_dir / self.notebook_student / f"{self.assignment}.ipynb", as_version=4)
        assert len(released.cells) == len(filled.cells)
        for before, after in zip(released.cells, filled.cells):
            if before.metadata.get("nbgrader", {}).get("solution"):
                assert "raise NotImplementedError" in before.source and "NotImplementedError" not in after.source
            else:
                assert before.source == after.source
        result = self.grade(submission.load(self.cohort_dir / self.notebook_student, self.assignment).source)
        assert failed(result) == set() and result.score == result.max_score > 0

    def stub_scores_zero(self):
        """The reference with its solutions cleared, by the release tool and by `stub_of`, scores 0."""
        for stub in (clear_solutions(self.reference), stub_of(self.reference)):
            assert "raise NotImplementedError" in stub
            result = self.grade(stub)
            assert result.score == 0 and result.max_score > 0

    def released_stub_scores_zero(self):
        result = self.grade(self.released_stub.read_text())
        assert result.score == 0 and result.max_score > 0

    def empty_file_scores_zero(self):
        result = self.grade("")
        assert result.score == 0 and result.max_score > 0

    def correct_alternative_gets_full_marks(self, source: str):
        result = self.grade(source)
        assert result.status == "ok"
        assert failed(result) == set(), {c.check_id: c.output for c in result.checks if c.status == "failed"}
        assert result.score == result.max_score

    def every_kind_of_hidden_rule_has_a_visible_check(self):
        """A student who passes `check` has been shown every kind of rule a hidden check grades."""
        checks = rubric.collect(self.assignment)
        visible = {c["kind"] for c in checks if not c["hidden"]}
        assert {c["kind"] for c in checks if c["hidden"]} <= visible
        assert any(c["hidden"] for c in checks)

    def every_mutant_names_its_diagnosis(self):
        """Each mutant asserts a fragment of its diagnosis, not only that its check failed."""
        assert all(len(spec) == 3 and spec[2] for spec in self.mutants.values()), \
            [name for name, spec in self.mutants.items() if len(spec) < 3 or not spec[2]]

    def degenerate_result_gets_verdicts(self, value: str):
        """Every `return ...` of the reference replaced by `return <value>` (a missing return, a
        wrong type, NaN, a huge array): every check gives a verdict, never a grader error."""
        source = re.sub(r"^( +)return .*$", lambda m: f"{m.group(1)}return {value}", self.reference, flags=re.M)
        if "import numpy as np" not in source:
            source = "import numpy as np\n" + source
        result = self.grade(source)
        assert result.grader_errors == [], [(c.check_id, c.grader_error[-300:]) for c in result.grader_errors]
        assert result.score < result.max_score


# The shared tests. Each test module imports them (so pytest collects them there) and defines
# VALIDITY; conftest.py hands it over as the `validity` fixture and parametrizes `mutant`,
# `correct` (the module's CORRECT: name -> source of a correct alternative) and `degenerate`.
def test_reference_gets_full_marks(validity):
    validity.reference_gets_full_marks()


def test_mutant_fails_the_check_that_names_it(validity, mutant):
    validity.mutant_fails_the_check_that_names_it(mutant, *validity.mutants[mutant])


def test_cohort_gets_expected_results(validity):
    validity.cohort_gets_expected_results()


def test_every_check_catches_a_known_mistake(validity):
    validity.assert_every_check_caught(validity.mutants)


def test_filled_released_notebook_gets_full_marks(validity):
    validity.filled_released_notebook_gets_full_marks()


def test_stub_scores_zero(validity):
    validity.stub_scores_zero()


def test_released_stub_scores_zero(validity):
    validity.released_stub_scores_zero()


def test_empty_file_scores_zero(validity):
    validity.empty_file_scores_zero()


def test_every_mutant_names_its_diagnosis(validity):
    validity.every_mutant_names_its_diagnosis()


def test_degenerate_results_get_verdicts_not_grader_errors(validity, degenerate):
    """`degenerate`: each value of the module's DEGENERATE_RETURNS (conftest.py)."""
    validity.degenerate_result_gets_verdicts(degenerate)


def test_correct_alternative_gets_full_marks(validity, correct):
    """`correct`: each source of the module's CORRECT (conftest.py)."""
    validity.correct_alternative_gets_full_marks(correct)


def test_every_kind_of_hidden_rule_has_a_visible_check(validity):
    validity.every_kind_of_hidden_rule_has_a_visible_check()
