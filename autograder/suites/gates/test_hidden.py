"""Hidden checks of `gates` (SPEC §1.1): Python-float inputs, the tuple and
no-mutation contract, stable softmax at 1e3, the loss gates' default dout,
random `sigmoid_neuron` inputs, and that `sigmoid_neuron` is wired from gates."""
import numpy as np
import pytest

from autograder.checks import CheckFailed
from autograder.checks.agreement import agrees, assert_agrees, assert_same_structure, fmt
from autograder.checks.contract import (
    assert_dtype, assert_finite, assert_no_fp_warnings, assert_no_mutation, assert_shape, returned_value,
    snapshot)
from autograder.suites.gates.cases import (
    ATOL, CASES, GATES, LOSS_GATES, RTOL, SCALAR_CASES, SIGMOID_NEURON_EXAMPLE,
    SOFTMAX_EXTREME, GateCounter, as_gradients, gate_cases, method_call, ref_backward, ref_forward)

pytestmark = pytest.mark.hidden

SOFTMAX_ADVICE = ("Subtract each row's maximum score before exponentiating: softmax and log-softmax "
                  "do not change, and every exponent is then <= 0.")


@pytest.mark.points(1)
@pytest.mark.kind("agreement")
@pytest.mark.parametrize("gate", gate_cases(SCALAR_CASES))
def test_scalar_inputs(student, gate):
    """Python floats in: scalar value and gradients, as for 1-element arrays"""
    case = SCALAR_CASES[gate]
    names = case.names(gate)
    n = len(case.inputs)
    made = student.construct(gate, case.ctor, [("forward", case.inputs), ("backward", (case.dout,))])
    out = made.result(0)
    assert_shape(out, (), what=f"{gate}.forward on Python floats")
    grads = as_gradients(made.result(1), n)
    assert_same_structure(grads, (0.0,) * n, what=f"{gate}.backward after forward on floats",
                          hint="Each gradient has its input's shape: a scalar for a Python float input.")
    # The same computation on 1-element arrays, by the student's own gate: a wrong formula is
    # graded by test_forward/test_backward, this check only asks that floats work like arrays.
    wrap = lambda v: np.array([v], dtype=np.float64)  # noqa: E731
    array_made = student.construct(gate, [wrap(c) if gate in LOSS_GATES else c for c in case.ctor],
                                   [("forward", tuple(map(wrap, case.inputs))),
                                    ("backward", (case.dout if gate in LOSS_GATES else wrap(case.dout),))])
    array_out = array_made.result(0)
    array_grads = as_gradients(array_made.result(1), n)
    shown = dict(zip(names, case.inputs))
    assert_agrees(out, np.reshape(array_out, ()), rtol=RTOL, atol=ATOL,
                  what=f"{gate}.forward on Python floats (vs. on 1-element arrays)", inputs=shown)
    assert_agrees(grads, tuple(np.reshape(g, ()) for g in array_grads), rtol=RTOL, atol=ATOL,
                  what=f"{gate}.backward({case.dout}) on Python floats (vs. on 1-element arrays)", inputs=shown)


@pytest.mark.points(1)
@pytest.mark.kind("contract")
@pytest.mark.parametrize("gate", gate_cases(GATES))
def test_gate_contract(student, gate):
    """forward/backward keep their inputs; backward returns a tuple of float64 gradients, one per input"""
    case = CASES[gate][0]
    names = case.names(gate)
    obj = getattr(student, gate)(*case.ctor)
    before = snapshot(case.inputs)
    forward = method_call(obj, "forward", *case.inputs)
    out = returned_value(forward, what=f"{gate}.forward")
    assert_no_mutation(forward, before, what=f"{gate}.forward", names=names)
    assert_dtype(out, np.float64, what=f"{gate}.forward")
    dout_before = snapshot((case.dout,))
    backward = method_call(obj, "backward", case.dout)
    value = returned_value(backward, what=f"{gate}.backward")
    assert_no_mutation(backward, dout_before, what=f"{gate}.backward", names=("dout",))
    if len(case.inputs) == 1 and not isinstance(value, tuple):
        value = (value,)  # SPEC: a one-input gate may return a bare array
    if not isinstance(value, tuple) or len(value) != len(case.inputs):
        raise CheckFailed(f"{gate}.backward must return a tuple of {len(case.inputs)} gradient(s), one per "
                          f"forward input ({', '.join(names)}); got {type(value).__name__}"
                          f"{f' of length {len(value)}' if isinstance(value, (tuple, list)) else ''}.")
    # Shapes and values are graded by test_backward; here the form of the result.
    for name, grad in zip(names, value):
        assert_dtype(grad, np.float64, what=f"{gate}.backward: d{name}")


