"""Visible checks of `gates` (the handout: the module's and each gate's docstring): forward values,
backward by the upstream-gradient numerical check, tie and kink conventions, Python-float inputs,
the contract (inputs kept, float64 gradients, one per input), stable softmax at 1e3, the loss
gates' default dout, `sigmoid_neuron`."""
import numpy as np
import pytest

from autograder.checks import CheckFailed, SharedCalls
from autograder.checks.agreement import agrees, assert_agrees, assert_same_structure, find_disagreement, fmt
from autograder.checks.contract import (
    assert_dtype, assert_no_mutation, assert_shape, returned_value, snapshot)
from autograder.checks.gradient import assert_gradient, upstream_gradients
from autograder.suites import each_unit
from autograder.suites.gates.cases import (
    ATOL, CASES, GATES, LOSS_GATES, MAX_TIES, RELU_AT_ZERO, RTOL, SCALAR_CASES, SIGMOID_NEURON_EXAMPLE,
    SIGMOID_NEURON_RANDOM, SOFTMAX_EXTREME, numerical_gradients, ref_backward, ref_forward, reference)
from autograder.suites.gates.calls import GateCounter, as_gradients, method_call
from autograder.suites.gates.mistakes import (
    backward_mistakes, forward_mistakes, max_tie_mistakes, neuron_gradient_mistakes, neuron_value_mistakes,
    relu_at_zero_mistakes, shared_state_mistakes)
from autograder.suites.gates.stability import check_stable

SOFTMAX_ADVICE = ("Subtract each row's maximum score before exponentiating (the SoftmaxCrossEntropyGate "
                  "docstring): softmax and log-softmax do not change, and every exponent is then <= 0.")

MATMUL_HINT = ("Each gradient has its input's shape: dW = np.outer(dout, x) for 1-D x "
               "(dout @ x.T for 2-D x), dx = W.T @ dout.")


def _call_text(gate, case, method):
    """E.g. `ScaleGate(2.5).forward(x)`, `SquaredL2Gate(target).forward(q)`."""
    ctor = "target" if gate in LOSS_GATES else ", ".join(map(repr, case.ctor))
    return f"{gate}({ctor}).{method}({', '.join(case.names(gate))})"


@pytest.mark.points(2)
@pytest.mark.kind("agreement")
@each_unit("gate", GATES)
def test_forward(student, gate):
    """forward returns the gate's value"""
    for case in CASES[gate]:
        with student.batch() as b:
            out = getattr(b, gate)(*case.ctor).forward(*case.inputs)
        assert_agrees(out.value, ref_forward(gate, case), rtol=RTOL, atol=ATOL,
                      what=_call_text(gate, case, "forward"), inputs=dict(zip(case.names(gate), case.inputs)),
                      mistakes=forward_mistakes(gate, case))


@pytest.mark.points(3)
@pytest.mark.kind("gradient")
@each_unit("gate", GATES)
def test_backward(student, feedback, gate):
    """backward(dout) matches central differences of sum(dout * forward)"""
    first_case_gradients = None
    for index, case in enumerate(CASES[gate]):
        with student.batch() as b:
            g = getattr(b, gate)(*case.ctor)
            g.forward(*case.inputs)
            grads = g.backward(case.dout)
        got = as_gradients(grads.value, len(case.inputs))
        first_case_gradients = got if index == 0 else first_case_gradients
        names = tuple("d_o" if n == "o" else f"d{n}" for n in case.names(gate))
        assert_gradient(got, numerical_gradients(gate, index),
                        what=_call_text(gate, case, "forward") + ", then backward(dout)", unit=gate,
                        names=names, inputs={"dout": case.dout, **dict(zip(case.names(gate), case.inputs))},
                        feedback=feedback, mistakes=backward_mistakes(gate, case),
                        hint=MATMUL_HINT if gate == "MatMulGate" else "")
    assert_instances_independent(student, gate, first_case_gradients)


