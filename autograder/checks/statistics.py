"""Statistical check primitives: is a sample drawn from the distribution it claims?

Every tolerance here comes from sampling theory, sized so that a CORRECT sampler fails
a check with probability at most ``alpha`` (default ``ALPHA = 1e-6`` per check).  A check
that runs ``k`` tests splits its budget evenly (Bonferroni): each test gets ``alpha / k``,
so by the union bound the check as a whole false-fails with probability <= ``alpha``.

The grading seeds are fixed, so grading is deterministic: the probability is over the
choice of seed.  A correct sampler that consumes the generator differently from the
reference (``rng.normal(0, s, shape)`` vs ``s * rng.standard_normal(shape)`` vs
``rng.uniform`` vs ``2 * b * rng.random() - b`` …) sees the fixed seed as an arbitrary
random stream, and fails a given check for at most a fraction ``alpha`` of seeds.

The tests, for ``n`` draws ``w_i`` (the derivation is in docs/rubric-initializers.md):

- normal ``N(0, s^2)``
  - mean: ``mean(w) ~ N(0, s^2/n)`` exactly: accept ``|mean| <= z_{1-a/2} s / sqrt(n)``.
  - variance: ``sum(w^2)/s^2 ~ chi2(n)`` exactly (the mean is known to be 0): accept
    ``mean(w^2)/s^2`` within ``[chi2.ppf(a/2, n), chi2.isf(a/2, n)] / n``.
  - shape: one-sample Kolmogorov-Smirnov against ``N(0, s^2)``: the p-value is uniform
    under the null (asymptotic p-values are slightly larger: conservative), so accept ``p >= a``.
- uniform ``U(-b, b)``
  - mean: the uniform law is strictly sub-Gaussian (``sinh(x)/x <= exp(x^2/6)``), so
    Chernoff gives ``P(|mean| >= t) <= 2 exp(-n t^2 / (2 s^2))``, ``s^2 = b^2/3``:
    accept ``|mean| <= s sqrt(2 ln(2/a) / n)``.
  - variance: ``w^2/b^2`` lies in ``[0, 1]`` with mean ``1/3``; Hoeffding gives
    ``P(|mean(w^2)/b^2 - 1/3| >= t) <= 2 exp(-2 n t^2)``: accept
    ``|mean(w^2)/b^2 - 1/3| <= sqrt(ln(2/a) / (2 n))``.
  - bound: ``max|w| <= b`` must hold (up to rounding, ``4 ulp``); ``|w|/b ~ U(0, 1)``
    so ``P(max|w| < b c) = c^n``: accept ``max|w| >= b a^(1/n)`` (order statistics).
  - shape: Kolmogorov-Smirnov against ``U(-b, b)``, accept ``p >= a``.
- layer statistics of a deep network (no closed form): the reference is run with ``K``
  weight seeds; a new correct run is one more draw, so the normal-theory prediction
  interval ``center +- t_{K-1}(1 - a/2) * sd * sqrt(1 + 1/K)`` holds it with
  probability ``1 - a``. The statistics compared are chosen close to normal across
  seeds: ``log(std)`` of a layer (each layer multiplies the scale by an independent
  random factor, so the log is a sum) and the standardized mean ``mean / std``.
"""
from __future__ import annotations

import math

import numpy as np
from scipy import special

from autograder.checks import CheckFailed

ALPHA = 1e-6
"""False-fail probability budget of one check, for a correct implementation."""

# Largest rounding excess allowed over a uniform bound b: b*(1 - 2**-53) < b, and
# rng.uniform(-b, b) = -b + 2b*u can round up to b itself; 4 ulp covers other algebra.
_BOUND_ROUNDING = 4 * np.finfo(np.float64).eps


# --------------------------------------------------------------------------- tolerances

def normal_mean_tolerance(sigma: float, n: int, alpha: float) -> float:
    """Half-width ``z_{1-alpha/2} * sigma / sqrt(n)`` for the mean of ``n`` draws of N(0, sigma^2)."""
    return float(-special.ndtri(alpha / 2) * sigma / math.sqrt(n))


def subgaussian_mean_tolerance(sigma: float, n: int, alpha: float) -> float:
    """Chernoff half-width ``sigma * sqrt(2 ln(2/alpha) / n)`` for a strictly sub-Gaussian mean."""
    return float(sigma * math.sqrt(2 * math.log(2 / alpha) / n))


