"""Validity of the `quasi_newton` rubric (issue 3 item 7): the shared checks of harness.py on its
mutants (in-place modification of inputs among them), its demo cohort
(examples/cohort/quasi_newton) and its stubs.
"""
from __future__ import annotations

import pytest

from harness import ROOT, failed, mutate
from harness import (  # the shared tests, collected in this module too
    Validity, test_cohort_gets_expected_results, test_empty_file_scores_zero,
    test_every_check_catches_a_known_mistake, test_filled_released_notebook_gets_full_marks,
    test_mutant_fails_the_check_that_names_it, test_reference_gets_full_marks,
    test_degenerate_results_get_verdicts_not_grader_errors, test_every_mutant_names_its_diagnosis,
    test_released_stub_scores_zero, test_stub_scores_zero,
    test_correct_alternative_gets_full_marks, test_every_kind_of_hidden_rule_has_a_visible_check)

pytestmark = pytest.mark.slow

REFERENCE = (ROOT / "solutions" / "quasi_newton.py").read_text()


def body(name: str, text: str) -> tuple[str, str]:
    """A replacement of the solution region of `name` by `text` (for `mutate`)."""
    start = REFERENCE.index("    ### BEGIN SOLUTION\n", REFERENCE.index(f"\ndef {name}("))
    end = REFERENCE.index("    ### END SOLUTION\n", start) + len("    ### END SOLUTION\n")
    return REFERENCE[start:end], "    ### BEGIN SOLUTION\n" + text.strip("\n") + "\n    ### END SOLUTION\n"


