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

Grading imports no scipy (its import would cost each grading process more than grading a submission). The normal
quantile is ``statistics.NormalDist().inv_cdf``; the normal CDF (`normal_cdf`) and the
Kolmogorov distribution (`kolmogorov_sf`) are computed here to double precision. The chi2
and Student t quantiles have no stdlib equivalent: the graded ``(p, df)`` pairs are fixed
by the suite (`quantile_lookups`), so ``python -m autograder.suites.initializers.make_reference_stats``
computes them once with scipy.stats into `QUANTILES_FILE`, and grading looks them up.
"""
from __future__ import annotations

import hashlib
import json
import math
from functools import cache
from pathlib import Path
from statistics import NormalDist

import numpy as np

from autograder.checks import CheckFailed
from autograder.checks.mistakes import KnownMistake, as_known_mistakes

ALPHA = 1e-6
"""False-fail probability budget of one check, for a correct implementation."""

NORMAL_TESTS = 3
"""Random tests of `check_normal_sample` (mean square, mean, KS): each gets ``alpha / 3``."""
UNIFORM_TESTS = 4
"""Random tests of `check_uniform_sample` (max|w|, mean square, mean, KS): each gets ``alpha / 4``."""

QUANTILES_FILE = Path(__file__).resolve().parents[1] / "suites" / "initializers" / "quantiles.json"
"""The chi2 and Student t quantiles of `quantile_lookups`, computed with scipy.stats by
``python -m autograder.suites.initializers.make_reference_stats``."""

# Largest rounding excess allowed over a uniform bound b: b*(1 - 2**-53) < b, and
# rng.uniform(-b, b) = -b + 2b*u can round up to b itself; 4 ulp covers other algebra.
_BOUND_ROUNDING = 4 * np.finfo(np.float64).eps

_STANDARD_NORMAL = NormalDist()
# normal_cdf: Taylor polynomials of degree _CDF_DEGREE about the nodes j / _CDF_NODES_PER_UNIT
# of [-_CDF_LIMIT, _CDF_LIMIT]; Phi(-9) = 1.1e-19, so clipping to it costs nothing.
_CDF_NODES_PER_UNIT = 128
_CDF_DEGREE = 5
_CDF_LIMIT = 9
# ks_test: equal buckets of [0, 1] (a power of 2, so the bucket bounds are exact).
_KS_BUCKETS = 1 << 14
# normal_cdf: values per block. Their temporaries (512 kB) stay in cache
# and are reused; whole-array ones are fresh memory, page-faulted at every step.
_BLOCK = 1 << 16


# --------------------------------------------------------------------------- distributions

def normal_quantile(p: float) -> float:
    """The p-quantile of N(0, 1) (``statistics.NormalDist().inv_cdf``: Wichura's AS241, double precision)."""
    return _STANDARD_NORMAL.inv_cdf(p)


@cache
def _normal_cdf_table() -> np.ndarray:
    """Row k, column j: the Taylor coefficient ``Phi^(k)(z_j) / k!`` of the normal CDF at node ``z_j``.

    ``Phi^(k)(z) = (-1)^(k-1) He_{k-1}(z) phi(z)`` for k >= 1 (Hermite polynomials ``He_0 = 1``,
    ``He_1 = z``, ``He_{k+1} = z He_k - k He_{k-1}``); row 0 is ``Phi(z_j) = erfc(-z_j/sqrt(2))/2``.
    """
    z = np.arange(-_CDF_LIMIT * _CDF_NODES_PER_UNIT, _CDF_LIMIT * _CDF_NODES_PER_UNIT + 1) / _CDF_NODES_PER_UNIT
    rows = [np.array([0.5 * math.erfc(-v / math.sqrt(2)) for v in z.tolist()])]
    phi = np.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    he_previous, he = np.zeros_like(z), np.ones_like(z)
    for k in range(1, _CDF_DEGREE + 1):
        rows.append((-1) ** (k - 1) * he * phi / math.factorial(k))
        he_previous, he = he, z * he - (k - 1) * he_previous
    return np.array(rows)


def normal_cdf(z) -> np.ndarray:
    """The N(0, 1) CDF ``Phi(z)`` elementwise, within 3e-16 of the exact value.

    ``Phi(z_j + h) = sum_k Phi^(k)(z_j) h^k / k!`` about the nearest node ``z_j = j/128``
    (`_normal_cdf_table`), to degree 5: ``|h| <= 1/256`` bounds the remainder by
    ``max|He_5 phi| h^6 / 6! = 2.31 * 2^-48 / 720 < 1.2e-17``. Vectorized, unlike ``math.erfc``,
    which takes one Python call per element.
    """
    z = np.asarray(z, dtype=np.float64)
    flat = z.ravel()
    cdf = np.empty(flat.shape)
    for start in range(0, flat.size, _BLOCK):
        _normal_cdf_block(flat[start:start + _BLOCK], cdf[start:start + _BLOCK])
    return cdf.reshape(z.shape)


def _normal_cdf_block(z: np.ndarray, out: np.ndarray) -> None:
    """``out[:] = Phi(z)``: Horner's scheme in ``h = z - z_j`` with the coefficients of node j."""
    table = _normal_cdf_table()
    h = np.clip(z, -_CDF_LIMIT, _CDF_LIMIT)
    node = h * _CDF_NODES_PER_UNIT
    np.rint(node, out=node)
    j = node.astype(np.intp)
    j += _CDF_LIMIT * _CDF_NODES_PER_UNIT
    node /= _CDF_NODES_PER_UNIT
    h -= node  # exact (Sterbenz): |h| <= 1/256 and the node is 0 or at least 1/128
    cdf = table[_CDF_DEGREE].take(j, out=out)
    for row in table[_CDF_DEGREE - 1::-1]:
        cdf *= h
        cdf += row.take(j, out=node)


def kolmogorov_sf(x: float) -> float:
    """``P(K > x)`` for the Kolmogorov distribution (scipy.stats.kstwobign.sf), to double precision.

    ``2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 x^2)`` for ``x >= 1``; below, one minus the CDF's
    theta-function form ``sqrt(2 pi)/x sum_{k>=1} exp(-(2k-1)^2 pi^2 / (8 x^2))``. At ``x = 1``
    the sixth terms are below 1e-30, and both series converge faster away from it.
    """
    if x >= 1.0:
        return 2 * sum((-1) ** (k - 1) * math.exp(-2 * k * k * x * x) for k in range(1, 7))
    if x <= 0.0:
        return 1.0
    return 1 - math.sqrt(2 * math.pi) / x * sum(math.exp(-(2 * k - 1) ** 2 * math.pi**2 / (8 * x * x))
                                                for k in range(1, 7))


def chi2_ppf(p: float, df: int) -> float:
    """``scipy.stats.chi2.ppf(p, df)``, precomputed (`QUANTILES_FILE`)."""
    return _precomputed_quantile("chi2.ppf", p, df)


def chi2_isf(p: float, df: int) -> float:
    """``scipy.stats.chi2.isf(p, df)``, precomputed (`QUANTILES_FILE`)."""
    return _precomputed_quantile("chi2.isf", p, df)


def t_isf(p: float, df: int) -> float:
    """``scipy.stats.t.isf(p, df)``, precomputed (`QUANTILES_FILE`)."""
    return _precomputed_quantile("t.isf", p, df)


def quantile_key(function: str, p: float, df: int) -> str:
    """The `QUANTILES_FILE` key of ``scipy.stats.<function>(p, df)``, e.g. ``"t.isf(2.5e-08, 39)"``."""
    return f"{function}({p!r}, {df})"


def quantile_lookups(sample_sizes, seeds: int, layers: int, alpha: float = ALPHA) -> list[tuple[str, float, int]]:
    """The ``(function, p, df)`` quantiles the checks look up at budget ``alpha``.

    `check_normal_sample` of ``n`` draws for each n in ``sample_sizes``, and
    `check_layer_statistics` over ``seeds`` reference runs of ``layers`` layers.
    """
    a = alpha / NORMAL_TESTS
    lookups = [(function, a / 2, n) for n in sorted(set(sample_sizes)) for function in ("chi2.ppf", "chi2.isf")]
    a = alpha / (2 * layers)
    return lookups + [("t.isf", a / 2, seeds - 1)]


@cache
def _quantile_table() -> dict[str, float]:
    return json.loads(QUANTILES_FILE.read_text()) if QUANTILES_FILE.exists() else {}


def _precomputed_quantile(function: str, p: float, df: int) -> float:
    key = quantile_key(function, p, df)
    try:
        return _quantile_table()[key]
    except KeyError:
        raise LookupError(
            f"grader bug: {key} is not among the precomputed quantiles of {QUANTILES_FILE} (grading "
            f"imports no scipy). Regenerate them with `python -m autograder.suites.initializers."
            f"make_reference_stats` after changing a graded shape, seed count, layer count or alpha.") from None


# --------------------------------------------------------------------------- tolerances

def normal_mean_tolerance(sigma: float, n: int, alpha: float) -> float:
    """Half-width ``z_{1-alpha/2} * sigma / sqrt(n)`` for the mean of ``n`` draws of N(0, sigma^2)."""
    return -normal_quantile(alpha / 2) * sigma / math.sqrt(n)


def subgaussian_mean_tolerance(sigma: float, n: int, alpha: float) -> float:
    """Chernoff half-width ``sigma * sqrt(2 ln(2/alpha) / n)`` for a strictly sub-Gaussian mean."""
    return float(sigma * math.sqrt(2 * math.log(2 / alpha) / n))


def chi2_mean_square_interval(variance: float, n: int, alpha: float) -> tuple[float, float]:
    """Acceptance interval ``variance * [chi2.ppf(alpha/2, n), chi2.isf(alpha/2, n)] / n`` of ``mean(w^2)``
    for ``n`` draws of N(0, variance): exact chi2(n) quantiles."""
    return variance * chi2_ppf(alpha / 2, n) / n, variance * chi2_isf(alpha / 2, n) / n


def uniform_mean_square_interval(bound: float, n: int, alpha: float) -> tuple[float, float]:
    """Acceptance interval of ``mean(w^2)`` for ``n`` draws of U(-b, b) (Hoeffding on ``w^2/b^2 in [0,1]``)."""
    half = math.sqrt(math.log(2 / alpha) / (2 * n))
    return (bound**2 * (1 / 3 - half), bound**2 * (1 / 3 + half))


def uniform_max_lower_bound(bound: float, n: int, alpha: float) -> float:
    """``b * alpha**(1/n)``: ``max|w|`` of ``n`` draws of U(-b, b) is below it with probability alpha."""
    return float(bound * alpha ** (1.0 / n))


def prediction_halfwidth(spread: float, seeds: int, alpha: float) -> float:
    """Normal-theory prediction half-width ``t_{K-1}(1-alpha/2) * spread * sqrt(1 + 1/K)`` for one new draw."""
    return t_isf(alpha / 2, seeds - 1) * spread * math.sqrt(1 + 1 / seeds)


def ks_test(sample: np.ndarray, cdf) -> tuple[float, float]:
    """One-sample Kolmogorov-Smirnov statistic ``D`` and p-value of ``sample`` against ``cdf``.

    ``D = max_i max(i/n - u_(i), u_(i) - (i-1)/n)`` over the sorted ``u_i = cdf(x_i)`` (as
    scipy.stats.kstest). Rather than sorting all n values, count them in
    ``m = 2^14`` equal buckets of [0, 1]: a bucket ``[j/m, (j+1)/m)`` holding ``c`` values above
    ``C`` smaller ones contributes at least ``max((C+c)/n - (j+1)/m, j/m - C/n)`` (its largest
    and smallest value) and at most ``max((C+c)/n - j/m, (j+1)/m - C/n)``, so only the buckets
    whose upper bound reaches the best lower bound are sorted (a few hundred values), and ``D``
    is the sorted formula's exactly, without the cost of sorting every value.

    The p-value is the asymptotic Kolmogorov one, `kolmogorov_sf` ``(sqrt(n) D)``: for the
    n = 33600 draws graded it exceeds the exact ``kstwo.sf(D, n)`` by 1.1% near p = 1e-6
    (conservative: a correct sampler fails no more often than the budget says), and costs
    microseconds where the exact one's recursion over n is slow for the graded sizes.
    """
    u = cdf(np.ravel(sample))
    n, m = u.size, _KS_BUCKETS
    bucket = np.clip((u * m).astype(np.intp), 0, m - 1)
    counts = np.bincount(bucket, minlength=m)
    after = np.cumsum(counts)
    before = after - counts
    left = np.arange(m) / m
    right = left + 1 / m
    lower = np.maximum(after / n - right, left - before / n)
    upper = np.maximum(after / n - left, right - before / n)
    occupied = counts > 0
    candidate = occupied & (upper >= lower[occupied].max() - 1e-12)  # 1e-12: rounding of the bounds
    values = np.sort(u[candidate[bucket]])
    of_value = np.clip((values * m).astype(np.intp), 0, m - 1)  # their buckets, in order
    rank = before[of_value] + np.arange(values.size) - np.searchsorted(of_value, of_value) + 1
    d = max(float(np.max(rank / n - values)), float(np.max(values - (rank - 1) / n)))
    return d, kolmogorov_sf(d * math.sqrt(n))


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


def _matching_mistake(value: float, mistakes: list[KnownMistake] | dict[str, float] | None, interval) -> str | None:
    """The feedback of the first mistake whose parameter's acceptance interval holds ``value``
    (`KnownMistake`s whose output is the parameter they give, or description -> parameter)."""
    for mistake in as_known_mistakes(mistakes):
        parameter = mistake.output() if callable(mistake.output) else mistake.output
        lo, hi = interval(parameter)
        if lo <= value <= hi:
            return mistake.feedback
    return None


def _hint(mistake: str | None) -> str:
    return f" Likely mistake: {mistake}." if mistake else ""


# --------------------------------------------------------------------------- weight samples

def check_normal_sample(w, shape, sigma: float, *, what: str, alpha: float = ALPHA,
                        mistakes: list[KnownMistake] | dict[str, float] | None = None) -> dict:
    """Check that ``w`` looks like ``shape`` draws of N(0, sigma^2): variance, mean, KS shape.

    ``mistakes`` are the likely mistakes, each with the sigma it would produce (`KnownMistake`s,
    or description -> sigma); a failing variance names the first one that fits.  Returns the measured statistics.
    """
    arr = _sample(w, shape, what)
    n = arr.size
    a = alpha / NORMAL_TESTS
    mean = float(arr.mean())
    mean_square = float(np.mean(arr * arr))
    summary = {"n": n, "mean": mean, "variance": mean_square, "expected_variance": sigma**2}

    lo, hi = chi2_mean_square_interval(sigma**2, n, a)
    if not lo <= mean_square <= hi:
        mistake = _matching_mistake(mean_square, mistakes,
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

    stat, pvalue = ks_test(arr, lambda x: normal_cdf(x / sigma))
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
                         mistakes: list[KnownMistake] | dict[str, float] | None = None) -> dict:
    """Check that ``w`` looks like ``shape`` draws of U(-bound, bound): bounds, variance, mean, KS.

    ``mistakes`` are the likely mistakes, each with the bound it would produce (`KnownMistake`s,
    or description -> bound).
    """
    arr = _sample(w, shape, what)
    n = arr.size
    a = alpha / UNIFORM_TESTS
    largest = float(np.max(np.abs(arr)))
    mean = float(arr.mean())
    mean_square = float(np.mean(arr * arr))
    summary = {"n": n, "mean": mean, "variance": mean_square, "max_abs": largest, "bound": bound}

    def bound_interval(b):
        return uniform_max_lower_bound(b, n, a), b * (1 + _BOUND_ROUNDING)

    lo, hi = bound_interval(bound)
    if not lo <= largest <= hi:
        mistake = _matching_mistake(largest, mistakes, bound_interval)
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

HIST_STRIDE = 8  # histograms count every 8th activation (they are drawn, never graded)
MEMO_LAYERS = 100_000  # entries of one `layer_statistics` memo (~0.5 KB each)


def layer_statistics(x: np.ndarray, weights, activation, hist_range: tuple[float, float],
                     bins: int = 40, *, memo: dict | None = None) -> dict:
    """Per-layer mean, std and histogram of ``H_l = activation(H_{l-1} @ W_l)``, ``H_0 = x``.

    ``weights`` is any iterable (`StudentCode.stream` delivers the layers while earlier ones are
    computed). The products run in float32, faster than float64: rounding moves a layer's
    mean and std by < 1e-7 relative (measured on the reference networks), far below the
    seed-to-seed spread that `check_layer_statistics` tolerates (~1e-2). The mean and std come
    from ``sum(H)`` and ``sum(H*H)`` accumulated in float64 (``std^2 = E[H^2] - mean^2``; the
    cancellation costs < 1e-15 relative here), without float64 temporaries of ``H`` (which
    ``H.std(dtype=float64)`` would make). Histograms are for the feedback figure only, which draws
    densities: they count every `HIST_STRIDE`-th value of ``H`` (62,500 of the slides'
    500,000, a few percent per bin), in ``bins`` equal-width bins on ``hist_range``,
    values outside clipped into the end bins.

    ``memo``, a dict the caller keeps for one ``(x, activation, hist_range, bins)``, remembers
    each layer's statistics under the SHA-256 of the weights of that layer and all before it
    (`array_digest`). A network whose first layers are byte for byte ones seen before takes
    their statistics from it instead of multiplying (hashing a layer's weights costs a fraction
    of its matrix product): students who draw the same way get the same weights.
    """
    lo, hi = hist_range
    h = np.asarray(x, dtype=np.float32)
    skipped = []  # layers taken from the memo, whose H is computed only if a later layer needs it
    digest = b""
    layers = []
    for w in weights:
        if memo is not None:
            digest = array_digest(w, digest)
            if digest in memo:
                skipped.append(w)
                layers.append(memo[digest])
                continue
        for earlier in skipped:
            h = activation(h @ np.asarray(earlier, dtype=np.float32))
        skipped = []
        h = activation(h @ np.asarray(w, dtype=np.float32))
        mean = h.sum(dtype=np.float64) / h.size
        mean_square = np.einsum("ij,ij->", h, h, dtype=np.float64) / h.size
        std = np.sqrt(max(mean_square - mean * mean, 0.0))
        counts, _ = np.histogram(np.clip(h.ravel()[::HIST_STRIDE], lo, hi), bins=bins, range=(lo, hi))
        layers.append((float(mean), float(std), tuple(counts.tolist())))
        if memo is not None and len(memo) < MEMO_LAYERS:
            memo[digest] = layers[-1]
    edges = np.linspace(lo, hi, bins + 1)
    return {"mean": [mean for mean, _, _ in layers], "std": [std for _, std, _ in layers],
            "hist": [list(hist) for _, _, hist in layers], "bins": edges.tolist()}


def array_digest(w, previous: bytes = b"") -> bytes:
    """SHA-256 of ``previous`` and ``w``'s dtype, shape and bytes (a chain of them keys a sequence
    of layers)."""
    arr = np.ascontiguousarray(w)
    digest = hashlib.sha256(previous)
    digest.update(f"{arr.dtype.str}{arr.shape}".encode())
    digest.update(arr.data)
    return digest.digest()


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


# --------------------------------------------------------------------------- figure data

WEIGHT_HISTOGRAM_BINS = 40


def weight_histogram(w, *, distribution: str, parameter: float, what: str = "", bins: int = WEIGHT_HISTOGRAM_BINS,
                     alpha: float = ALPHA) -> dict | None:
    """The data of a ``weight_histogram`` artifact (docs/checks.md): the sample's histogram
    against the expected one of N(0, parameter^2) (``distribution="normal"``) or
    U(-parameter, parameter) (``"uniform"``), with the band a correct sampler's counts land in.

    The range is symmetric, wide enough for the expected law (4 sigma, or the bound and a margin) and
    for most of the sample (its 99.9th percentile of |w|), so a sample ten times too wide is drawn
    as such. Per bin the count of a correct sampler is Binomial(n, p); the band is
    ``n p +- z sqrt(n p (1 - p))`` with ``z`` the normal quantile of ``1 - alpha / (2 bins)``
    (Bonferroni over the bins), clipped at 0. None when `w` is no finite float array.
    """
    arr = np.asarray(w) if isinstance(w, np.ndarray) else None
    if arr is None or arr.dtype.kind != "f" or arr.size == 0:
        return None
    arr = arr.astype(np.float64, copy=False).ravel()
    arr = arr[np.isfinite(arr)]
    if arr.size == 0:
        return None
    n = arr.size
    law_extent = 4.0 * parameter if distribution == "normal" else 1.25 * parameter
    sample_extent = float(np.quantile(np.abs(arr), 0.999))
    half_width = max(law_extent, min(sample_extent, 1e6 * max(law_extent, 1e-300)))
    if not half_width > 0:
        half_width = 1.0
    edges = np.linspace(-half_width, half_width, bins + 1)
    counts, _ = np.histogram(arr, bins=edges)
    if distribution == "normal":
        cdf = normal_cdf(edges / parameter) if parameter > 0 else (edges >= 0).astype(np.float64)
    else:
        cdf = uniform_cdf(parameter)(edges)
    p = np.clip(np.diff(cdf), 0.0, 1.0)
    expected = n * p
    z = normal_quantile(1.0 - alpha / (2 * bins))
    spread = z * np.sqrt(n * p * (1.0 - p))
    return {"what": what, "distribution": distribution, "parameter": float(parameter), "n": int(n),
            "bins": [float(e) for e in edges], "counts": [int(c) for c in counts],
            "expected": [float(e) for e in expected],
            "band_low": [float(v) for v in np.maximum(expected - spread, 0.0)],
            "band_high": [float(v) for v in expected + spread],
            "outside": int(n - counts.sum())}
