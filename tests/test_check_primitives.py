"""The check primitives (agreement, contract, gradient) on plain local callables."""
import numpy as np
import pytest

from autograder import reference
from autograder.checks import CheckFailed, SharedCalls
from autograder.checks.agreement import agrees, assert_agrees, find_disagreement, likely_mistake
from autograder.checks.contract import (
    assert_deterministic, assert_dtype, assert_finite, assert_no_fp_warnings, assert_no_global_rng,
    assert_no_mutation, assert_shape, local_call, returned_value, snapshot)
from autograder.checks.gradient import (
    KINK_MARGIN, THRESHOLD, TINY, assert_gradient, avoid_kinks, elementwise_derivative, relative_error,
    upstream_gradients)


class RecordingFeedback:
    def __init__(self):
        self.artifacts = []

    def attach(self, kind, **data):
        self.artifacts.append({"kind": kind, **data})


def naive_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# ---------------------------------------------------------------- agreement
def test_agreement_within_tolerance_passes():
    z = np.linspace(-3, 3, 7)
    assert_agrees(np.tanh(z) * (1 + 1e-12), np.tanh(z), rtol=1e-9, atol=0.0, what="tanh(z)")


def test_agreement_names_worst_element_input_and_likely_mistake():
    z = np.linspace(-3, 3, 7)
    expected = naive_sigmoid(z)
    got = expected.copy()
    got[1] = 0.9
    got[5] = 0.5
    with pytest.raises(CheckFailed) as err:
        assert_agrees(got, expected, rtol=1e-9, atol=1e-12, what="sigmoid(z)", inputs={"z": z},
                      mistakes={"never matches": lambda: np.zeros(7), "the seeded bug": got.copy()})
    message = str(err.value)
    assert "2 of 7" in message and "index [1]" in message and "z[1]=-2" in message
    assert "expected 0.119202922," in message and "got 0.9" in message
    assert "Likely mistake: the seeded bug." in message


def test_agreement_structure_problems():
    expected = (np.zeros(3), 1.0)
    cases = [
        (np.zeros(3), "expected a tuple of 2 values"),
        ((np.zeros(3),), "expected 2 values, got 1"),
        ((np.zeros(4), 1.0), "expected shape (3,), got shape (4,)"),
        ((np.zeros(3), np.zeros(1)), "expected a scalar, got shape (1,)"),
        ((np.zeros(3), None), "got None"),
        ((np.zeros(3), "1.0"), "expected a number"),
    ]
    for got, text in cases:
        found = find_disagreement(got, expected, rtol=0.0, atol=0.0)
        assert found is not None and text in found.reason, (got, found)


def test_agreement_dtype_and_nan_rules():
    assert find_disagreement(np.zeros(2, np.float32), np.zeros(2), rtol=0, atol=0, dtype=np.float64)
    assert find_disagreement(np.zeros(2), np.zeros(2), rtol=0, atol=0, dtype=np.float64) is None
    assert agrees(np.array([np.nan, 1.0]), np.array([np.nan, 1.0]), rtol=0, atol=0)
    assert not agrees(np.array([np.nan, 1.0]), np.array([0.0, 1.0]), rtol=1.0, atol=1.0)
    assert agrees(np.array([np.inf]), np.array([np.inf]), rtol=0, atol=0)


def test_likely_mistake_returns_first_matching_label_or_none():
    z = np.array([-1.0, 0.0, 2.0])
    mistakes = {"e^z instead of e^-z": lambda: 1 / (1 + np.exp(z)), "zeros": np.zeros(3)}
    assert likely_mistake(1 / (1 + np.exp(z)), mistakes, rtol=1e-9, atol=0) == "e^z instead of e^-z"
    assert likely_mistake(np.ones(3), mistakes, rtol=1e-9, atol=0) is None


# ---------------------------------------------------------------- contract
def test_mutation_is_detected_and_located():
    def relu_in_place(z):
        z[z < 0] = 0.0
        return z

    z = np.array([[1.0, -2.0], [-3.0, 4.0]])
    before = snapshot((z,))
    result = local_call(relu_in_place, z)
    with pytest.raises(CheckFailed, match=r"modified its input `z` in place: z\[1, 0\] was -3, is now 0"):
        assert_no_mutation(result, before, what="relu(z)", names=("z",))
    clean = np.array([1.0, -2.0])
    assert_no_mutation(local_call(np.maximum, clean, 0.0), snapshot((clean, 0.0)), what="relu(z)")