def assert_instances_independent(student, gate: str, alone) -> None:
    """Two instances of `gate` used as a graph uses them -- both forward, then backward in reverse:
    ``g1.forward(a); g2.forward(b); g1.backward(dout)`` -- give g1 the gradients the student's own gate
    gives alone (`alone`, from CASES[gate][0]; compared with the student's own, so a wrong formula is
    graded by the numerical check only). State kept on the class (`cache = {}` in the class body, then
    `self.cache["x"] = x`; `MultiplyGate.x = x`) is shared by every instance, so g2's forward overwrites
    what g1's backward needs: sigmoid_neuron's two MultiplyGates then return each other's gradients.
    The second instance gets the same inputs flipped (same shapes, no new ties, kinks or zeros)."""
    case = CASES[gate][0]
    n = len(case.inputs)
    other = tuple(np.flip(np.asarray(x, dtype=np.float64)) for x in case.inputs)
    first = getattr(student, gate)(*case.ctor)
    first.forward(*case.inputs)
    second = getattr(student, gate)(*case.ctor)
    second.forward(*other)
    got = as_gradients(first.backward(case.dout), n)
    if agrees(got, alone, rtol=RTOL, atol=ATOL):
        return
    with student.batch() as b:
        g = getattr(b, gate)(*case.ctor)
        g.forward(*other)
        second_alone = g.backward(case.dout)
    shared = agrees(got, as_gradients(second_alone.value, n), rtol=RTOL, atol=ATOL)
    assert_agrees(got, alone, rtol=RTOL, atol=ATOL,
                  what=f"{_call_text(gate, case, 'forward')}, then a second {gate}'s forward on other inputs, "
                       "then the first one's backward(dout) (compared with your own gate's backward alone)",
                  inputs={"dout": case.dout, **dict(zip(case.names(gate), case.inputs))},
                  mistakes=shared_state_mistakes(got, shared),
                  hint="Each gate instance keeps its own cache: a graph holds several instances of one gate "
                       "(sigmoid_neuron's two MultiplyGates) and runs every forward before any backward.")


@pytest.mark.points(1)
@pytest.mark.kind("agreement")
@pytest.mark.unit("MaxGate")
def test_max_gate_ties(student):
    """MaxGate routes dout to x on ties (x == y)"""
    case, x, y = MAX_TIES, *MAX_TIES.inputs
    with student.batch() as b:
        g = b.MaxGate()
        g.forward(x, y)
        grads = g.backward(case.dout)
    # Routing copies dout or writes 0: exact agreement (rtol = atol = 0).
    assert_agrees(as_gradients(grads.value, 2), ref_backward("MaxGate", case), rtol=0.0, atol=0.0,
                  what="MaxGate().forward(x, y), then backward(dout)", inputs={"x": x, "y": y, "dout": case.dout},
                  mistakes=max_tie_mistakes(x, y, case.dout),
                  hint="The MaxGate docstring: on ties (x == y) all of dout goes to x.")


@pytest.mark.points(1)
@pytest.mark.kind("agreement")
@pytest.mark.unit("ReLUGate")
def test_relu_gate_at_zero(student):
    """ReLUGate's derivative at 0 is 0"""
    case, (x,) = RELU_AT_ZERO, RELU_AT_ZERO.inputs
    with student.batch() as b:
        g = b.ReLUGate()
        g.forward(x)
        grads = g.backward(case.dout)
    assert_agrees(as_gradients(grads.value, 1), ref_backward("ReLUGate", case), rtol=0.0, atol=0.0,
                  what="ReLUGate().forward(x), then backward(dout)", inputs={"x": x, "dout": case.dout},
                  mistakes=relu_at_zero_mistakes(x, case.dout),
                  hint="The ReLUGate docstring: no gradient passes where x == 0.")


def _neuron_result(got):
    """(f, dw, dx), with a list of numbers for dw or dx read as the array it spells: np.shape of
    `[dw0, dw1, dw2]` is (3,), the shape the docstring asks for."""
    if not (isinstance(got, (tuple, list)) and len(got) == 3):
        raise CheckFailed(f"sigmoid_neuron(w, x) must return the tuple (f, dw, dx), got {fmt(got)}.")
    return (got[0], *(_numbers_as_array(g) for g in got[1:]))


def _numbers_as_array(value):
    if isinstance(value, (list, tuple)) and value and all(
            isinstance(v, (int, float, np.number)) or (isinstance(v, np.ndarray) and v.ndim == 0 and v.dtype.kind in "iuf")
            for v in value):
        return np.array([np.asarray(v, dtype=np.float64)[()] for v in value])
    return value


