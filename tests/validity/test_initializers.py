"""Validity of the `initializers` rubric (issue 3 item 7).

- Mutants: realistic wrong implementations, each a text replacement applied to the
  reference source; the check that names the mistake must fail (with the diagnosis in
  its feedback, where the suite recognises the mistake) and the score drop.
- Correct alternatives (the demo cohort's correct students) get full marks; the whole
  cohort gets what examples/cohort/initializers/expected.json says.
- The untouched stub and an empty file score exactly 0.
(Initializers take no input arrays, so there is nothing to modify in place; the
in-place mutants live in test_optimizers.py. Reading the global np.random state is
among the mutants here.)
"""
from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from autograder import submission
from autograder.checks.statistics import ALPHA, chi2_mean_square_interval, uniform_max_lower_bound
from autograder.runtime.runner import grade_source
from autograder.suites.initializers import common

pytestmark = pytest.mark.slow

ASSIGNMENT = "initializers"
ROOT = Path(__file__).resolve().parents[2]
REFERENCE = (ROOT / "solutions" / f"{ASSIGNMENT}.py").read_text()
COHORT = ROOT / "examples" / "cohort" / ASSIGNMENT
RELEASED_STUB = ROOT / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.py"
RELEASED_NOTEBOOK = ROOT / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
NOTEBOOK_STUDENT = "gia_notebook"

LECUN_DRAW = "rng.normal(0.0, 1.0 / math.sqrt(fan_in), size=(fan_in, fan_out))"

# id: (replacements applied to the reference, the check that names the mistake,
#      a fragment of that check's feedback naming the mistake)
MUTANTS = {
    "lecun_uses_fan_out": (
        [(LECUN_DRAW, "rng.normal(0.0, 1.0 / math.sqrt(fan_out), size=(fan_in, fan_out))")],
        "test_lecun_normal_distribution", "fan_out instead of fan_in"),
    "lecun_with_he_variance": (
        [(LECUN_DRAW, "rng.normal(0.0, math.sqrt(2.0 / fan_in), size=(fan_in, fan_out))")],
        "test_tanh_network_activations", "the weights are too large"),
    "xavier_normal_fan_in_only": (
        [("std = gain * math.sqrt(2.0 / (fan_in + fan_out))", "std = gain * math.sqrt(2.0 / fan_in)")],
        "test_xavier_normal_distribution", "fan_in alone"),
    "xavier_uniform_sqrt3": (
        [("bound = gain * math.sqrt(6.0 / (fan_in + fan_out))", "bound = gain * math.sqrt(3.0 / (fan_in + fan_out))")],
        "test_xavier_uniform_distribution", "sqrt(3/(fan_in + fan_out))"),
    "xavier_uniform_ignores_gain": (
        [("bound = gain * math.sqrt(6.0 / (fan_in + fan_out))", "bound = math.sqrt(6.0 / (fan_in + fan_out))")],
        "test_xavier_uniform_gain", "`gain` ignored"),
    "xavier_uniform_on_zero_to_b": (
        [("    return rng.uniform(-bound, bound, size=(fan_in, fan_out))\n    ### END SOLUTION\n\n\ndef kaiming_normal",
          "    return rng.uniform(0.0, bound, size=(fan_in, fan_out))\n    ### END SOLUTION\n\n\ndef kaiming_normal")],
        "test_xavier_uniform_distribution", "not [0, b]"),
    "kaiming_normal_ignores_mode": (
        [('    n = fan_in if mode == "fan_in" else fan_out\n    return rng.normal(',
          '    n = fan_in\n    return rng.normal(')],
        "test_kaiming_normal_fan_out", "`mode` mixed up"),
    "kaiming_uniform_draws_normal": (
        [("    bound = math.sqrt(6.0 / n)\n    return rng.uniform(-bound, bound, size=(fan_in, fan_out))",
          "    bound = math.sqrt(6.0 / n)\n    return rng.normal(0.0, bound / math.sqrt(3.0), size=(fan_in, fan_out))")],
        "test_kaiming_uniform_distribution", "outside [-b, b]"),
    "small_random_scale_as_variance": (
        [("return rng.normal(0.0, scale, size=(fan_in, fan_out))", "return rng.normal(0.0, math.sqrt(scale), size=(fan_in, fan_out))")],
        "test_small_random_distribution", "`scale` used as the variance"),
    "lecun_uses_global_rng": (
        [("return " + LECUN_DRAW, "return np.random.randn(fan_in, fan_out) / math.sqrt(fan_in)")],
        "test_lecun_normal_contract", "changed the global np.random state"),
    "xavier_normal_reads_global_rng_and_restores_it": (
        [("    return rng.normal(0.0, std, size=(fan_in, fan_out))\n",
          "    saved = np.random.get_state()\n"
          "    w = np.random.normal(0.0, std, size=(fan_in, fan_out))\n"
          "    np.random.set_state(saved)\n"
          "    return w\n")],
        "test_xavier_normal_contract", "never drew from `rng`"),
    "kaiming_normal_own_generator": (
        [('    return rng.normal(0.0, math.sqrt(2.0 / n), size=(fan_in, fan_out))',
          '    return np.random.default_rng(fan_in).normal(0.0, math.sqrt(2.0 / n), size=(fan_in, fan_out))')],
        "test_kaiming_normal_contract", "never drew from `rng`"),
    "small_random_float32": (
        [("return rng.normal(0.0, scale, size=(fan_in, fan_out))", "return rng.normal(0.0, scale, size=(fan_in, fan_out)).astype(np.float32)")],
        "test_small_random_contract", "float64"),
    "zeros_transposed": (
        [("return np.zeros((fan_in, fan_out), dtype=np.float64)", "return np.zeros((fan_out, fan_in))")],
        "test_zeros", "shape (300, 700)"),
    "gain_tanh_from_pytorch": (
        [('"tanh": 1.0,', '"tanh": 5.0 / 3.0,')],
        "test_gain_table", "PyTorch"),
    "gain_leaky_relu_slope_not_squared": (
        [("math.sqrt(2.0 / (1.0 + slope**2))", "math.sqrt(2.0 / (1.0 + slope))")],
        "test_gain_leaky_relu_slope", "slope not squared"),
}


