"""The statistical and convergence check primitives: calibration, power and messages.

Calibration is tested with a large alpha (so that failures are frequent enough to
count): over many seeds a correct sampler must fail at most at rate alpha (binomial
upper bound), while the usual mistakes fail every time.
"""
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import special, stats

from autograder import reference
from autograder.checks import CheckFailed
from autograder.checks import statistics as st
from autograder.checks.convergence import QUADRATIC, ROSENBROCK, SADDLE, check_converges, run_optimizer
from autograder.suites.initializers import cases, distribution

SHAPE = (30, 70)
# the graded shapes, whose chi2 quantiles are committed (quantiles.json)
GRADED, GRADED_T = cases.VISIBLE_SHAPE, cases.HIDDEN_SHAPE
FAN_IN, FAN_OUT = GRADED


def failure_rate(check, draws: int) -> float:
    failures = 0
    for seed in range(draws):
        try:
            check(np.random.default_rng(seed))
        except CheckFailed:
            failures += 1
    return failures / draws


def binomial_ceiling(p: float, draws: int) -> float:
    """Largest failure rate compatible with true rate p (one-sided 1e-6 binomial quantile)."""
    return stats.binom.isf(1e-6, draws, p) / draws


SCIPY_QUANTILES = {"chi2.ppf": stats.chi2.ppf, "chi2.isf": stats.chi2.isf, "t.isf": stats.t.isf}
GRADED_LOOKUPS = st.quantile_lookups([math.prod(cases.VISIBLE_SHAPE), math.prod(cases.HIDDEN_SHAPE), math.prod(cases.THIN_SHAPE)],
                                     seeds=len(cases.NETWORK_CALIBRATION_SEEDS), layers=cases.NETWORK_LAYERS)


@pytest.fixture
def scipy_quantiles(monkeypatch):
    """chi2 and t quantiles at any (p, df), for tests at their own alpha and n (grading looks
    up the committed ones of the graded pairs)."""
    monkeypatch.setattr(st, "chi2_ppf", lambda p, df: float(stats.chi2.ppf(p, df)))
    monkeypatch.setattr(st, "chi2_isf", lambda p, df: float(stats.chi2.isf(p, df)))
    monkeypatch.setattr(st, "t_isf", lambda p, df: float(stats.t.isf(p, df)))


def test_tolerances_match_their_definitions():
    n, a = math.prod(GRADED), st.ALPHA / st.NORMAL_TESTS  # a graded pair: its chi2 quantiles are committed
    assert st.normal_mean_tolerance(2.0, n, a) == pytest.approx(stats.norm.isf(a / 2) * 2 / math.sqrt(n), rel=1e-14)
    lo, hi = st.chi2_mean_square_interval(3.0, n, a)
    assert stats.chi2.cdf(lo / 3 * n, n) == pytest.approx(a / 2, rel=1e-6)
    assert stats.chi2.sf(hi / 3 * n, n) == pytest.approx(a / 2, rel=1e-6)
    # P(max|w| < lb) = (lb/b)^n for U(-b, b)
    assert (st.uniform_max_lower_bound(0.5, n, a) / 0.5) ** n == pytest.approx(a, rel=1e-6)
    lo, hi = st.uniform_mean_square_interval(1.0, n, a)
    assert 2 * math.exp(-2 * n * (hi - 1 / 3) ** 2) == pytest.approx(a, rel=1e-9)
    a = st.ALPHA / (2 * cases.NETWORK_LAYERS)
    half = st.prediction_halfwidth(1.0, 40, a)
    assert half == pytest.approx(stats.t.isf(a / 2, 39) * math.sqrt(1 + 1 / 40), rel=1e-12)


def test_committed_quantiles_are_scipys_at_the_graded_pairs():
    """quantiles.json holds exactly the quantiles grading looks up, as scipy.stats computes them."""
    committed = json.loads(st.QUANTILES_FILE.read_text())
    assert sorted(committed) == sorted(st.quantile_key(*lookup) for lookup in GRADED_LOOKUPS)
    for function, p, df in GRADED_LOOKUPS:
        expected = SCIPY_QUANTILES[function](p, df)
        assert committed[st.quantile_key(function, p, df)] == pytest.approx(expected, rel=1e-12, abs=0)