# id: (replacements applied to the reference (see harness.mutate), the check that names the mistake
#      [, a fragment of that check's feedback naming the mistake])
MUTANTS = {
    "bfgs_modifies_B_in_place": (
        [("    return V @ B @ V.T + rho * np.outer(p, p)\n",
          "    B[:] = V @ B @ V.T + rho * np.outer(p, p)\n    return B\n")],
        "test_bfgs_update_leaves_inputs_unchanged", "modified its input `B` in place"),
    "bfgs_without_curvature_guard": (
        [("    qp = q @ p\n    if qp <= 0:\n        return B.copy()\n", "    qp = q @ p\n")],
        "test_bfgs_update_skips_without_curvature", "the curvature condition q^T p > 0 fails"),
    "bfgs_wrong_transpose": (
        [("V @ B @ V.T", "V @ B @ V")],
        "test_bfgs_update_matches_reference", "the right factor is the transpose"),
    "dfp_sign_error": (
        [("- np.outer(Bq, qB) / (q @ Bq)", "+ np.outer(Bq, qB) / (q @ Bq)")],
        "test_dfp_update_matches_reference", "that term is subtracted"),
    "dfp_modifies_B_in_place": (
        [("    return B + np.outer(p, p) / (p @ q) - np.outer(Bq, qB) / (q @ Bq)\n",
          "    B += np.outer(p, p) / (p @ q) - np.outer(Bq, qB) / (q @ Bq)\n    return B\n")],
        "test_dfp_update_leaves_inputs_unchanged", "modified its input `B` in place"),
    "sr1_absolute_threshold": (
        [("if abs(denom) <= 1e-8 * np.linalg.norm(q) * np.linalg.norm(w):", "if abs(denom) <= 1e-8:")],
        "test_sr1_update_skip_rule", "an absolute threshold"),
    "sr1_hessian_form": (
        [("    w = p - B @ q\n    denom = w @ q\n", "    w = q - B @ p\n    denom = w @ p\n")],
        "test_sr1_update_matches_reference", "the Hessian form"),
    "lbfgs_newest_first": (
        [("    r = np.array(g, dtype=np.float64)\n",
          "    r = np.array(g, dtype=np.float64)\n    ps, qs = ps[::-1], qs[::-1]\n")],
        "test_lbfgs_direction_oldest_first", "read newest first"),
    "lbfgs_gamma_of_oldest_pair": (
        [("(ps[-1] @ qs[-1]) / (qs[-1] @ qs[-1])", "(ps[0] @ qs[0]) / (qs[0] @ qs[0])")],
        "test_lbfgs_direction_matches_reference", "gamma from the oldest pair"),
    "lbfgs_no_empty_history_case": (
        [("    if ps:\n        r = (ps[-1] @ qs[-1])", "    if True:\n        r = (ps[-1] @ qs[-1])")],
        "test_lbfgs_direction_empty_history", "the empty history is not handled"),
    "lbfgs_modifies_g_in_place": (
        [("    r = np.array(g, dtype=np.float64)\n", "    r = g\n"),
         ("        r = r - alphas[i] * qs[i]\n", "        r -= alphas[i] * qs[i]\n")],
        "test_lbfgs_direction_leaves_inputs_unchanged", "modified its input `g` in place"),
    "bfgs_minimize_solves_with_B": (
        [("        d = -B @ g\n", "        d = -np.linalg.solve(B, g)\n")],
        "test_bfgs_minimize_quadratic_finite_termination", "np.linalg.solve(B, g)"),
    "bfgs_minimize_swaps_p_and_q": (
        [("B = bfgs_update(B, x_new - x, g_new - g)", "B = bfgs_update(B, g_new - g, x_new - x)")],
        "test_bfgs_minimize_rosenbrock", "B = bfgs_update(B, x_new - x, g_new - g)"),
    "bfgs_minimize_modifies_x0": (
        [("    x = np.array(x0, dtype=np.float64)\n", "    x = np.asarray(x0, dtype=np.float64)\n"),
         ("        x, g = x_new, g_new\n", "        x[:] = x_new\n        g = g_new\n")],
        "test_bfgs_minimize_leaves_x0_unchanged", "modified its input `x0` in place"),
    "bfgs_minimize_ignores_max_iter": (
        [("while nit < max_iter and np.linalg.norm(g) >= tol:", "while np.linalg.norm(g) >= tol:")],
        "test_bfgs_minimize_honours_max_iter", "must end on the iteration count"),
    "bfgs_minimize_fixed_tol": (
        [("np.linalg.norm(g) >= tol:", "np.linalg.norm(g) >= 1e-6:")],
        "test_bfgs_minimize_honours_tol", "with the `tol` argument"),
    "bfgs_minimize_path_without_x0": (
        [("    path = [x.copy()]\n", "    path = []\n")],
        "test_bfgs_minimize_result_dict", "it holds x0 and one iterate per iteration"),
    # A skip returning the caller's B object: np.asarray(B) of a float64 array is B itself.
    "bfgs_skip_returns_B_itself": (
        [("    if qp <= 0:\n        return B.copy()\n", "    if qp <= 0:\n        return B\n")],
        "test_bfgs_update_skips_without_curvature", "returned the caller's `B` object itself"),
    "sr1_skip_returns_B_itself": (
        [("    if abs(denom) <= 1e-8 * np.linalg.norm(q) * np.linalg.norm(w):\n        return B.copy()\n",
          "    if abs(denom) <= 1e-8 * np.linalg.norm(q) * np.linalg.norm(w):\n        return B\n")],
        "test_sr1_update_skip_rule", "returned the caller's `B` object itself"),
    # `<` instead of the handout's `<=`: only w = 0 exactly (both sides 0) tells them apart.
    "sr1_strict_threshold": (
        [("if abs(denom) <= 1e-8 * np.linalg.norm(q) * np.linalg.norm(w):",
          "if abs(denom) < 1e-8 * np.linalg.norm(q) * np.linalg.norm(w):")],
        "test_sr1_update_skip_rule", "a strict < in the skip test"),
    "sr1_threshold_with_p": (
        [("if abs(denom) <= 1e-8 * np.linalg.norm(q) * np.linalg.norm(w):",
          "if abs(denom) <= 1e-8 * np.linalg.norm(p) * np.linalg.norm(w):")],
        "test_sr1_update_skip_rule", "the threshold uses |p|"),
    # The stopping test after the step (do-while): the same nit everywhere except at a minimizer.
    "bfgs_minimize_steps_before_testing": (
        [("    while nit < max_iter and np.linalg.norm(g) >= tol:\n",
          "    while True:\n"),
         ("        path.append(x.copy())\n        nit += 1\n",
          "        path.append(x.copy())\n        nit += 1\n"
          "        if nit >= max_iter or np.linalg.norm(g) < tol:\n            break\n")],
        "test_bfgs_minimize_honours_tol", "test norm(grad(x)) < tol BEFORE each step"),
    # The update fed the direction d instead of the step alpha d: invisible with exact line searches
    # (Dixon's theorem), seen with the half-step line search.
    "bfgs_minimize_p_is_direction": (
        [("        B = bfgs_update(B, x_new - x, g_new - g)\n", "        B = bfgs_update(B, d, g_new - g)\n")],
        "test_bfgs_minimize_path_matches_reference", "half the exact step"),
    # q^T p = 0 exactly is not skipped: the update divides by zero.
    "bfgs_skip_test_strict": (
        [("    if qp <= 0:\n", "    if qp < 0:\n")],
        "test_bfgs_update_skips_without_curvature", "q^T p = 0 is skipped too"),
    # Modifies g in the empty-history branch only.
    "lbfgs_empty_history_negates_g_in_place": (
        [("    r = np.array(g, dtype=np.float64)\n    rhos",
          "    if not ps:\n        g *= -1\n        return g\n    r = np.array(g, dtype=np.float64)\n    rhos")],
        "test_lbfgs_direction_leaves_inputs_unchanged", "with 0 pair(s) modified its input `g` in place"),
    # Modifies B in the skipped branch only (scales it by 1 in place and returns a copy).
    "sr1_skip_branch_rescales_B_in_place": (
        [("    if abs(denom) <= 1e-8 * np.linalg.norm(q) * np.linalg.norm(w):\n        return B.copy()\n",
          "    if abs(denom) <= 1e-8 * np.linalg.norm(q) * np.linalg.norm(w):\n        B *= 0.5\n        return 2 * B\n")],
        "test_sr1_update_leaves_inputs_unchanged", "modified its input `B` in place"),
    # nit from the loop index plus one after a `break`: the loop stops right, only nit is off.
    "bfgs_minimize_nit_from_loop_index": (
        [("    nit = 0\n    while nit < max_iter and np.linalg.norm(g) >= tol:\n",
          "    nit = 0\n    for k in range(max_iter):\n        if np.linalg.norm(g) < tol:\n            break\n"),
         ("        path.append(x.copy())\n        nit += 1\n",
          "        path.append(x.copy())\n        nit = k + 1\n"),
         ("    return {\"x\": x, \"fun\": float(f(x)), \"nit\": nit, \"path\": path}\n",
          "    return {\"x\": x, \"fun\": float(f(x)), \"nit\": k + 1 if max_iter else 0, \"path\": path}\n")],
        "test_bfgs_minimize_result_dict", "one iterate per iteration"),
}

