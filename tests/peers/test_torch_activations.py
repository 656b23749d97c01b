"""Peer check: every reference activation and its derivative against PyTorch.

Values are compared with torch's float64 functions, derivatives with torch
autograd, at random points in [-6, 6] kept 1e-3 away from the kinks. Softplus
stays below torch's linear switch-over (beta*z < threshold = 20). The SPEC's
approximate GELU is z*sigmoid(1.702 z), not torch's tanh approximation, so it
is compared with that expression built from torch ops; swish likewise.

Measured with torch 2.13 / numpy 2.4 / scipy 1.17 (2000 points per case):
max abs error 1.8e-15 (values) and 1.6e-15 (derivatives); max rel error
<= 8.4e-14 except in cancelling tails: gelu / gelu_grad near z = -6, 2.7e-8 /
7.5e-10 (torch forms 1 + erf(z/sqrt 2); against mpmath ours is within 4e-15),
and tanh_grad near |z| = 6, 9.4e-12 (1 - a^2 on both sides). Hence the test
bound |ours - torch| <= 1e-15 + 1e-12 |torch|. CELU uses alpha = 0.5: for an
alpha with no exact float32 value (0.7) torch's CELU derivative is off by
~1e-7 relative (float32 arithmetic on 1/alpha), not a defect of ours.
"""
import numpy as np
import pytest

from solutions import activations

torch = pytest.importorskip("torch")
F = torch.nn.functional

RTOL = 1e-12
ATOL = 1e-15

# (name, keyword arguments, the torch equivalent, kinks to stay away from)
CASES = [
    ("sigmoid", {}, torch.sigmoid, ()),
    ("tanh", {}, torch.tanh, ()),
    ("relu", {}, F.relu, (0.0,)),
    ("leaky_relu", {"slope": 0.1}, lambda z: F.leaky_relu(z, negative_slope=0.1), (0.0,)),
    ("elu", {"alpha": 1.5}, lambda z: F.elu(z, alpha=1.5), (0.0,)),
    ("celu", {"alpha": 0.5}, lambda z: F.celu(z, alpha=0.5), (0.0,)),
    ("selu", {}, F.selu, (0.0,)),
    ("softplus", {"beta": 1.5}, lambda z: F.softplus(z, beta=1.5), ()),
    ("gelu", {}, lambda z: F.gelu(z, approximate="none"), ()),
    ("gelu", {"approximate": True}, lambda z: z * torch.sigmoid(1.702 * z), ()),
    ("silu", {}, F.silu, ()),
    ("swish", {"beta": 2.0}, lambda z: z * torch.sigmoid(2.0 * z), ()),
    ("hardswish", {}, F.hardswish, (-3.0, 3.0)),
]
CASE_IDS = [name + "".join(f"-{k}={v}" for k, v in kwargs.items()) for name, kwargs, _, _ in CASES]


def sample_points(kinks, n=2000, seed=0):
    z = np.random.default_rng(seed).uniform(-6.0, 6.0, size=n)
    for kink in kinks:
        z = z[np.abs(z - kink) > 1e-3]
    return z


def torch_value_and_grad(torch_fn, z):
    zt = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    out = torch_fn(zt)
    (grad,) = torch.autograd.grad(out.sum(), zt)
    return out.detach().numpy(), grad.numpy()


@pytest.mark.parametrize("name, kwargs, torch_fn, kinks", CASES, ids=CASE_IDS)
def test_activation_and_derivative_match_torch(name, kwargs, torch_fn, kinks):
    z = sample_points(kinks)
    expected_value, expected_grad = torch_value_and_grad(torch_fn, z)
    value = getattr(activations, name)(z, **kwargs)
    grad = getattr(activations, name + "_grad")(z, **kwargs)
    np.testing.assert_allclose(value, expected_value, rtol=RTOL, atol=ATOL, err_msg=f"{name} value")
    np.testing.assert_allclose(grad, expected_grad, rtol=RTOL, atol=ATOL, err_msg=f"{name} derivative")


# At a kink torch's autograd picks one side; our conventions (SPEC 1.2) agree with it.
KINK_CASES = [
    ("relu", {}, F.relu, 0.0),
    ("leaky_relu", {"slope": 0.1}, lambda z: F.leaky_relu(z, negative_slope=0.1), 0.0),
    ("elu", {"alpha": 1.5}, lambda z: F.elu(z, alpha=1.5), 0.0),
    ("celu", {"alpha": 0.5}, lambda z: F.celu(z, alpha=0.5), 0.0),
    ("selu", {}, F.selu, 0.0),
    ("hardswish", {}, F.hardswish, -3.0),
    ("hardswish", {}, F.hardswish, 3.0),
]


@pytest.mark.parametrize("name, kwargs, torch_fn, kink", KINK_CASES, ids=[f"{c[0]}@{c[3]}" for c in KINK_CASES])
def test_kink_convention_matches_torch_autograd(name, kwargs, torch_fn, kink):
    _, expected_grad = torch_value_and_grad(torch_fn, np.array([kink]))
    grad = getattr(activations, name + "_grad")(np.array([kink]), **kwargs)
    assert grad[0] == pytest.approx(expected_grad[0], rel=1e-15), (name, kink, grad[0], expected_grad[0])
