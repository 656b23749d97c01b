"""Numerical gradient checks by central differences in float64.

The numerical side is always computed from a trusted function (the reference), so a
wrong forward pass costs points on its own check only.

* Central difference: ``(f(x + h) - f(x - h)) / (2 h)`` with ``h = H = 1e-5``: truncation
  error ``h^2 |f'''| / 6 ~ 1e-11`` and round-off ``eps |f| / h ~ 1e-11`` for the O(1)
  values used in the suites.
* Relative error (CS231n): ``|a - n| / max(|a|, |n|, TINY)``. ``TINY = 1e-6`` makes a
  gradient near 0 (e.g. GELU's stationary point) compare by absolute error 1e-6 * error,
  so the ~1e-11 noise above stays an order of magnitude under `THRESHOLD`.
* ``THRESHOLD = 1e-4`` (CS231n: "1e-4 is okay for objectives with kinks"); a wrong
  derivative typically errs by 1e-2 .. 1 (measured margins: tests/test_check_primitives.py).
* Upstream form: a gate's ``backward(dout)`` is checked against the gradient of
  ``sum(dout * f(*inputs))`` for a random ``dout``; perturbing one input element changes
  only the outputs it feeds, so the difference ``f(x+h) - f(x-h)`` is taken per output
  and then weighted by ``dout`` (no cancellation across unrelated outputs).
* Kinks: sample points are kept at least ``KINK_MARGIN = 1e-3 = 100 h`` from every kink
  (`avoid_kinks`), so no central difference straddles one. The value *at* a kink is a
  convention, not a derivative (relu_grad(0) = 0, leaky_relu_grad(0) = slope,
  elu_grad(0) = alpha, celu_grad(0) = 1, selu_grad(0) = lam*alpha, hardswish_grad(-3) = 0
  and (3) = 1, MaxGate ties to x, ReLUGate at 0 gives 0); the suites check those by exact
  agreement (`autograder.checks.agreement`), never here.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from autograder.checks import CheckFailed
from autograder.checks.agreement import Mistakes, find_disagreement, fmt, likely_mistake, low_precision

H = 1e-5
TINY = 1e-6
THRESHOLD = 1e-4
KINK_MARGIN = 1e-3


def relative_error(analytic: Any, numeric: Any, tiny: float = TINY) -> np.ndarray:
    """Elementwise ``|a - n| / max(|a|, |n|, tiny)`` in float64."""
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numeric, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        err = np.abs(a - n) / np.maximum(np.maximum(np.abs(a), np.abs(n)), tiny)
    return np.where(np.isnan(err), np.inf, err)


def avoid_kinks(x: Any, kinks: Sequence[float], margin: float = KINK_MARGIN) -> np.ndarray:
    """`x` with every element closer than `margin` to a kink moved to ``kink +/- margin``
    (on its own side; exactly at the kink, to the right)."""
    x = np.array(x, dtype=np.float64)
    for k in kinks:
        near = np.abs(x - k) < margin
        x = np.where(near, k + np.where(x < k, -margin, margin), x)
    return x


def elementwise_derivative(f: Callable[[np.ndarray], Any], z: Any, h: float = H) -> np.ndarray:
    """``(f(z + h) - f(z - h)) / (2h)`` for an elementwise `f` (two calls for the whole array)."""
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(under="ignore"):
        return (np.asarray(f(z + h), dtype=np.float64) - np.asarray(f(z - h), dtype=np.float64)) / (2 * h)


def upstream_gradients(f: Callable[..., Any], inputs: Sequence[Any], dout: Any,
                       h: float = H) -> tuple[np.ndarray, ...]:
    """Gradient of ``sum(dout * f(*inputs))`` with respect to each input, by central differences.

    `f` is called fresh for every perturbation (pass e.g. ``lambda x, y: Gate().forward(x, y)``);
    inputs may be Python floats (their gradient is then a 0-d array).
    """
    base = [np.array(x, dtype=np.float64) for x in inputs]
    dout = np.asarray(dout, dtype=np.float64)
    grads = []
    for i, x in enumerate(base):
        grad = np.zeros_like(x)
        for idx in np.ndindex(x.shape):
            plus, minus = [b.copy() for b in base], [b.copy() for b in base]
            plus[i][idx] += h
            minus[i][idx] -= h
            delta = np.asarray(f(*plus), dtype=np.float64) - np.asarray(f(*minus), dtype=np.float64)
            grad[idx] = np.sum(dout * delta) / (2 * h)
        grads.append(grad)
    return tuple(grads)


def assert_gradient(analytic: Any, numeric: Any, *, what: str, unit: str,
                    names: Sequence[str] = (), inputs: Mapping[str, Any] | None = None,
                    threshold: float = THRESHOLD, feedback: Any = None,
                    mistakes: Mistakes | None = None, hint: str = "") -> None:
    """Fail unless every element of `analytic` is within `threshold` relative error of `numeric`.

    `analytic`/`numeric` are arrays or equal-length tuples of arrays (one per input,
    named by `names`). On failure the per-element errors are attached to `feedback`
    (if given) as a ``gradient_error`` artifact, and the worst element is reported with
    its input, the numerical and the returned value, and the likely mistake (the first
    of `mistakes`, `KnownMistake`s or label -> value or zero-argument callable, that the student's
    values match).
    """
    is_tuple = isinstance(numeric, tuple)
    nums = numeric if is_tuple else (numeric,)
    gots = analytic if is_tuple else (analytic,)
    if is_tuple and (not isinstance(analytic, (tuple, list)) or len(analytic) != len(numeric)):
        raise CheckFailed(f"{what} must return a tuple of {len(numeric)} gradient(s) "
                          f"(one per forward input), got {fmt(analytic)}.")
    errors, worst = [], None
    for i, (got, num) in enumerate(zip(gots, nums)):
        label = names[i] if i < len(names) else (f"gradient {i + 1}" if is_tuple else "gradient")
        shape_problem = find_disagreement(got, num, rtol=np.inf, atol=np.inf)
        if shape_problem is not None and shape_problem.index is None:
            raise CheckFailed(f"{what}: {label}: {shape_problem.reason} (each gradient has its input's shape).")
        err = relative_error(got, num)
        errors.append(err.ravel())
        if err.size and err.max() > threshold and (worst is None or err.max() > worst[0]):
            idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(err)), err.shape)) if err.ndim else ()
            worst = (float(err.max()), label, idx, np.asarray(num)[idx], np.asarray(got)[idx],
                     int((err > threshold).sum()), err.size)
    if worst is None:
        return
    flat = np.concatenate(errors) if errors else np.zeros(0)
    if feedback is not None:
        feedback.attach("gradient_error", unit=unit,
                        errors=[float(e) if np.isfinite(e) else 1e300 for e in flat], threshold=threshold)
    max_err, label, idx, num, got, n_bad, n = worst
    at = f"{label}{list(idx)}" if idx else label
    shown = ""
    for name, x in (inputs or {}).items():
        x = np.asarray(x)
        shown += f", {name}{list(idx)}={fmt(x[idx])}" if idx and x.ndim == len(idx) else f", {name}={fmt(x)}"
    message = (f"{what}: {n_bad} of {n} element(s) of {label} disagree with the numerical gradient "
               f"(central differences, h={H:g}); relative error up to {max_err:.3g} > {threshold:g}. "
               f"Worst: {at}{shown}: numerical {fmt(num)}, got {fmt(got)}.")
    diagnosis = likely_mistake(analytic, mistakes, rtol=1e-6, atol=1e-9) if mistakes else None
    diagnosis = diagnosis or low_precision(analytic, threshold)
    if diagnosis:
        message += f" Likely mistake: {diagnosis}."
    elif hint:
        message += f" {hint}"
    raise CheckFailed(message)