def chi2_mean_square_interval(variance: float, n: int, alpha: float) -> tuple[float, float]:
    """Acceptance interval of ``mean(w^2)`` for ``n`` draws of N(0, variance): exact chi2(n) quantiles.

    ``special.chdtri(n, p)`` is the inverse survival function of chi2(n) (scipy.stats.chi2.isf).
    """
    return (float(variance * special.chdtri(n, 1 - alpha / 2) / n),
            float(variance * special.chdtri(n, alpha / 2) / n))


def uniform_mean_square_interval(bound: float, n: int, alpha: float) -> tuple[float, float]:
    """Acceptance interval of ``mean(w^2)`` for ``n`` draws of U(-b, b) (Hoeffding on ``w^2/b^2 in [0,1]``)."""
    half = math.sqrt(math.log(2 / alpha) / (2 * n))
    return (bound**2 * (1 / 3 - half), bound**2 * (1 / 3 + half))


def uniform_max_lower_bound(bound: float, n: int, alpha: float) -> float:
    """``b * alpha**(1/n)``: ``max|w|`` of ``n`` draws of U(-b, b) is below it with probability alpha."""
    return float(bound * alpha ** (1.0 / n))


def prediction_halfwidth(spread: float, seeds: int, alpha: float) -> float:
    """Normal-theory prediction half-width ``t_{K-1}(1-alpha/2) * spread * sqrt(1 + 1/K)`` for one new draw."""
    return float(special.stdtrit(seeds - 1, 1 - alpha / 2) * spread * math.sqrt(1 + 1 / seeds))


def ks_test(sample: np.ndarray, cdf) -> tuple[float, float]:
    """One-sample Kolmogorov-Smirnov statistic ``D`` and p-value of ``sample`` against ``cdf``.

    ``D = max_i max(i/n - F(x_(i)), F(x_(i)) - (i-1)/n)`` over the sorted sample (one sort;
    scipy.stats.kstest sorts twice and gives the same numbers with ``method="asymp"``). The
    p-value is the asymptotic Kolmogorov one, ``scipy.special.kolmogorov(sqrt(n) D)`` (=
    ``scipy.stats.kstwobign.sf``; scipy.special, not scipy.stats, to keep imports light): for
    the n = 210000 draws graded it exceeds the exact ``kstwo.sf(D, n)`` by 0.4% near
    p = 1e-6 (conservative: a correct sampler fails no more often than the budget says),
    and costs microseconds where the exact one can take 0.4 s.
    """
    x = np.sort(np.ravel(sample))
    n = x.size
    f = cdf(x)
    d = max(float(np.max(np.arange(1, n + 1) / n - f)), float(np.max(f - np.arange(n) / n)))
    return d, float(special.kolmogorov(d * math.sqrt(n)))


def uniform_cdf(bound: float):
    """The CDF of U(-bound, bound)."""
    return lambda x: np.clip((x + bound) / (2 * bound), 0.0, 1.0)


# --------------------------------------------------------------------------- helpers

def _fmt(x: float) -> str:
    return f"{x:.6g}"


def _sample(w, shape: tuple[int, int], what: str) -> np.ndarray:
    """The student's array as float64, after checking it is a finite array of ``shape``."""
    arr = np.asarray(w)
    if arr.shape != tuple(shape):
        raise CheckFailed(f"{what}: expected an array of shape {tuple(shape)}, got shape {arr.shape}.")
    if not np.issubdtype(arr.dtype, np.number):
        raise CheckFailed(f"{what}: expected a float64 array, got dtype {arr.dtype}.")
    arr = arr.astype(np.float64, copy=False)
    if not np.all(np.isfinite(arr)):
        raise CheckFailed(f"{what}: the weights contain NaN or infinity.")
    return arr


def _matching_mistake(value: float, mistakes: dict[str, float], interval) -> str | None:
    """The description of the first mistake whose parameter's acceptance interval holds ``value``."""
    for description, parameter in mistakes.items():
        lo, hi = interval(parameter)
        if lo <= value <= hi:
            return description
    return None


def _hint(mistake: str | None) -> str:
    return f" Likely mistake: {mistake}." if mistake else ""


# --------------------------------------------------------------------------- weight samples