NEURON_INPUTS = [SIGMOID_NEURON_EXAMPLE, *SIGMOID_NEURON_RANDOM]
NEURON_EXAMPLE_TEXT = "The handout's example: f = 0.7311, dw = [-0.1966, -0.3932, 0.1966], dx = [0.3932, -0.5898]."


class NeuronCalls:
    """`sigmoid_neuron(w, x)` on each of `NEURON_INPUTS` (with reference gates), called once per
    submission: the value and gradient checks grade the same calls."""

    def __init__(self, student):
        self._student, self._shared = student, SharedCalls()

    def __call__(self, index: int):
        w, x = NEURON_INPUTS[index]
        return _neuron_result(self._shared(index, lambda: self._student.call(
            "sigmoid_neuron", w, x, isolate=GateCounter().isolation())))


@pytest.fixture(scope="session")
def neuron_calls(student):
    return NeuronCalls(student)


@pytest.mark.points(2)
@pytest.mark.kind("agreement")
@pytest.mark.unit("sigmoid_neuron")
def test_sigmoid_neuron_value(neuron_calls):
    """sigmoid_neuron's f = sigma(w0 x0 + w1 x1 + w2) (the slides' example and random inputs)"""
    for index, (w, x) in enumerate(NEURON_INPUTS):
        got = neuron_calls(index)
        assert_agrees(got[0], reference.sigmoid_neuron(w, x)[0], rtol=RTOL, atol=ATOL,
                      what="f of sigmoid_neuron(w, x) -> (f, dw, dx)", inputs={"w": w, "x": x},
                      mistakes=neuron_value_mistakes(w, x), hint=NEURON_EXAMPLE_TEXT)


@pytest.mark.points(2)
@pytest.mark.kind("gradient")
@pytest.mark.unit("sigmoid_neuron")
def test_sigmoid_neuron_gradient(neuron_calls, feedback):
    """sigmoid_neuron's dw, dx match central differences of f (the slides' example and random inputs)"""
    for index, (w, x) in enumerate(NEURON_INPUTS):
        got = neuron_calls(index)
        numeric = upstream_gradients(lambda w_, x_: reference.sigmoid_neuron(w_, x_)[0], (w, x), 1.0)
        assert_gradient(tuple(got[1:]), numeric, what="sigmoid_neuron(w, x) -> (f, dw, dx)",
                        unit="sigmoid_neuron", names=("dw", "dx"), inputs={"w": w, "x": x},
                        feedback=feedback, mistakes=neuron_gradient_mistakes(w, x), hint=NEURON_EXAMPLE_TEXT)


@pytest.mark.points(1)
@pytest.mark.kind("agreement")
@each_unit("gate", SCALAR_CASES)
def test_scalar_inputs(student, gate):
    """Python floats in: scalar value and gradients, as for 1-element arrays"""
    case = SCALAR_CASES[gate]
    names = case.names(gate)
    n = len(case.inputs)
    # Forward values come from forward-only calls: the worker sends values back after the last call,
    # and a backward may reuse its own gate's output buffer (`self.out *= ...`), which the handout allows.
    with student.batch() as b:
        g = getattr(b, gate)(*case.ctor)
        g.forward(*case.inputs)
        backward = g.backward(case.dout)
        forward = getattr(b, gate)(*case.ctor).forward(*case.inputs)
    out = forward.value
    assert_shape(out, (), what=f"{gate}.forward on Python floats")
    grads = as_gradients(backward.value, n)
    assert_same_structure(grads, (0.0,) * n, what=f"{gate}.backward after forward on floats",
                          hint="Each gradient has its input's shape: a scalar for a Python float input "
                               "(the module docstring: inputs may be NumPy arrays or Python floats).")
    # The same computation on 1-element arrays, by the student's own gate: a wrong formula is
    # graded by test_forward/test_backward, this check only asks that floats work like arrays.
    wrap = lambda v: np.array([v], dtype=np.float64)  # noqa: E731
    array_ctor = [wrap(c) if gate in LOSS_GATES else c for c in case.ctor]
    array_inputs = tuple(map(wrap, case.inputs))
    with student.batch() as b:
        g = getattr(b, gate)(*array_ctor)
        g.forward(*array_inputs)
        array_backward = g.backward(case.dout if gate in LOSS_GATES else wrap(case.dout))
        array_forward = getattr(b, gate)(*array_ctor).forward(*array_inputs)
    array_out = array_forward.value
    array_grads = as_gradients(array_backward.value, n)
    shown = dict(zip(names, case.inputs))
    one_element = np.zeros(1)
    assert_same_structure(array_out, 0.0 if gate in LOSS_GATES else one_element,
                          what=f"{gate}.forward on 1-element arrays", inputs=shown)
    assert_same_structure(array_grads, (one_element,) * n, what=f"{gate}.backward on 1-element arrays",
                          inputs=shown, hint="Each gradient has its input's shape.")
    assert_agrees(out, np.reshape(array_out, ()), rtol=RTOL, atol=ATOL,
                  what=f"{gate}.forward on Python floats (vs. on 1-element arrays)", inputs=shown)
    assert_agrees(grads, tuple(np.reshape(g, ()) for g in array_grads), rtol=RTOL, atol=ATOL,
                  what=f"{gate}.backward({case.dout}) on Python floats (vs. on 1-element arrays)", inputs=shown)