def test_a_missing_quantile_is_a_grader_error_naming_the_script():
    with pytest.raises(LookupError, match=r"chi2\.ppf\(0\.125, 7\).*make_reference_stats"):
        st.chi2_ppf(0.125, 7)


def test_normal_cdf_and_quantile_match_scipy():
    rng = np.random.default_rng(6)
    z = np.concatenate([np.linspace(-40, 40, 400_001), rng.normal(0, 3, 200_000), [0.0, -0.0, 1e-300, 8.9999, 9.0001]])
    assert np.max(np.abs(st.normal_cdf(z) - special.ndtr(z))) <= 1e-15  # absolute: what KS compares
    for p in (1e-300, 1e-20, st.ALPHA / 6, 1e-3, 0.1, 0.3, 0.5 - 1e-12, 0.7, 1 - 1e-9):
        assert st.normal_quantile(p) == pytest.approx(special.ndtri(p), rel=1e-14, abs=1e-300)


def test_kolmogorov_sf_matches_scipy():
    for x in np.linspace(0, 10, 20_001):
        assert abs(st.kolmogorov_sf(x) - special.kolmogorov(x)) <= 1e-14, x
    for x in np.linspace(1, 6, 501):  # the tail the checks compare with alpha: relative agreement
        assert st.kolmogorov_sf(x) == pytest.approx(special.kolmogorov(x), rel=1e-13), x
    assert st.kolmogorov_sf(-1.0) == 1.0


def sorted_ks_statistic(sample, cdf):
    """D by the textbook formula over the fully sorted sample."""
    u = np.sort(cdf(np.ravel(sample)))
    n = u.size
    return max(float(np.max(np.arange(1, n + 1) / n - u)), float(np.max(u - np.arange(n) / n)))


@pytest.mark.parametrize("sample, cdf", [
    (np.random.default_rng(7).normal(0, 0.05, (300, 700)), lambda x: st.normal_cdf(x / 0.05)),
    (np.random.default_rng(8).normal(0, 0.0505, (700, 300)), lambda x: st.normal_cdf(x / 0.05)),
    (np.random.default_rng(9).uniform(-1, 1, (300, 700)), st.uniform_cdf(1.0)),
    (np.random.default_rng(10).normal(0, 0.3, (300, 700)), st.uniform_cdf(0.3 * math.sqrt(3))),
    (np.random.default_rng(11).uniform(-3, 3, 50_000), st.uniform_cdf(1.0)),  # masses at u = 0 and 1
    (np.round(np.random.default_rng(12).normal(0, 1, 20_000), 1), st.normal_cdf),  # ties
    (np.full(1000, 0.25), st.uniform_cdf(1.0)),
    (np.array([0.3]), st.uniform_cdf(1.0)),
    (np.random.default_rng(13).normal(0, 1, 7), st.normal_cdf),
])
def test_ks_test_statistic_is_the_sorted_formulas_exactly(sample, cdf):
    assert st.ks_test(sample, cdf)[0] == sorted_ks_statistic(sample, cdf)


def test_ks_test_matches_scipy():
    rng = np.random.default_rng(4)
    for sample in (rng.normal(0, 1, 5000), rng.normal(0.02, 1.03, 5000), rng.uniform(-2, 2, 5000)):
        expected = stats.kstest(sample, stats.norm.cdf, method="asymp")
        assert st.ks_test(sample, stats.norm.cdf) == pytest.approx((expected.statistic, expected.pvalue), rel=1e-12)


def test_grading_imports_no_scipy():
    """scipy's import costs ~0.4 s per grading process: the checks and the suite must run without it."""
    code = """if True:
        import sys
        import numpy as np
        from autograder.checks import statistics as st
        from autograder.suites.initializers import cases, test_hidden, test_visible
        rng = np.random.default_rng(0)
        st.check_normal_sample(rng.normal(0, 0.1, cases.HIDDEN_SHAPE), cases.HIDDEN_SHAPE, 0.1, what="w")
        st.check_uniform_sample(rng.uniform(-2, 2, cases.VISIBLE_SHAPE), cases.VISIBLE_SHAPE, 2.0, what="w")
        for data in cases.reference_statistics().values():
            st.check_layer_statistics(data["grading_run"], data["runs"], what="network")
        print(sorted(m for m in sys.modules if m == "scipy" or m.startswith("scipy.")))
    """
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    assert run.stdout.strip() == "[]"