def mutate(source: str, replacements: list[tuple[str, str]]) -> str:
    for old, new in replacements:
        assert old in source, f"the mutant does not apply: {old!r} is not in the reference"
        source = source.replace(old, new)
    return source


def stub_of(source: str) -> str:
    """The reference with every solution region replaced by `raise NotImplementedError`."""
    return re.sub(r"^( *)### BEGIN SOLUTION\n.*?^ *### END SOLUTION\n",
                  lambda m: f"{m.group(1)}raise NotImplementedError\n", source, flags=re.S | re.M)


@cache
def grade(source: str):
    return grade_source(ASSIGNMENT, source)


def failed(result) -> set[str]:
    return {c.check_id for c in result.checks if c.status == "failed"}


def cohort() -> dict:
    """student id -> Submission (folder with NAME.py or NAME.ipynb, or a zip), read as the batch grader does."""
    return {entry.stem if entry.suffix == ".zip" else entry.name: submission.load(entry, ASSIGNMENT)
            for entry in sorted(COHORT.iterdir()) if entry.is_dir() or entry.suffix == ".zip"}


def test_reference_gets_full_marks():
    result = grade(REFERENCE)
    assert result.status == "ok"
    assert failed(result) == set()
    assert result.score == result.max_score > 0


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_mutant_fails_the_check_that_names_it(mutant):
    replacements, check_id, diagnosis = MUTANTS[mutant]
    result = grade(mutate(REFERENCE, replacements))
    checks = {c.check_id: c for c in result.checks}
    assert check_id in checks
    assert checks[check_id].status == "failed", f"{mutant}: {check_id} passed"
    assert diagnosis in checks[check_id].output, checks[check_id].output
    assert result.score < result.max_score


def test_cohort_gets_expected_results():
    expected = json.loads((COHORT / "expected.json").read_text())
    students = cohort()
    assert sorted(students) == sorted(expected)
    assert sum(1 for e in expected.values() if e.get("full_marks")) >= 3  # two .py styles + the notebook
    for student, sub in students.items():
        assert sub.source is not None, f"{student}: {sub.error}"
        result = grade(sub.source)
        if expected[student].get("full_marks"):
            assert failed(result) == set(), f"{student}: {sorted(failed(result))}"
            assert result.score == result.max_score
        else:
            assert failed(result) == set(expected[student]["fails"]), student


def test_filled_released_notebook_gets_full_marks():
    """The cohort's notebook is the released notebook with only its solution cells filled in."""
    import nbformat

    released = nbformat.read(RELEASED_NOTEBOOK, as_version=4)
    filled = nbformat.read(COHORT / NOTEBOOK_STUDENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    assert len(released.cells) == len(filled.cells)
    for before, after in zip(released.cells, filled.cells):
        if before.metadata.get("nbgrader", {}).get("solution"):
            assert "raise NotImplementedError" in before.source and "NotImplementedError" not in after.source
        else:
            assert before.source == after.source
    result = grade(submission.load(COHORT / NOTEBOOK_STUDENT, ASSIGNMENT).source)
    assert failed(result) == set() and result.score == result.max_score > 0


def test_stub_scores_zero():
    assert "raise NotImplementedError" in stub_of(REFERENCE)
    result = grade(stub_of(REFERENCE))
    assert result.score == 0 and result.max_score > 0


def test_released_stub_scores_zero():
    result = grade(RELEASED_STUB.read_text())
    assert result.score == 0 and result.max_score > 0


def test_empty_file_scores_zero():
    result = grade("")
    assert result.score == 0 and result.max_score > 0


# (initializer, shape, params) of every distribution check of the suite
DISTRIBUTION_CASES = [(name, common.VISIBLE_SHAPE, {}) for name in common.NORMAL_INITIALIZERS + common.UNIFORM_INITIALIZERS] + [
    ("small_random", common.HIDDEN_SHAPE, {"scale": 0.05}), ("lecun_normal", common.HIDDEN_SHAPE, {}),
    ("xavier_normal", common.HIDDEN_SHAPE, {"gain": 2**0.5}), ("xavier_uniform", common.HIDDEN_SHAPE, {"gain": 4.0}),
    ("kaiming_normal", common.HIDDEN_SHAPE, {"mode": "fan_out"}),
    ("kaiming_uniform", common.HIDDEN_SHAPE, {"mode": "fan_out"})]


@pytest.mark.parametrize("name, shape, params", DISTRIBUTION_CASES)
def test_every_named_mistake_is_outside_the_acceptance_region(name, shape, params):
    """A diagnosis can only be reached by a failing sample: no named mistake may pass the check."""
    n = shape[0] * shape[1]
    if name in common.NORMAL_INITIALIZERS:
        sigma, mistakes = common.normal_expectation(name, *shape, **params)
        lo, hi = chi2_mean_square_interval(sigma**2, n, ALPHA / 3)
        for label, wrong in mistakes.items():
            assert not lo <= wrong**2 <= hi, label
    else:
        bound, mistakes = common.uniform_expectation(name, *shape, **params)
        lo = uniform_max_lower_bound(bound, n, ALPHA / 4)
        for label, wrong in mistakes.items():
            assert not lo <= wrong <= bound * (1 + 1e-15), label
