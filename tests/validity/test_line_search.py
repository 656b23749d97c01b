"""Validity of the `line_search` rubric (issue 3 item 7): the shared checks of harness.py on its
mutants, its demo cohort (examples/cohort/line_search) and its stubs.
(golden_section_search takes only numbers and a callable, so it has no input array
to modify in place: the mutation mutants live in test_quasi_newton.py.)
"""
from __future__ import annotations

import pytest

from harness import (  # the shared tests, collected in this module too
    Validity, test_cohort_gets_expected_results, test_empty_file_scores_zero,
    test_every_check_catches_a_known_mistake, test_filled_released_notebook_gets_full_marks,
    test_mutant_fails_the_check_that_names_it, test_reference_gets_full_marks,
    test_released_stub_scores_zero, test_stub_scores_zero)

pytestmark = pytest.mark.slow

# id: (replacements applied to the reference (see harness.mutate), the check that names the mistake)
MUTANTS = {
    "two_evaluations_per_iteration": (
        [("            fc = f(c)\n", "            fc, fd = f(c), f(d)\n"),
         ("            fd = f(d)\n", "            fc, fd = f(c), f(d)\n")],
        "test_one_evaluation_per_iteration"),
    "bisection": (
        [("    c = b - ratio * (b - a)\n    d = a + ratio * (b - a)\n    fc, fd = f(c), f(d)\n",
          "    for _ in range(max_iter):\n"
          "        if b - a <= tol:\n"
          "            break\n"
          "        m, delta = (a + b) / 2.0, 1e-3 * (b - a)\n"
          "        if f(m - delta) < f(m + delta):\n"
          "            b = m + delta\n"
          "        else:\n"
          "            a = m - delta\n"
          "    return (a + b) / 2.0\n")],
        "test_one_evaluation_per_iteration"),
    "one_over_phi_squared": (
        [("ratio = (math.sqrt(5.0) - 1.0) / 2.0", "ratio = ((math.sqrt(5.0) - 1.0) / 2.0) ** 2")],
        "test_one_evaluation_per_iteration"),
    "approximate_constant": (
        [("ratio = (math.sqrt(5.0) - 1.0) / 2.0", "ratio = 0.618")],
        "test_one_evaluation_per_iteration"),
    "phi_instead_of_inverse": (
        [("ratio = (math.sqrt(5.0) - 1.0) / 2.0", "ratio = (math.sqrt(5.0) + 1.0) / 2.0")],
        "test_evaluates_only_inside_interval"),
    "keeps_the_wrong_side": (
        [("if fc < fd:", "if fc > fd:")],
        "test_quadratic_minimizer"),
    "fixed_tolerance": (
        [("if b - a <= tol:", "if b - a <= 1e-8:", 3)],
        "test_tol_honoured"),
    "ignores_max_iter": (
        [("    for _ in range(max_iter):\n", "    while True:\n")],
        "test_max_iter_honoured"),
    "evaluates_the_endpoints": (
        [("    fc, fd = f(c), f(d)\n", "    fa, fb, fc, fd = f(a), f(b), f(c), f(d)\n")],
        "test_evaluation_count"),
    "returns_a_list": (
        [("return (a + b) / 2.0", "return [(a + b) / 2.0]", 2)],
        "test_returns_float"),
}

VALIDITY = Validity("line_search", notebook_student="fay_notebook", mutants=MUTANTS)