@pytest.mark.parametrize("alpha", [0.3, 0.05])
def test_normal_check_false_fails_at_most_alpha(alpha, scipy_quantiles):
    sigma = 0.2
    rate = failure_rate(lambda rng: st.check_normal_sample(rng.normal(0, sigma, SHAPE), SHAPE, sigma,
                                                           what="w", alpha=alpha), 400)
    assert rate <= binomial_ceiling(alpha, 400)


@pytest.mark.parametrize("alpha", [0.3, 0.05])
def test_uniform_check_false_fails_at_most_alpha(alpha):
    bound = 0.3
    rate = failure_rate(lambda rng: st.check_uniform_sample(rng.uniform(-bound, bound, SHAPE), SHAPE, bound,
                                                            what="w", alpha=alpha), 400)
    assert rate <= binomial_ceiling(alpha, 400)


def test_correct_samples_pass_at_the_grading_alpha():
    rng = np.random.default_rng(5)
    summary = st.check_normal_sample(rng.normal(0, 0.1, GRADED), GRADED, 0.1, what="w")
    assert summary["n"] == 33_600 and summary["ks_pvalue"] > 1e-6
    summary = st.check_uniform_sample(rng.uniform(-2, 2, GRADED_T), GRADED_T, 2.0, what="w")
    assert 2.0 * (1 - 1e-4) < summary["max_abs"] <= 2.0


@pytest.mark.parametrize("wrong, message", [
    (lambda rng: rng.normal(0, 1 / math.sqrt(FAN_OUT), GRADED), "Likely mistake: fan_out"),
    (lambda rng: rng.normal(0.03, 1 / math.sqrt(FAN_IN), GRADED), "not centred"),
    (lambda rng: rng.uniform(-0.1, 0.1, GRADED) * math.sqrt(3) / math.sqrt(FAN_IN) / 0.1,
     "not normally distributed"),
    (lambda rng: rng.normal(0, 1 / math.sqrt(FAN_IN), GRADED_T), "shape (120, 280)"),
])
def test_normal_check_catches_and_names_mistakes(wrong, message):
    sigma = 1 / math.sqrt(FAN_IN)
    with pytest.raises(CheckFailed, match=re.escape(message)):
        st.check_normal_sample(wrong(np.random.default_rng(1)), GRADED, sigma, what="lecun_normal",
                               mistakes={"fan_out instead of fan_in": 1 / math.sqrt(FAN_OUT)})


@pytest.mark.parametrize("wrong, message", [
    (lambda rng, b: rng.uniform(-b / math.sqrt(2), b / math.sqrt(2), GRADED), "Likely mistake: sqrt(3/n)"),
    (lambda rng, b: rng.normal(0, b / math.sqrt(3), GRADED), "normal sampler"),
    (lambda rng, b: rng.uniform(0, b, GRADED), "not [0, b]"),
    (lambda rng, b: b * np.sign(rng.uniform(-1, 1, GRADED)) * np.sqrt(rng.uniform(0, 1, GRADED)),
     "variance"),
])
def test_uniform_check_catches_and_names_mistakes(wrong, message):
    b = math.sqrt(6 / FAN_IN)
    with pytest.raises(CheckFailed, match=re.escape(message)):
        st.check_uniform_sample(wrong(np.random.default_rng(2), b), GRADED, b, what="kaiming_uniform",
                                mistakes={"sqrt(3/n)": math.sqrt(3 / FAN_IN)})