@pytest.mark.points(2)
@pytest.mark.kind("contract")
@pytest.mark.unit("SoftmaxCrossEntropyGate")
def test_softmax_stable(student):
    """SoftmaxCrossEntropyGate is finite and warning-free for scores of magnitude 1e3"""
    case = SOFTMAX_EXTREME
    (o,) = case.inputs
    obj = student.SoftmaxCrossEntropyGate(*case.ctor)
    what = "SoftmaxCrossEntropyGate(target).forward(o)"
    forward = method_call(obj, "forward", o)
    assert_no_fp_warnings(forward, what=what, inputs="scores of magnitude 1e3", advice=SOFTMAX_ADVICE)
    assert_finite(forward.value, what=what, inputs={"o": o})
    backward = method_call(obj, "backward", case.dout)
    grads = as_gradients(returned_value(backward, what="backward"), 1)
    assert_no_fp_warnings(backward, what="SoftmaxCrossEntropyGate.backward", inputs="scores of magnitude 1e3",
                          advice=SOFTMAX_ADVICE)
    assert_finite(grads, what="SoftmaxCrossEntropyGate.backward", inputs={"o": o})
    # Values at 1e3 count only when the gate is right at moderate scores (graded by
    # test_forward / test_backward), so a wrong formula costs its points once.
    moderate = CASES["SoftmaxCrossEntropyGate"][0]
    check = student.SoftmaxCrossEntropyGate(*moderate.ctor)
    if agrees(check.forward(*moderate.inputs), ref_forward("SoftmaxCrossEntropyGate", moderate),
              rtol=RTOL, atol=ATOL):
        assert_agrees(forward.value, ref_forward("SoftmaxCrossEntropyGate", case), rtol=RTOL, atol=ATOL,
                      what=what, inputs={"o": o}, hint=SOFTMAX_ADVICE)
    if agrees(as_gradients(check.backward(moderate.dout), 1), ref_backward("SoftmaxCrossEntropyGate", moderate),
              rtol=RTOL, atol=ATOL):
        assert_agrees(grads, ref_backward("SoftmaxCrossEntropyGate", case), rtol=RTOL, atol=ATOL,
                      what="SoftmaxCrossEntropyGate.backward(1.0)", inputs={"o": o})


@pytest.mark.points(1)
@pytest.mark.kind("agreement")
@pytest.mark.parametrize("gate", gate_cases(LOSS_GATES))
def test_loss_default_dout(student, gate):
    """Loss gate's backward() defaults to dout = 1.0"""
    case = CASES[gate][0]
    gradients = []
    for args in ((), (1.0,)):
        obj = getattr(student, gate)(*case.ctor)
        obj.forward(*case.inputs)
        gradients.append(as_gradients(obj.backward(*args), 1))
    # Compared with the student's own backward(1.0): a wrong gradient is graded by test_backward.
    assert_agrees(gradients[0], gradients[1], rtol=0.0, atol=0.0, what=f"{gate}.backward() vs backward(1.0)",
                  hint="SPEC: def backward(self, dout=1.0) for the loss gates.")


@pytest.mark.points(2)
@pytest.mark.kind("contract")
@pytest.mark.unit("sigmoid_neuron")
def test_sigmoid_neuron_uses_gates(student):
    """sigmoid_neuron is wired from the gates (forward, then backward)"""
    w, x = SIGMOID_NEURON_EXAMPLE
    counter = GateCounter()
    got = student.call("sigmoid_neuron", w, x, isolate=counter.isolation())
    if not (isinstance(got, (tuple, list)) and len(got) == 3):
        raise CheckFailed(f"sigmoid_neuron(w, x) must return the tuple (f, dw, dx), got {fmt(got)}.")
    forwards = sum(n for k, n in counter.calls.items() if k.endswith(".forward"))
    backwards = sum(n for k, n in counter.calls.items() if k.endswith(".backward"))
    if forwards == 0 or backwards == 0:
        raise CheckFailed(
            f"sigmoid_neuron must compute f and its gradients with the gates of this module "
            f"(SPEC: no autograd, no hand-derived closed form): {forwards} gate forward and {backwards} "
            "gate backward call(s) were seen. Build the graph from MultiplyGate/AddGate/SigmoidGate, "
            "run forward through it, then backward from df = 1.")
