"""Validity of the `quasi_newton` rubric (issue 3 item 7): the shared checks of harness.py on its
mutants (in-place modification of inputs among them), its demo cohort
(examples/cohort/quasi_newton) and its stubs.
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
    "bfgs_modifies_B_in_place": (
        [("    return V @ B @ V.T + rho * np.outer(p, p)\n",
          "    B[:] = V @ B @ V.T + rho * np.outer(p, p)\n    return B\n")],
        "test_bfgs_update_leaves_inputs_unchanged"),
    "bfgs_without_curvature_guard": (
        [("    qp = q @ p\n    if qp <= 0:\n        return B.copy()\n", "    qp = q @ p\n")],
        "test_bfgs_update_skips_without_curvature"),
    "bfgs_wrong_transpose": (
        [("V @ B @ V.T", "V @ B @ V")],
        "test_bfgs_update_matches_reference"),
    "dfp_sign_error": (
        [("- np.outer(Bq, qB) / (q @ Bq)", "+ np.outer(Bq, qB) / (q @ Bq)")],
        "test_dfp_update_matches_reference"),
    "dfp_modifies_B_in_place": (
        [("    return B + np.outer(p, p) / (p @ q) - np.outer(Bq, qB) / (q @ Bq)\n",
          "    B += np.outer(p, p) / (p @ q) - np.outer(Bq, qB) / (q @ Bq)\n    return B\n")],
        "test_dfp_update_leaves_inputs_unchanged"),
    "sr1_absolute_threshold": (
        [("if abs(denom) <= 1e-8 * np.linalg.norm(q) * np.linalg.norm(w):", "if abs(denom) <= 1e-8:")],
        "test_sr1_update_skip_rule"),
    "sr1_hessian_form": (
        [("    w = p - B @ q\n    denom = w @ q\n", "    w = q - B @ p\n    denom = w @ p\n")],
        "test_sr1_update_matches_reference"),
    "lbfgs_newest_first": (
        [("    r = np.array(g, dtype=np.float64)\n",
          "    r = np.array(g, dtype=np.float64)\n    ps, qs = ps[::-1], qs[::-1]\n")],
        "test_lbfgs_direction_oldest_first"),
    "lbfgs_gamma_of_oldest_pair": (
        [("(ps[-1] @ qs[-1]) / (qs[-1] @ qs[-1])", "(ps[0] @ qs[0]) / (qs[0] @ qs[0])")],
        "test_lbfgs_direction_matches_reference"),
    "lbfgs_no_empty_history_case": (
        [("    if ps:\n        r = (ps[-1] @ qs[-1])", "    if True:\n        r = (ps[-1] @ qs[-1])")],
        "test_lbfgs_direction_empty_history"),
    "lbfgs_modifies_g_in_place": (
        [("    r = np.array(g, dtype=np.float64)\n", "    r = g\n"),
         ("        r = r - alphas[i] * qs[i]\n", "        r -= alphas[i] * qs[i]\n")],
        "test_lbfgs_direction_leaves_inputs_unchanged"),
    "bfgs_minimize_solves_with_B": (
        [("        d = -B @ g\n", "        d = -np.linalg.solve(B, g)\n")],
        "test_bfgs_minimize_quadratic_finite_termination"),
    "bfgs_minimize_swaps_p_and_q": (
        [("B = bfgs_update(B, x_new - x, g_new - g)", "B = bfgs_update(B, g_new - g, x_new - x)")],
        "test_bfgs_minimize_rosenbrock"),
    "bfgs_minimize_modifies_x0": (
        [("    x = np.array(x0, dtype=np.float64)\n", "    x = np.asarray(x0, dtype=np.float64)\n"),
         ("        x, g = x_new, g_new\n", "        x[:] = x_new\n        g = g_new\n")],
        "test_bfgs_minimize_leaves_x0_unchanged"),
    "bfgs_minimize_ignores_max_iter": (
        [("while nit < max_iter and np.linalg.norm(g) >= tol:", "while np.linalg.norm(g) >= tol:")],
        "test_bfgs_minimize_honours_max_iter"),
    "bfgs_minimize_fixed_tol": (
        [("np.linalg.norm(g) >= tol:", "np.linalg.norm(g) >= 1e-6:")],
        "test_bfgs_minimize_honours_tol"),
    "bfgs_minimize_path_without_x0": (
        [("    path = [x.copy()]\n", "    path = []\n")],
        "test_bfgs_minimize_result_dict"),
}

VALIDITY = Validity("quasi_newton", notebook_student="fay_notebook", mutants=MUTANTS)