VALIDITY = Validity("quasi_newton", notebook_student="fay_notebook", mutants=MUTANTS)


# Correct implementations in styles the demo cohort lacks, each rewriting some units of the reference
# (the rest stays the reference's): every one must get full marks.
ALTERNATIVES = {
    # Sherman-Morrison-style expanded BFGS algebra with einsum; SR1 skip via an early w == 0 test.
    "expanded_algebra": [
        body("bfgs_update", '''
    B = np.array(B, dtype=float)
    sy = float(np.dot(q, p))
    if not sy > 0:
        return B.copy()
    By = np.einsum("ij,j->i", B, q)
    yBy = float(np.dot(q, By))
    return (B + (sy + yBy) / sy**2 * np.einsum("i,j->ij", p, p)
            - (np.einsum("i,j->ij", By, p) + np.einsum("i,j->ij", p, By)) / sy)
'''),
        body("sr1_update", '''
    B = np.array(B, dtype=float)
    w = p - B.dot(q)
    if not w.any():
        return B
    wq = w.dot(q)
    if abs(wq) <= 1e-8 * np.sqrt(q.dot(q)) * np.sqrt(w.dot(w)):
        return B
    return B + w[:, None] * w[None, :] / wq
''')],
    # Column vectors and matrix products only (p as n x 1), DFP via B q q^T B as (Bq)(Bq)^T.
    "column_vectors": [
        body("dfp_update", '''
    P, Q = np.reshape(p, (-1, 1)), np.reshape(q, (-1, 1))
    BQ = B @ Q
    return B + (P @ P.T) / (P.T @ Q).item() - (BQ @ BQ.T) / (Q.T @ BQ).item()
'''),
        body("bfgs_update", '''
    P, Q = np.reshape(p, (-1, 1)), np.reshape(q, (-1, 1))
    qp = (Q.T @ P).item()
    if qp <= 0:
        return np.copy(B)
    V = np.identity(P.shape[0]) - (P @ Q.T) / qp
    return V @ B @ V.T + (P @ P.T) / qp
''')],
    # L-BFGS with the pairs stacked into (m, n) arrays and a Python list for the alphas, while loops.
    "stacked_pairs": [body("lbfgs_direction", '''
    d = -np.array(g, dtype=float)
    m = len(ps)
    if m == 0:
        return d
    S, Y = np.array(ps, dtype=float), np.array(qs, dtype=float)
    rho = 1.0 / np.sum(S * Y, axis=1)
    alpha = []
    i = m - 1
    while i >= 0:
        a = rho[i] * S[i].dot(d)
        alpha.insert(0, a)
        d = d - a * Y[i]
        i -= 1
    d = d * (S[-1].dot(Y[-1]) / Y[-1].dot(Y[-1]))
    i = 0
    while i < m:
        b = rho[i] * Y[i].dot(d)
        d = d + (alpha[i] - b) * S[i]
        i += 1
    return d
''')],
    # The two-loop recursion written recursively, on the direction +H g (negated at the end).
    "recursive_two_loop": [body("lbfgs_direction", '''
    g = np.asarray(g, dtype=float)
    if not ps:
        return -g.copy()

    def apply_h(v, k):
        """H_k v, H_k built from the first k pairs on top of gamma I."""
        if k == 0:
            return (ps[-1] @ qs[-1]) / (qs[-1] @ qs[-1]) * v
        p, q = ps[k - 1], qs[k - 1]
        rho = 1.0 / (q @ p)
        a = rho * (p @ v)
        r = apply_h(v - a * q, k - 1)
        return r + (a - rho * (q @ r)) * p

    return -apply_h(g, len(ps))
''')],
    # The driver with a for loop, a dict built at the end, the path as a list of copies, phi from
    # functools.partial, explicit float conversion of fun.
    "for_loop_driver": [body("bfgs_minimize", '''
    import functools

    def phi_of(x, d, alpha):
        return f(x + alpha * d)

    x = np.array(x0, dtype=float)
    B = np.identity(x.size)
    g = np.asarray(grad(x), dtype=float)
    path = [np.copy(x)]
    k = 0
    for k in range(max_iter + 1):
        if np.sqrt(g @ g) < tol or k == max_iter:
            break
        d = -(B @ g)
        alpha = line_search(functools.partial(phi_of, x, d))
        x_next = x + alpha * d
        g_next = np.asarray(grad(x_next), dtype=float)
        B = bfgs_update(B, x_next - x, g_next - g)
        x, g = x_next, g_next
        path.append(x.copy())
    return dict(x=x, fun=float(f(x)), nit=len(path) - 1, path=path)
''')],
    # Column vectors via [:, None] and a (1, 1) product read with .item(); multi_dot.
    "column_vectors_multi_dot": [
        body("bfgs_update", '''
    P, Q = p[:, None], q[:, None]
    qp = (Q.T @ P).item()
    if qp <= 0:
        return np.array(B, dtype=float)
    I = np.eye(P.shape[0])
    return np.linalg.multi_dot([I - P @ Q.T / qp, B, I - Q @ P.T / qp]) + P @ P.T / qp
'''),
        body("dfp_update", '''
    Bq = np.dot(B, q)
    return B + np.outer(p, p) / np.dot(p, q) - np.outer(Bq, Bq) / np.dot(q, Bq)
''')],
    # L-BFGS as the dense H built pair by pair (oldest first) from gamma I.
    "dense_inverse_hessian": [body("lbfgs_direction", '''
    n = len(g)
    if len(ps) == 0:
        return -np.array(g, dtype=float)
    H = (ps[-1] @ qs[-1]) / (qs[-1] @ qs[-1]) * np.eye(n)
    for p, q in zip(ps, qs):
        rho = 1 / (q @ p)
        V = np.eye(n) - rho * np.outer(q, p)
        H = V.T @ H @ V + rho * np.outer(p, p)
    return -H @ g
''')],
    # The driver with p = alpha d, nit from a for loop over max_iter + 1 tests, the path of rebound
    # arrays (no copies needed: nothing is changed in place); the gradient recomputed per test.
    "driver_for_loop_alpha_d": [body("bfgs_minimize", '''
    x = np.array(x0, dtype=float)
    B = np.eye(x.size)
    path = [x]
    g = np.array(grad(x), dtype=float)
    for nit in range(max_iter + 1):
        if nit == max_iter or np.linalg.norm(g) < tol:
            break
        d = -B.dot(g)
        alpha = line_search(lambda a: f(x + a * d))
        p = alpha * d
        x = x + p
        g_new = np.array(grad(x), dtype=float)
        B = bfgs_update(B, p, g_new - g)
        g = g_new
        path.append(x)
    return {"x": x, "fun": float(f(x)), "nit": nit, "path": path}
''')],
    # SR1 in pure Python loops over a copy.
    "sr1_loops": [body("sr1_update", '''
    n = len(p)
    Bq = [sum(B[i][j] * q[j] for j in range(n)) for i in range(n)]
    w = [p[i] - Bq[i] for i in range(n)]
    wq = sum(w[i] * q[i] for i in range(n))
    nw = sum(x * x for x in w) ** 0.5
    nq = sum(x * x for x in q) ** 0.5
    out = np.array(B, dtype=float)
    if abs(wq) <= 1e-8 * nq * nw:
        return out
    for i in range(n):
        for j in range(n):
            out[i, j] += w[i] * w[j] / wq
    return out
''')],
}
CORRECT = {name: mutate(VALIDITY.reference, replacements) for name, replacements in ALTERNATIVES.items()}


# Degenerate results a wrong submission returns (a missing return, a wrong type, NaN from a division
# by zero, a huge array): every check must give the student a verdict, never a grader error.
DEGENERATE_RETURNS = ("None", "complex(1, 1)", "'0.5'", "{'x': 1}", "np.zeros((300, 300))", "np.full((len(p), len(p)), np.nan)")


def test_a_wrong_nit_costs_the_result_dict_check_only(validity):
    """A loop that stops at the right iterate but reports nit off by one fails the result-dict check,
    not the stopping checks (which read where the loop stopped from nit or from the path)."""
    result = validity.grade(mutate(validity.reference, MUTANTS["bfgs_minimize_nit_from_loop_index"][0]))
    assert failed(result) == {"test_bfgs_minimize_result_dict"}, sorted(failed(result))
