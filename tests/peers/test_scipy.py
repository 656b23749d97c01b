"""Peer check: the reference line search and BFGS against `scipy.optimize`.

Golden section: ours on [a, b] with tol = 1e-8 and `scipy.optimize.golden`
with the bracket (a, m, b) must agree with each other and with the known
minimizer to 1e-7. That is the attainable accuracy: near a smooth minimum f
only resolves x to about sqrt(2 eps |f| / f'') ~ 1e-8 here. Ours must also
stay within SPEC's evaluation budget ceil(log(tol/(b-a)) / log(1/phi)) + 2.

BFGS: ours (B0 = I, golden line search on [0, 1]) and scipy's BFGS, both on
Rosenbrock from (-1.2, 1), must reach (1, 1) within 1e-5.
"""
import math

import numpy as np
import pytest
from scipy import optimize

from solutions.line_search import golden_section_search
from solutions.quasi_newton import bfgs_minimize

TOL = 1e-8
INV_PHI = (math.sqrt(5.0) - 1.0) / 2.0

# (f, a, b, known minimizer)
UNIMODAL = {
    "shifted parabola": (lambda x: (x - 0.3) ** 2, 0.0, 1.0, 0.3),
    "quartic": (lambda x: x**4 - 3.0 * x, 0.0, 2.0, 0.75 ** (1.0 / 3.0)),
    "exp - linear": (lambda x: math.exp(x) - 2.0 * x, 0.0, 2.0, math.log(2.0)),
    "-sin": (lambda x: -math.sin(x), 0.0, 3.0, math.pi / 2.0),
    "kink |x - 1.7|": (lambda x: abs(x - 1.7), -3.0, 5.0, 1.7),
}


@pytest.mark.parametrize("name", list(UNIMODAL))
def test_golden_section_matches_scipy_golden(name):
    f, a, b, minimizer = UNIMODAL[name]
    calls = []

    def counted(x):
        calls.append(x)
        return f(x)

    ours = golden_section_search(counted, a, b, tol=TOL)
    theirs, _, scipy_calls = optimize.golden(f, brack=(a, (a + b) / 2.0, b), tol=TOL, full_output=True)
    budget = math.ceil(math.log(TOL / (b - a)) / math.log(INV_PHI)) + 2
    print(f"{name}: ours {len(calls)} calls (budget {budget}), scipy {scipy_calls}; |ours - scipy| = {abs(ours - theirs):.1e}")
    assert isinstance(ours, float)
    assert abs(ours - theirs) <= 1e-7 and abs(ours - minimizer) <= 1e-7, (ours, theirs, minimizer)
    assert len(calls) <= budget
    assert all(a <= x <= b for x in calls)


def test_bfgs_with_golden_line_search_reaches_rosenbrock_minimum_like_scipy():
    x0 = np.array([-1.2, 1.0])
    ours = bfgs_minimize(
        optimize.rosen, optimize.rosen_der, x0, line_search=lambda phi: golden_section_search(phi, 0.0, 1.0)
    )
    theirs = optimize.minimize(optimize.rosen, x0, jac=optimize.rosen_der, method="BFGS")
    print(
        f"ours: {ours['nit']} iterations, |x - 1| = {np.abs(ours['x'] - 1).max():.1e}; "
        f"scipy: {theirs.nit} iterations, |x - 1| = {np.abs(theirs.x - 1).max():.1e}"
    )
    assert np.abs(ours["x"] - 1.0).max() <= 1e-5
    assert np.abs(theirs.x - 1.0).max() <= 1e-5
    assert np.linalg.norm(optimize.rosen_der(ours["x"])) < 1e-6
    assert ours["nit"] == len(ours["path"]) - 1
    np.testing.assert_array_equal(ours["path"][0], x0)
    assert isinstance(ours["fun"], float) and ours["fun"] == optimize.rosen(ours["x"])