def check_normal_sample(w, shape, sigma: float, *, what: str, alpha: float = ALPHA,
                        mistakes: dict[str, float] | None = None) -> dict:
    """Check that ``w`` looks like ``shape`` draws of N(0, sigma^2): variance, mean, KS shape.

    ``mistakes`` maps a description of a likely mistake to the sigma it would produce; a
    failing variance names the first one that fits.  Returns the measured statistics.
    """
    arr = _sample(w, shape, what)
    n = arr.size
    a = alpha / 3  # three random tests: mean square, mean, KS
    mean = float(arr.mean())
    mean_square = float(np.mean(arr * arr))
    summary = {"n": n, "mean": mean, "variance": mean_square, "expected_variance": sigma**2}

    lo, hi = chi2_mean_square_interval(sigma**2, n, a)
    if not lo <= mean_square <= hi:
        mistake = _matching_mistake(mean_square, mistakes or {},
                                    lambda s: chi2_mean_square_interval(s**2, n, a))
        if abs(mean) > normal_mean_tolerance(math.sqrt(mean_square), n, a):
            mistake = f"the weights are not centred at 0 (mean {_fmt(mean)})"
        raise CheckFailed(
            f"{what}: the weights have variance {_fmt(mean_square)} (mean of w**2 over {n} draws) "
            f"but should have variance {_fmt(sigma**2)} (std {_fmt(sigma)}); a correct sampler lands "
            f"in [{_fmt(lo)}, {_fmt(hi)}] (chi-square({n}) quantiles, false-fail probability "
            f"{a:.1e}). Ratio got/expected = {mean_square / sigma**2:.4g}.{_hint(mistake)}")

    tol = normal_mean_tolerance(sigma, n, a)
    if abs(mean) > tol:
        raise CheckFailed(
            f"{what}: the weights have mean {_fmt(mean)} but should be centred at 0 "
            f"(|mean| <= {_fmt(tol)} for {n} draws of N(0, {_fmt(sigma**2)})).")

    stat, pvalue = ks_test(arr, lambda x: special.ndtr(x / sigma))
    summary.update(ks_statistic=stat, ks_pvalue=pvalue)
    if pvalue < a:
        uniform_stat, _ = ks_test(arr, uniform_cdf(math.sqrt(3) * sigma))
        shape_hint = (" The values look uniform: use a normal sampler (rng.normal / "
                      "rng.standard_normal)." if uniform_stat < stat else "")
        raise CheckFailed(
            f"{what}: mean and variance are right but the values are not normally distributed: "
            f"Kolmogorov-Smirnov distance to N(0, {_fmt(sigma**2)}) is {stat:.4g} "
            f"(p = {pvalue:.2g} < {a:.1e}).{shape_hint}")
    return summary


def check_uniform_sample(w, shape, bound: float, *, what: str, alpha: float = ALPHA,
                         mistakes: dict[str, float] | None = None) -> dict:
    """Check that ``w`` looks like ``shape`` draws of U(-bound, bound): bounds, variance, mean, KS.

    ``mistakes`` maps a description of a likely mistake to the bound it would produce.
    """
    arr = _sample(w, shape, what)
    n = arr.size
    a = alpha / 4  # four random tests: max|w| close to b, mean square, mean, KS
    largest = float(np.max(np.abs(arr)))
    mean = float(arr.mean())
    mean_square = float(np.mean(arr * arr))
    summary = {"n": n, "mean": mean, "variance": mean_square, "max_abs": largest, "bound": bound}

    def bound_interval(b):
        return uniform_max_lower_bound(b, n, a), b * (1 + _BOUND_ROUNDING)

    lo, hi = bound_interval(bound)
    if not lo <= largest <= hi:
        mistake = _matching_mistake(largest, mistakes or {}, bound_interval)
        if mistake is None and largest > hi:
            mistake = "values outside [-b, b]: draw with rng.uniform(-b, b, size), not a normal sampler"
        side = "exceeds" if largest > hi else "stays well below"
        raise CheckFailed(
            f"{what}: max|w| = {_fmt(largest)} {side} the bound b = {_fmt(bound)}; draws of "
            f"U(-b, b) never exceed b and, with {n} draws, reach at least {_fmt(lo)} "
            f"(order statistics, false-fail probability {a:.1e}).{_hint(mistake)}")

    lo, hi = uniform_mean_square_interval(bound, n, a)
    if not lo <= mean_square <= hi:
        raise CheckFailed(
            f"{what}: the weights reach the bound b = {_fmt(bound)} but their variance is "
            f"{_fmt(mean_square)}, not b**2/3 = {_fmt(bound**2 / 3)} (accepted [{_fmt(lo)}, {_fmt(hi)}]). "
            f"Draw uniformly on [-b, b] (e.g. rng.uniform(-b, b, size)).")

    tol = subgaussian_mean_tolerance(bound / math.sqrt(3), n, a)
    if abs(mean) > tol:
        raise CheckFailed(
            f"{what}: the weights have mean {_fmt(mean)} but U(-b, b) is centred at 0 "
            f"(|mean| <= {_fmt(tol)} for {n} draws). Draw on [-b, b], not [0, b].")

    stat, pvalue = ks_test(arr, uniform_cdf(bound))
    summary.update(ks_statistic=stat, ks_pvalue=pvalue)
    if pvalue < a:
        raise CheckFailed(
            f"{what}: the values are not uniformly distributed on [-b, b], b = {_fmt(bound)}: "
            f"Kolmogorov-Smirnov distance {stat:.4g} (p = {pvalue:.2g} < {a:.1e}).")
    return summary