def test_layer_statistics_histograms_count_every_sampled_value_clipped_into_range():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((50, 20))
    weights = [rng.standard_normal((20, 20)) * 0.5 for _ in range(3)]
    got = st.layer_statistics(x, weights, np.tanh, (-0.5, 0.5), bins=10)
    assert [sum(h) for h in got["hist"]] == [50 * 20 // st.HIST_STRIDE] * 3  # every value of the sample
    assert len(got["bins"]) == 11 and len(got["mean"]) == len(got["std"]) == 3


def test_layer_statistics_memo_gives_the_statistics_of_a_fresh_run_and_skips_known_layers():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((40, 16))
    first = [rng.standard_normal((16, 16)) * 0.3 for _ in range(4)]
    branch = first[:2] + [rng.standard_normal((16, 16)) * 0.3 for _ in range(2)]  # same first two layers
    calls = []

    def counted_tanh(z):
        calls.append(1)
        return np.tanh(z)

    memo = {}
    for weights in (first, first, branch, [w.copy() for w in first]):
        fresh = st.layer_statistics(x, weights, np.tanh, (-1.0, 1.0), bins=8)
        calls.clear()
        assert st.layer_statistics(x, weights, counted_tanh, (-1.0, 1.0), bins=8, memo=memo) == fresh
    assert len(calls) == 0  # equal bytes in other arrays: all four layers from the memo
    calls.clear()
    st.layer_statistics(x, branch, counted_tanh, (-1.0, 1.0), bins=8, memo={})
    assert len(calls) == 4
    assert len(memo) == 6  # four layers of `first`, two of `branch` after the shared ones
    assert st.layer_statistics(x, [w.astype(np.float32) for w in first], np.tanh, (-1.0, 1.0), bins=8,
                               memo=memo) == st.layer_statistics(x, [w.astype(np.float32) for w in first],
                                                                 np.tanh, (-1.0, 1.0), bins=8)
    assert len(memo) == 10  # float32 weights of the same values are other bytes: other keys


class FixedDraws:
    """A student stand-in whose initializers return the given arrays in turn."""

    def __init__(self, *arrays):
        self.arrays = list(arrays)

    def rng(self, seed):
        return None

    def call(self, name, *args, **params):
        return self.arrays.pop(0)


def test_distribution_verdicts_are_remembered_by_sample_bytes(monkeypatch):
    tested = []
    monkeypatch.setattr(distribution, "check_normal_sample",
                        lambda *args, **kwargs: tested.append(1) or st.check_normal_sample(*args, **kwargs))
    shape = cases.VISIBLE_SHAPE
    good = np.random.default_rng(5).standard_normal(shape) / math.sqrt(shape[0])
    wrong = good * math.sqrt(2)  # He's variance for LeCun
    student = FixedDraws(good, good.copy(), wrong, wrong.copy(), wrong.astype(np.float32), good)
    remembered = {}
    distribution.check_distribution(student, "lecun_normal", shape, 0, remembered=remembered)
    distribution.check_distribution(student, "lecun_normal", shape, 0, remembered=remembered)
    assert len(tested) == 1
    messages = []
    for _ in range(3):
        with pytest.raises(CheckFailed, match="He's variance") as failure:
            distribution.check_distribution(student, "lecun_normal", shape, 0, remembered=remembered)
        messages.append(str(failure.value))
    assert messages[0] == messages[1] == messages[2] and len(tested) == 3  # float32 bytes: tested again
    distribution.check_distribution(student, "lecun_normal", shape, 0)  # nothing remembered: tested
    assert len(tested) == 4


def test_committed_reference_statistics_match_the_reference_solution():
    """reference_stats.json is what make_reference_stats.py gives for the current solution."""
    data = json.loads(cases.STATS_FILE.read_text())
    assert sorted(data) == sorted(f"{i}/{a}" for i, a in cases.NETWORKS)
    solutions = reference.load("initializers")
    name, activation = cases.NETWORKS[0]
    run = distribution.network_statistics(getattr(solutions, name), activation, cases.NETWORK_GRADING_SEED)
    stored = data[f"{name}/{activation}"]
    # The file was written with one BLAS thread; another thread count sums the float32 products
    # in another order, which moves the stds by ~1e-8 and a few of a layer's 500,000 values
    # across a histogram bin edge.
    assert np.allclose(run["std"], stored["grading_run"]["std"], rtol=1e-6)
    moved = np.abs(np.subtract(run["hist"], stored["grading_run"]["hist"])).sum(axis=1)
    assert moved.max() <= 50, moved
    assert len(stored["runs"]["std"]) == len(cases.NETWORK_CALIBRATION_SEEDS)


@pytest.mark.parametrize("network", [f"{i}/{a}" for i, a in cases.NETWORKS])
def test_layer_check_accepts_the_reference_and_rejects_scaled_weights(network):
    data = cases.reference_statistics()[network]
    st.check_layer_statistics(data["grading_run"], data["runs"], what=network)
    for factor, trend in ((0.9, "too small"), (1.1, "too large")):
        scaled = dict(data["grading_run"], std=[s * factor for s in data["grading_run"]["std"]])
        with pytest.raises(CheckFailed, match=trend):
            st.check_layer_statistics(scaled, data["runs"], what=network)


def test_layer_summary_is_close_to_normal_across_seeds():
    """The prediction intervals assume normality of log(std) and mean/std across seeds."""
    for network, data in cases.reference_statistics().items():
        means, stds = np.array(data["runs"]["mean"]), np.array(data["runs"]["std"])
        for values in (np.log(stds), means / stds):
            pvalues = [stats.shapiro(values[:, layer]).pvalue for layer in range(values.shape[1])]
            # 20 Shapiro-Wilk tests per network: Bonferroni at 1e-3 overall
            assert min(pvalues) > 1e-3 / 20, network


@pytest.mark.parametrize("function", [QUADRATIC, ROSENBROCK, SADDLE], ids=lambda f: f.name)
def test_objective_gradients_and_minima(function):
    rng = np.random.default_rng(3)
    h = 1e-6
    for x in rng.uniform(-1.5, 1.5, (5, 2)):
        numeric = [(function.f(x + h * e) - function.f(x - h * e)) / (2 * h) for e in np.eye(2)]
        assert np.allclose(function.grad(x), numeric, rtol=1e-6, atol=1e-5)
    for minimum in function.minima:
        assert np.allclose(function.grad(np.array(minimum)), 0.0)
        assert function.distance_to_minimum(np.array(minimum)) == 0.0


def test_convergence_check_passes_a_converging_run_and_names_a_diverging_one():
    good = run_optimizer(lambda x, g: x - 0.015 * g, QUADRATIC, (1.0, 1.0), 2000)
    check_converges(good, QUADRATIC, 1e-6, what="GD")
    diverging = run_optimizer(lambda x, g: x - 0.03 * g, QUADRATIC, (1.0, 1.0), 2000)
    assert "diverged" in diverging.error
    with pytest.raises(CheckFailed, match="diverged"):
        check_converges(diverging, QUADRATIC, 1e-6, what="GD")
    slow = run_optimizer(lambda x, g: x - 1e-4 * g, QUADRATIC, (1.0, 1.0), 50)
    with pytest.raises(CheckFailed, match="away from the minimizer"):
        check_converges(slow, QUADRATIC, 1e-3, what="GD", reference=good)
    broken = run_optimizer(lambda x, g: None, QUADRATIC, (1.0, 1.0), 5)
    with pytest.raises(CheckFailed, match="step 1 returned NoneType"):
        check_converges(broken, QUADRATIC, 1e-3, what="GD")


@pytest.mark.parametrize("law", ["normal", "uniform"])
def test_weight_histogram_band_holds_correct_samples_and_not_wrong_ones(law):
    """A correct sampler's counts stay in the figure's band in every bin; a 1.3x too wide one leaves it."""
    for seed in range(5):
        rng = np.random.default_rng(seed)
        draw = (lambda s: rng.normal(0.0, s, GRADED)) if law == "normal" else (lambda s: rng.uniform(-s, s, GRADED))
        for scale, inside in ((0.2, True), (0.26, False)):
            data = st.weight_histogram(draw(scale), distribution=law, parameter=0.2)
            counts, low, high = (np.array(data[k]) for k in ("counts", "band_low", "band_high"))
            assert (((low <= counts) & (counts <= high)).all()) == inside
            assert sum(data["counts"]) + data["outside"] == data["n"] == math.prod(GRADED)