def assert_forward_inputs_kept(backward, forward_inputs, *, gate: str, names) -> None:
    """Fail when `backward` changed in place an array that `forward` was given (the worker reports
    what an object's later call changed of its earlier calls' arguments): a gate that caches the
    caller's `x` by reference (`self.x = x`) and then works on it in place in backward
    (`self.x *= dout`, `self.x[self.x <= 0] = 0`) changes the caller's array one call later. Its own
    forward output is the gate's to reuse: the handout forbids changing arguments only."""
    for _call, where, now in getattr(backward, "earlier_changed", None) or ():
        if where < 0 or where >= len(forward_inputs):
            continue
        name = names[where] if where < len(names) else f"input {where + 1}"
        d = find_disagreement(now, forward_inputs[where], rtol=0.0, atol=0.0)
        at = (f": {name}{list(d.index)} was {fmt(d.expected)}, is now {fmt(d.got)}"
              if d is not None and d.index is not None else "")
        raise CheckFailed(
            f"{gate}.backward changed in place the input `{name}` that forward was given{at}. The gate kept "
            f"the caller's array (e.g. `self.{name} = {name}`) and backward then changed it (`self.{name} *= ...`, "
            f"`self.{name}[mask] = 0`): the module docstring's rule, forward and backward never change their "
            f"arguments. Cache a copy (`self.{name} = np.array({name}, dtype=float)`) or compute into new arrays.")


@pytest.mark.points(1)
@pytest.mark.kind("contract")
@each_unit("gate", GATES)
def test_gate_contract(student, gate):
    """forward/backward keep their inputs; backward returns float64 gradients, one per input"""
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
    value = as_gradients(returned_value(backward, what=f"{gate}.backward"), len(case.inputs))
    assert_no_mutation(backward, dout_before, what=f"{gate}.backward", names=("dout",))
    assert_forward_inputs_kept(backward, before, gate=gate, names=names)
    if not isinstance(value, tuple) or len(value) != len(case.inputs):
        raise CheckFailed(f"{gate}.backward must return {len(case.inputs)} gradient(s), one per forward input "
                          f"({', '.join(names)}), as a tuple or a list (the module docstring); got "
                          f"{type(value).__name__}{f' of length {len(value)}' if isinstance(value, tuple) else ''}.")
    # Shapes and values are graded by test_backward; here the form of the result.
    for name, grad in zip(names, value):
        assert_dtype(grad, np.float64, what=f"{gate}.backward: d{name}")


@pytest.mark.points(2)
@pytest.mark.kind("contract")
@pytest.mark.unit("SoftmaxCrossEntropyGate")
def test_softmax_stable(student):
    """SoftmaxCrossEntropyGate is finite, warning-free and correct for scores of magnitude 1e3"""
    check_stable(student, "SoftmaxCrossEntropyGate", SOFTMAX_EXTREME, advice=SOFTMAX_ADVICE)


@pytest.mark.points(1)
@pytest.mark.kind("agreement")
@each_unit("gate", LOSS_GATES)
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
                  hint=f"The {gate} docstring: def backward(self, dout=1.0) for the loss gates.")
