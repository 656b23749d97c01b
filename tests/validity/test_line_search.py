"""Validity of the `line_search` rubric (issue 3 item 7): the shared checks of harness.py on its
mutants, its demo cohort (examples/cohort/line_search) and its stubs.
(golden_section_search takes only numbers and a callable, so it has no input array
to modify in place: the mutation mutants live in test_quasi_newton.py.)
"""
from __future__ import annotations

import pytest

from harness import ROOT, mutate
from harness import (  # the shared tests, collected in this module too
    Validity, test_cohort_gets_expected_results, test_empty_file_scores_zero,
    test_every_check_catches_a_known_mistake, test_filled_released_notebook_gets_full_marks,
    test_mutant_fails_the_check_that_names_it, test_reference_gets_full_marks,
    test_degenerate_results_get_verdicts_not_grader_errors, test_every_mutant_names_its_diagnosis,
    test_released_stub_scores_zero, test_stub_scores_zero,
    test_correct_alternative_gets_full_marks, test_every_kind_of_hidden_rule_has_a_visible_check)

pytestmark = pytest.mark.slow

REFERENCE = (ROOT / "solutions" / "line_search.py").read_text()
BODY = REFERENCE[REFERENCE.index("    ### BEGIN SOLUTION\n"):REFERENCE.index("    ### END SOLUTION\n")
                 + len("    ### END SOLUTION\n")]
RETURN = "    return (a + b) / 2.0\n    ### END SOLUTION\n"

# id: (replacements applied to the reference (see harness.mutate), the check that names the mistake
#      [, a fragment of that check's feedback naming the mistake])
MUTANTS = {
    "two_evaluations_per_iteration": (
        [("            fc = f(c)\n", "            fc, fd = f(c), f(d)\n"),
         ("            fd = f(d)\n", "            fc, fd = f(c), f(d)\n")],
        "test_one_evaluation_per_iteration", "Two evaluations per iteration"),
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
        "test_one_evaluation_per_iteration", "bisection"),
    "one_over_phi_squared": (
        [("ratio = (math.sqrt(5.0) - 1.0) / 2.0", "ratio = ((math.sqrt(5.0) - 1.0) / 2.0) ** 2")],
        "test_one_evaluation_per_iteration", "c must be the left interior point"),
    "approximate_constant": (
        [("ratio = (math.sqrt(5.0) - 1.0) / 2.0", "ratio = 0.618")],
        "test_one_evaluation_per_iteration", "1/phi is approximated"),
    "phi_instead_of_inverse": (
        [("ratio = (math.sqrt(5.0) - 1.0) / 2.0", "ratio = (math.sqrt(5.0) + 1.0) / 2.0")],
        "test_evaluates_only_inside_interval", "not by phi = 1.618"),
    "keeps_the_wrong_side": (
        [("if fc < fd:", "if fc > fd:")],
        "test_quadratic_minimizer", "the wrong sub-bracket is kept"),
    "fixed_tolerance": (
        [("if b - a <= tol:", "if b - a <= 1e-8:", 3)],
        "test_tol_honoured", "rather than a fixed value"),
    "ignores_max_iter": (
        [("    for _ in range(max_iter):\n", "    while True:\n")],
        "test_max_iter_honoured", "must stop after 10 iterations"),
    "evaluates_the_endpoints": (
        [("    fc, fd = f(c), f(d)\n", "    fa, fb, fc, fd = f(a), f(b), f(c), f(d)\n")],
        "test_evaluation_count", "evaluating f(a) and f(b)"),
    "returns_a_list": (
        [("return (a + b) / 2.0", "return [(a + b) / 2.0]", 2)],
        "test_returns_float", "must return a float, got list"),
    # Diagnosis: f's value returned instead of the point.
    "returns_the_value": (
        [(RETURN, "    return f((a + b) / 2.0)\n    ### END SOLUTION\n")],
        "test_quadratic_minimizer", "returns a value of f"),
    # Within tol of x*, so no accuracy check sees them; the handout promises the final midpoint.
    "returns_best_interior_point": (
        [(RETURN, "    return c if fc < fd else d\n    ### END SOLUTION\n")],
        "test_returns_final_bracket_midpoint", "the best interior point (c or d"),
    "returns_left_end": (
        [(RETURN, "    return a\n    ### END SOLUTION\n")],
        "test_returns_final_bracket_midpoint", "an end of the final bracket is returned"),
    "within_tol_picks_the_better_end": (
        [("    if b - a <= tol:\n        return (a + b) / 2.0\n",
          "    if b - a <= tol:\n        return min(a, b, key=f)\n")],
        "test_interval_within_tol", "returns an end of [a, b]"),
    # The stopping rule tested after the shrink (do-while): right on every ordinary interval, but an
    # interval already within tol is shrunk once.
    "do_while_shrinks_once": (
        [("    if b - a <= tol:\n        return (a + b) / 2.0\n", ""),
         ("        if fc < fd:\n            b, d, fd = d, c, fc\n            if b - a <= tol:\n                break\n"
          "            c = b - ratio * (b - a)\n            fc = f(c)\n"
          "        else:\n            a, c, fc = c, d, fd\n            if b - a <= tol:\n                break\n"
          "            d = a + ratio * (b - a)\n            fd = f(d)\n",
          "        if fc < fd:\n            b, d, fd = d, c, fc\n            c = b - ratio * (b - a)\n"
          "            fc = f(c)\n"
          "        else:\n            a, c, fc = c, d, fd\n            d = a + ratio * (b - a)\n            fd = f(d)\n"
          "        if b - a <= tol:\n            break\n")],
        "test_interval_within_tol", "test b - a <= tol before shrinking"),
    "early_return_gives_a": (
        [("    if b - a <= tol:\n        return (a + b) / 2.0\n", "    if b - a <= tol:\n        return a\n")],
        "test_interval_within_tol", "the result is the midpoint"),
    # One shrink too many (or two too few): the midpoint returned on an increasing f names the count.
    "max_iter_plus_one": (
        [("    for _ in range(max_iter):\n", "    for _ in range(max_iter + 1):\n")],
        "test_max_iter_honoured", "the bracket was shrunk 11 times"),
    "max_iter_minus_two": (
        [("    for _ in range(max_iter):\n", "    for _ in range(max_iter - 2):\n")],
        "test_max_iter_honoured", "the bracket was shrunk 8 times"),
    # b - a < tol at the start: differs from the handout's <= only when b - a = tol exactly.
    "strict_tolerance_test": (
        [("if b - a <= tol:", "if b - a < tol:", 3)],
        "test_interval_within_tol", "equality included"),
}

