"""Peer check: the reference initializers against `torch.nn.init`.

Torch stores a weight as (fan_out, fan_in), we return (fan_in, fan_out); the
shapes below are non-square so that a swapped fan shows. Torch's exact std or
bound is read off its own sampler: with the same generator seed,
`init_(t) / t.normal_(0, 1)` (or `/ (2 t.uniform_(0, 1) - 1)`) is constant and
equals the std (bound) torch used. Ours is checked on a 300 x 700 sample
(N = 210000): sample std within 5 standard errors (normal: SE = std/sqrt(2N),
uniform: SE = std sqrt(0.2/N)), and for U(-b, b) every |w| <= b with
max |w| >= b (1 - 20/N) (probability of a false failure e^-20).
"""
import math

import numpy as np
import pytest

from solutions import initializers

torch = pytest.importorskip("torch")

FAN_IN, FAN_OUT = 300, 700
N = FAN_IN * FAN_OUT


def torch_scale(init_, standard_draw, **kwargs):
    """The std (normal) or bound (uniform) torch's init_ uses for a (FAN_OUT, FAN_IN) weight."""
    weight = torch.empty(FAN_OUT, FAN_IN, dtype=torch.float64)
    init_(weight, generator=torch.Generator().manual_seed(0), **kwargs)
    standard = standard_draw(torch.empty(FAN_OUT, FAN_IN, dtype=torch.float64), torch.Generator().manual_seed(0))
    ratio = (weight / standard).numpy()
    away_from_zero = np.abs(standard.numpy()) > 0.1
    scale = float(np.median(ratio[away_from_zero]))
    np.testing.assert_allclose(ratio[away_from_zero], scale, rtol=1e-12)  # torch's draw = scale * standard draw
    return scale


def standard_normal(t, gen):
    return t.normal_(0.0, 1.0, generator=gen)


def symmetric_unit_uniform(t, gen):
    return 2.0 * t.uniform_(0.0, 1.0, generator=gen) - 1.0


NORMAL_CASES = {
    "xavier_normal": (
        lambda rng: initializers.xavier_normal(FAN_IN, FAN_OUT, rng, gain=1.5),
        lambda: torch_scale(torch.nn.init.xavier_normal_, standard_normal, gain=1.5),
    ),
    "kaiming_normal-fan_in": (
        lambda rng: initializers.kaiming_normal(FAN_IN, FAN_OUT, rng, mode="fan_in"),
        lambda: torch_scale(torch.nn.init.kaiming_normal_, standard_normal, mode="fan_in", nonlinearity="relu"),
    ),
    "kaiming_normal-fan_out": (
        lambda rng: initializers.kaiming_normal(FAN_IN, FAN_OUT, rng, mode="fan_out"),
        lambda: torch_scale(torch.nn.init.kaiming_normal_, standard_normal, mode="fan_out", nonlinearity="relu"),
    ),
}

UNIFORM_CASES = {
    "xavier_uniform": (
        lambda rng: initializers.xavier_uniform(FAN_IN, FAN_OUT, rng, gain=1.5),
        lambda: torch_scale(torch.nn.init.xavier_uniform_, symmetric_unit_uniform, gain=1.5),
    ),
    "kaiming_uniform-fan_in": (
        lambda rng: initializers.kaiming_uniform(FAN_IN, FAN_OUT, rng, mode="fan_in"),
        lambda: torch_scale(torch.nn.init.kaiming_uniform_, symmetric_unit_uniform, mode="fan_in", nonlinearity="relu"),
    ),
    "kaiming_uniform-fan_out": (
        lambda rng: initializers.kaiming_uniform(FAN_IN, FAN_OUT, rng, mode="fan_out"),
        lambda: torch_scale(
            torch.nn.init.kaiming_uniform_, symmetric_unit_uniform, mode="fan_out", nonlinearity="relu"
        ),
    ),
}


@pytest.mark.parametrize("name", list(NORMAL_CASES))
def test_normal_initializer_std_matches_torch(name):
    ours, theirs = NORMAL_CASES[name]
    weights = ours(np.random.default_rng(1))
    std = theirs()
    standard_error = std / math.sqrt(2 * N)
    assert weights.shape == (FAN_IN, FAN_OUT) and weights.dtype == np.float64
    assert abs(weights.std() - std) <= 5 * standard_error, (name, weights.std(), std)
    assert abs(weights.mean()) <= 5 * std / math.sqrt(N), (name, weights.mean())


@pytest.mark.parametrize("name", list(UNIFORM_CASES))
def test_uniform_initializer_bound_matches_torch(name):
    ours, theirs = UNIFORM_CASES[name]
    weights = ours(np.random.default_rng(1))
    bound = theirs()
    std = bound / math.sqrt(3)
    assert weights.shape == (FAN_IN, FAN_OUT) and weights.dtype == np.float64
    assert np.abs(weights).max() <= bound, (name, np.abs(weights).max(), bound)
    assert np.abs(weights).max() >= bound * (1 - 20 / N), (name, np.abs(weights).max(), bound)
    assert abs(weights.std() - std) <= 5 * std * math.sqrt(0.2 / N), (name, weights.std(), std)


@pytest.mark.parametrize(
    "nonlinearity, slope",
    [("linear", 0.01), ("relu", 0.01), ("leaky_relu", 0.01), ("leaky_relu", 0.2)],
)
def test_gain_matches_torch_where_the_lecture_table_agrees(nonlinearity, slope):
    expected = torch.nn.init.calculate_gain(nonlinearity, slope if nonlinearity == "leaky_relu" else None)
    assert initializers.gain(nonlinearity, slope=slope) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("nonlinearity, ours_per_spec, torch_value", [("sigmoid", 4.0, 1.0), ("tanh", 1.0, 5 / 3)])
def test_gain_departures_from_torch_are_the_documented_ones(nonlinearity, ours_per_spec, torch_value):
    """SPEC 1.3 keeps the lecture table (sigmoid 4, tanh 1); torch uses 1 and 5/3 (docs/conventions.md)."""
    assert initializers.gain(nonlinearity) == ours_per_spec
    assert torch.nn.init.calculate_gain(nonlinearity) == pytest.approx(torch_value, rel=1e-15)