# --------------------------------------------------------------------------- deep network

def layer_statistics(x: np.ndarray, weights, activation, hist_range: tuple[float, float],
                     bins: int = 40) -> dict:
    """Per-layer mean, std and histogram of ``H_l = activation(H_{l-1} @ W_l)``, ``H_0 = x``.

    Histograms share the ``bins`` equal-width bins on ``hist_range``; values outside are
    clipped into the end bins so the counts always sum to ``H.size``.
    """
    lo, hi = hist_range
    h = x
    means, stds, hists = [], [], []
    for w in weights:
        h = activation(h @ w)
        means.append(float(h.mean()))
        stds.append(float(h.std()))
        counts, _ = np.histogram(np.clip(h, lo, hi), bins=bins, range=(lo, hi))
        hists.append(counts.tolist())
    edges = np.linspace(lo, hi, bins + 1)
    return {"mean": means, "std": stds, "hist": hists, "bins": edges.tolist()}


def layer_summary(runs: dict) -> dict:
    """Center (average) and spread (sample std, ddof=1) over seeds of the two compared statistics.

    ``runs`` holds per-seed lists ``{"mean": [[layer means]...], "std": [[layer stds]...]}``.
    The statistics are scale-free, so that they are close to normal across seeds: the
    log of the layer std (each layer multiplies the scale by a random factor, so the log
    is a sum of independent terms) and the standardized mean ``mean / std``.
    """
    means, stds = np.array(runs["mean"]), np.array(runs["std"])
    values = {"log_std": np.log(stds), "standardized_mean": means / stds}
    summary = {"seeds": len(stds)}
    for key, v in values.items():
        summary[key] = {"center": v.mean(axis=0).tolist(), "spread": v.std(axis=0, ddof=1).tolist()}
    return summary


def check_layer_statistics(got: dict, runs: dict, *, what: str, alpha: float = ALPHA) -> None:
    """Check the per-layer mean and std of ``got`` against reference ``runs`` over seeds.

    Each layer's log std and standardized mean must fall in the prediction interval of
    the reference's (`layer_summary`); the budget ``alpha`` is split over the
    2 * layers intervals.
    """
    summary = layer_summary(runs)
    centers = np.exp(summary["log_std"]["center"])
    layers = len(centers)
    if len(got["std"]) != layers:
        raise CheckFailed(f"{what}: expected {layers} layers of statistics, got {len(got['std'])}.")
    a = alpha / (2 * layers)
    profile = (f" Per-layer std: got {[round(v, 4) for v in got['std']]}, reference about "
               f"{[round(float(v), 4) for v in centers]}.")
    for layer in range(layers):
        std, mean = got["std"][layer], got["mean"][layer]
        if not (np.isfinite(std) and np.isfinite(mean)) or std <= 0:
            raise CheckFailed(f"{what}: layer {layer + 1} activations have std {_fmt(std)} and mean "
                              f"{_fmt(mean)}: the activations died or overflowed.{profile}")
        for key, value in (("log_std", math.log(std)), ("standardized_mean", mean / std)):
            center = summary[key]["center"][layer]
            half = prediction_halfwidth(summary[key]["spread"][layer], summary["seeds"], a)
            if abs(value - center) <= half:
                continue
            if key == "log_std":
                trend = ("the activations shrink: the weights are too small" if value < center
                         else "the activations grow or saturate: the weights are too large")
                raise CheckFailed(
                    f"{what}: layer {layer + 1} activation std is {_fmt(std)}; the reference's lies in "
                    f"[{_fmt(math.exp(center - half))}, {_fmt(math.exp(center + half))}] (prediction "
                    f"interval over {summary['seeds']} reference seeds): {trend}.{profile}")
            raise CheckFailed(
                f"{what}: layer {layer + 1} activation mean is {_fmt(mean)} (std {_fmt(std)}); the "
                f"reference's mean/std lies in [{_fmt(center - half)}, {_fmt(center + half)}]: the "
                f"activations are not centred like the reference's (weights not centred at 0?).{profile}")