VALIDITY = Validity("line_search", notebook_student="fay_notebook", mutants=MUTANTS)


def body(text: str) -> tuple[str, str]:
    """A replacement of the reference's whole solution by `text` (for `mutate`)."""
    return BODY, "    ### BEGIN SOLUTION\n" + text.strip("\n") + "\n    ### END SOLUTION\n"


# Correct searches in styles the demo cohort lacks: every one must get full marks.
ALTERNATIVES = {
    # Recursion on (a, b, the surviving point and its value, which side it is on).
    "recursive": [body('''
    r = (5 ** 0.5 - 1) / 2
    a, b = float(a), float(b)
    if b - a <= tol:
        return (a + b) / 2

    def shrink(a, b, x, fx, x_is_c, left):
        if b - a <= tol or left == 0:
            return (a + b) / 2
        if x_is_c:
            d = a + r * (b - a)
            c, fc, fd = x, fx, f(d)
        else:
            c = b - r * (b - a)
            d, fd, fc = x, fx, f(c)
        if fc < fd:
            return shrink(a, d, c, fc, False, left - 1)
        return shrink(c, b, d, fd, True, left - 1)

    c = b - r * (b - a)
    fc = f(c)
    return shrink(a, b, c, fc, True, max_iter)
''')],
    # The bracket as a list [a, c, d, b] with a list of values, numpy's sqrt, a while loop.
    "lists_and_while": [body('''
    import numpy as np
    inv_phi = (np.sqrt(5.0) - 1.0) / 2.0
    if b - a <= tol:
        return float((a + b) / 2)
    x = [float(a), 0.0, 0.0, float(b)]
    x[1] = x[3] - inv_phi * (x[3] - x[0])
    x[2] = x[0] + inv_phi * (x[3] - x[0])
    fx = [None, f(x[1]), f(x[2]), None]
    it = 0
    while it < max_iter:
        it += 1
        if fx[1] < fx[2]:
            x[3], x[2], fx[2] = x[2], x[1], fx[1]
            if x[3] - x[0] <= tol:
                break
            x[1] = x[3] - inv_phi * (x[3] - x[0])
            fx[1] = f(x[1])
        else:
            x[0], x[1], fx[1] = x[1], x[2], fx[2]
            if x[3] - x[0] <= tol:
                break
            x[2] = x[0] + inv_phi * (x[3] - x[0])
            fx[2] = f(x[2])
    return float((x[0] + x[3]) / 2)
''')],
    # 1 - 1/phi = 1/phi^2 for the left point (other rounding), a dict of the two interior points.
    "dict_and_other_algebra": [body('''
    r = (math.sqrt(5.0) - 1.0) / 2.0
    r2 = 1.0 - r
    lo, hi = float(a), float(b)
    if hi - lo <= tol:
        return 0.5 * (lo + hi)
    pts = {"c": lo + r2 * (hi - lo), "d": lo + r * (hi - lo)}
    vals = {k: f(v) for k, v in pts.items()}
    for _ in range(max_iter):
        if vals["c"] < vals["d"]:
            hi = pts["d"]
            pts["d"], vals["d"] = pts["c"], vals["c"]
            if hi - lo <= tol:
                break
            pts["c"] = lo + r2 * (hi - lo)
            vals["c"] = f(pts["c"])
        else:
            lo = pts["c"]
            pts["c"], vals["c"] = pts["d"], vals["d"]
            if hi - lo <= tol:
                break
            pts["d"] = lo + r * (hi - lo)
            vals["d"] = f(pts["d"])
    return 0.5 * (lo + hi)
''')],
    # A small class holding the bracket; the midpoint as a + (b - a)/2.
    "bracket_object": [body('''
    class Bracket:
        R = (math.sqrt(5.0) - 1.0) / 2.0

        def __init__(self, lo, hi):
            self.lo, self.hi = float(lo), float(hi)
            self.c, self.d = self.hi - self.R * self.width, self.lo + self.R * self.width
            self.fc = self.fd = None

        @property
        def width(self):
            return self.hi - self.lo

        def shrink(self):
            if self.fc < self.fd:
                self.hi, self.d, self.fd = self.d, self.c, self.fc
                return "c"
            self.lo, self.c, self.fc = self.c, self.d, self.fd
            return "d"

    br = Bracket(a, b)
    if br.width <= tol:
        return br.lo + br.width / 2
    br.fc, br.fd = f(br.c), f(br.d)
    for _ in range(max_iter):
        side = br.shrink()
        if br.width <= tol:
            break
        if side == "c":
            br.c = br.hi - Bracket.R * br.width
            br.fc = f(br.c)
        else:
            br.d = br.lo + Bracket.R * br.width
            br.fd = f(br.d)
    return br.lo + br.width / 2
''')],
    # Both interior points recomputed from the bracket ends every iteration; only the surviving
    # VALUE is carried over (its point is recomputed, a few ulps from where f was evaluated).
    "recomputed_points": [body('''
    r = (math.sqrt(5.0) - 1.0) / 2.0
    a, b = float(a), float(b)
    if b - a <= tol:
        return (a + b) / 2.0
    fc, fd = f(b - r * (b - a)), f(a + r * (b - a))
    for _ in range(max_iter):
        if fc < fd:
            b, fd = a + r * (b - a), fc
            if b - a <= tol:
                break
            fc = f(b - r * (b - a))
        else:
            a, fc = b - r * (b - a), fd
            if b - a <= tol:
                break
            fd = f(a + r * (b - a))
    return (a + b) / 2.0
''')],
    # Wikipedia's form: the number of shrinks computed up front, 1 - 1/phi for the left point, and
    # the final shrink made on the values alone ((a + d)/2 or (c + b)/2, no evaluation).
    "wikipedia_precomputed": [body('''
    invphi = (math.sqrt(5) - 1) / 2
    invphi2 = (3 - math.sqrt(5)) / 2
    a, b = min(a, b), max(a, b)
    h = b - a
    if h <= tol:
        return (a + b) / 2
    n = min(int(math.ceil(math.log(tol / h) / math.log(invphi))), max_iter)
    c, d = a + invphi2 * h, a + invphi * h
    yc, yd = f(c), f(d)
    for _ in range(n - 1):
        if yc < yd:
            b, d, yd = d, c, yc
            h = invphi * h
            c = a + invphi2 * h
            yc = f(c)
        else:
            a, c, yc = c, d, yd
            h = invphi * h
            d = a + invphi * h
            yd = f(d)
    return (a + d) / 2 if yc < yd else (c + b) / 2
''')],
    # The stopping rule at the top of the loop (the check after a shrink happens before the next
    # comparison), evaluation counted against max_iter with a counter, golden ratio from phi.
    "check_at_loop_top": [body('''
    phi = (1.0 + math.sqrt(5.0)) / 2.0
    a, b = float(a), float(b)
    c, d = b - (b - a) / phi, a + (b - a) / phi
    fc = fd = None
    shrinks = 0
    while b - a > tol and shrinks < max_iter:
        if fc is None:
            fc = f(c)
        if fd is None:
            fd = f(d)
        if fc < fd:
            b, d, fd = d, c, fc
            c, fc = b - (b - a) / phi, None
        else:
            a, c, fc = c, d, fd
            d, fd = a + (b - a) / phi, None
        shrinks += 1
    return (a + b) / 2
''')],
    # The pair of interior points kept as a list of (x, f(x)) tuples.
    "tuple_pairs": [body('''
    r = (math.sqrt(5) - 1) / 2
    lo, hi = float(a), float(b)
    if hi - lo <= tol:
        return (lo + hi) / 2
    pts = [(x, f(x)) for x in (hi - r * (hi - lo), lo + r * (hi - lo))]
    for _ in range(max_iter):
        (x1, f1), (x2, f2) = pts
        if f1 < f2:
            hi = x2
            if hi - lo <= tol:
                break
            xn = hi - r * (hi - lo)
            pts = [(xn, f(xn)), (x1, f1)]
        else:
            lo = x1
            if hi - lo <= tol:
                break
            xn = lo + r * (hi - lo)
            pts = [(x2, f2), (xn, f(xn))]
    return (lo + hi) / 2
''')],
    # The number of shrinks computed up front (capped by max_iter); 2 - phi for the small ratio.
    "precomputed_shrinks": [body('''
    phi = (1 + math.sqrt(5)) / 2
    r, r2 = phi - 1, 2 - phi
    a, b = float(a), float(b)
    if b - a <= tol:
        return (a + b) / 2
    n = min(max_iter, math.ceil(math.log(tol / (b - a)) / math.log(r)))
    c, d = a + r2 * (b - a), b - r2 * (b - a)
    fc, fd = f(c), f(d)
    for k in range(n):
        if fc < fd:
            b, d, fd = d, c, fc
            if k < n - 1:
                c = a + r2 * (b - a)
                fc = f(c)
        else:
            a, c, fc = c, d, fd
            if k < n - 1:
                d = b - r2 * (b - a)
                fd = f(d)
    return a + 0.5 * (b - a)
''')],
    # Integer ends kept as given until the end (the points are floats anyway); ties keep [a, d].
    "late_float_ties_left": [body('''
    ratio = (math.sqrt(5) - 1) / 2
    if b - a <= tol:
        return (a + b) / 2.0
    x1, x2 = a + (1 - ratio) * (b - a), a + ratio * (b - a)
    f1, f2 = f(x1), f(x2)
    count = 0
    while count < max_iter:
        count += 1
        if f1 <= f2:
            b = x2
            x2, f2 = x1, f1
            if b - a <= tol:
                break
            x1 = a + (1 - ratio) * (b - a)
            f1 = f(x1)
        else:
            a = x1
            x1, f1 = x2, f2
            if b - a <= tol:
                break
            x2 = a + ratio * (b - a)
            f2 = f(x2)
    return float((a + b) / 2)
''')],
}
CORRECT = {name: mutate(VALIDITY.reference, replacements) for name, replacements in ALTERNATIVES.items()}


# Degenerate results a wrong submission returns (a missing return, a wrong type, NaN from a division
# by zero, a huge array): every check must give the student a verdict, never a grader error.
DEGENERATE_RETURNS = ("None", "complex(1, 1)", "'0.5'", "{'x': 1}", "np.zeros((300, 300))", "float('nan')")