def test_fp_warnings_and_finiteness():
    z = np.array([-1000.0, 0.0, 1000.0])
    result = local_call(naive_sigmoid, z)
    assert result.fp_warnings == ["overflow"]
    with pytest.raises(CheckFailed, match="raised floating-point warnings on big z: overflow"):
        assert_no_fp_warnings(result, what="sigmoid(z)", inputs="big z")
    assert_no_fp_warnings(local_call(np.tanh, z), what="tanh(z)")
    with pytest.raises(CheckFailed, match="returned inf for z=1000"):
        assert_finite(local_call(np.exp, z).value, what="exp(z)", inputs={"z": z})


def test_global_rng_use_is_detected():
    with pytest.raises(CheckFailed, match="global np.random state"):
        assert_no_global_rng(local_call(lambda n: np.random.normal(size=n), 3), what="init")
    assert_no_global_rng(local_call(lambda n: np.random.default_rng(0).normal(size=n), 3), what="init")


def test_determinism():
    assert_deterministic(lambda: np.random.default_rng(1).random(3), what="f")
    with pytest.raises(CheckFailed, match="not deterministic"):
        assert_deterministic(lambda: np.random.default_rng().random(3), what="f")


def test_every_contract_check_fails_when_nothing_was_returned():
    result = local_call(lambda z: None, np.zeros(2))
    for check in (lambda: returned_value(result, what="f"),
                  lambda: assert_no_mutation(result, (np.zeros(2),), what="f"),
                  lambda: assert_no_global_rng(result, what="f"),
                  lambda: assert_no_fp_warnings(result, what="f"),
                  lambda: assert_finite(None, what="f"),
                  lambda: assert_shape(None, (2,), what="f"),
                  lambda: assert_dtype(None, np.float64, what="f"),
                  lambda: assert_deterministic(lambda: None, what="f")):
        with pytest.raises(CheckFailed, match="returned None"):
            check()


def test_shape_and_dtype():
    assert_shape(np.float64(1.0), (), what="f")
    assert_shape(np.zeros((2, 3)), (2, 3), what="f")
    with pytest.raises(CheckFailed, match=r"must return a scalar, got shape \(1,\)"):
        assert_shape(np.zeros(1), (), what="f")
    assert_dtype(0.5, np.float64, what="f")
    with pytest.raises(CheckFailed, match="a boolean mask"):
        assert_dtype(np.array([True]), np.float64, what="relu_grad")


# ---------------------------------------------------------------- gradient
def test_relative_error_formula():
    err = relative_error([1.0, 0.0, 1e-9, 2.0], [1.1, 0.0, 0.0, np.nan])
    assert err[0] == pytest.approx(0.1 / 1.1)
    assert err[1] == 0.0
    assert err[2] == pytest.approx(1e-9 / TINY)  # both near 0: compared on the TINY scale
    assert err[3] == np.inf


def test_avoid_kinks_keeps_every_point_a_margin_away():
    x = np.array([-3.0, -3.0004, 0.0, 2e-4, -1e-4, 0.5, 2.9995])
    moved = avoid_kinks(x, (-3.0, 0.0, 3.0))
    for kink in (-3.0, 0.0, 3.0):
        assert np.all(np.abs(moved - kink) >= KINK_MARGIN - 1e-15)
    assert moved[5] == 0.5 and moved[4] == -KINK_MARGIN and moved[3] == KINK_MARGIN
    assert moved[1] == -3.0 - KINK_MARGIN and moved[6] == 3.0 - KINK_MARGIN


def test_upstream_gradients_of_a_product_and_a_scalar_loss():
    rng = np.random.default_rng(0)
    x, y, dout = rng.normal(size=(2, 3)), rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    dx, dy = upstream_gradients(lambda a, b: a * b, (x, y), dout)
    np.testing.assert_allclose(dx, y * dout, rtol=1e-8)
    np.testing.assert_allclose(dy, x * dout, rtol=1e-8)
    (dq,) = upstream_gradients(lambda q: float(np.sum(q**2)), (0.7,), 0.5)
    assert dq.shape == () and dq == pytest.approx(0.7, rel=1e-8)


def test_assert_gradient_passes_correct_and_reports_wrong_with_artifact():
    z = avoid_kinks(np.linspace(-2, 2, 9), (0.0,))
    numeric = elementwise_derivative(np.tanh, z)
    assert_gradient(1 - np.tanh(z) ** 2, numeric, what="tanh_grad(z)", unit="tanh_grad")
    feedback = RecordingFeedback()
    with pytest.raises(CheckFailed) as err:
        assert_gradient(1 - np.tanh(z), numeric, what="tanh_grad(z)", unit="tanh_grad", inputs={"z": z},
                        feedback=feedback, mistakes={"missing square": lambda: 1 - np.tanh(z)})
    assert "disagree with the numerical gradient" in str(err.value)
    assert "Likely mistake: missing square." in str(err.value)
    (artifact,) = feedback.artifacts
    assert artifact["kind"] == "gradient_error" and artifact["unit"] == "tanh_grad"
    assert len(artifact["errors"]) == z.size and artifact["threshold"] == THRESHOLD
    with pytest.raises(CheckFailed, match="tuple of 2 gradient"):
        assert_gradient(np.zeros(3), (np.zeros(3), np.zeros(3)), what="g.backward", unit="AddGate")


def test_reference_activations_pass_with_a_wide_margin():
    """The margin behind THRESHOLD: every reference derivative, 20 seeds x 50 points in
    [-6, 6] (kinks avoided), default and non-default parameters, stays 100x below it."""
    act = reference.load("activations")
    kinks = {"relu": (0.0,), "leaky_relu": (0.0,), "elu": (0.0,), "celu": (0.0,), "selu": (0.0,),
             "hardswish": (-3.0, 3.0)}
    params = {"leaky_relu": {"slope": 0.2}, "elu": {"alpha": 0.5}, "celu": {"alpha": 2.0},
              "softplus": {"beta": 2.0}, "gelu": {"approximate": True}, "swish": {"beta": 2.5}}
    names = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "celu", "selu", "softplus", "gelu", "silu",
             "swish", "hardswish")
    worst = 0.0
    for seed in range(20):
        z = np.random.default_rng(seed).uniform(-6, 6, 50)
        for name in names:
            zz = avoid_kinks(z, kinks.get(name, ()))
            for kw in ({}, params.get(name, {})):
                numeric = elementwise_derivative(lambda v: getattr(act, name)(v, **kw), zz)
                worst = max(worst, relative_error(getattr(act, f"{name}_grad")(zz, **kw), numeric).max())
    assert worst < THRESHOLD / 100


def test_noise_floor_at_a_stationary_point():
    """GELU' vanishes near z = -0.7518: the TINY floor keeps central-difference noise small."""
    act = reference.load("activations")
    z = np.linspace(-0.76, -0.74, 201)
    err = relative_error(act.gelu_grad(z), elementwise_derivative(act.gelu, z))
    assert err.max() < THRESHOLD / 10


def test_shared_calls_run_each_call_once_and_keep_its_error():
    shared, calls = SharedCalls(), []

    def call(value):
        calls.append(value)
        if value == "boom":
            raise ValueError("the student's code failed")
        return value * 2

    assert shared("a", lambda: call(1)) == 2 and shared("a", lambda: call(99)) == 2
    for _ in range(2):
        with pytest.raises(ValueError, match="failed"):
            shared("b", lambda: call("boom"))
    assert shared("c", lambda: call(3)) == 6
    assert calls == [1, "boom", 3]


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_low_precision_results_are_diagnosed_as_such(dtype):
    """A float32/float16 result that misses the tolerance is named by its dtype when its rounding alone
    exceeds the check's tolerance (value checks; float16 in gradient checks); a float64 one is not, nor
    a float32 gradient (its rounding is within the gradient threshold: the formula is at fault)."""
    from autograder.checks.agreement import assert_agrees
    from autograder.checks.gradient import assert_gradient

    expected = np.linspace(0.1, 3.0, 7) / 3.0
    with pytest.raises(CheckFailed, match=f"the result is {np.dtype(dtype)}, not float64"):
        assert_agrees(expected.astype(dtype), expected, rtol=1e-9, atol=1e-12, what="f(z)")
    with pytest.raises(CheckFailed, match=f"the result is {np.dtype(dtype)}, not float64"):
        assert_agrees((expected.astype(dtype),), (expected,), rtol=1e-9, atol=1e-12, what="backward")
    with pytest.raises(CheckFailed) as gradient:
        assert_gradient(expected.astype(dtype) * 1.01, expected, what="f_grad(z)", unit="f_grad", threshold=1e-4)
    assert ("not float64" in str(gradient.value)) == (dtype is np.float16)
    with pytest.raises(CheckFailed) as plain:
        assert_agrees(expected + 1e-7, expected, rtol=1e-9, atol=1e-12, what="f(z)")
    assert "not float64" not in str(plain.value)
