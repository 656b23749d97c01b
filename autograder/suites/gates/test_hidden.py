"""Hidden checks of `gates`: the rules the visible checks show, on other inputs -- SigmoidGate's
stability for |x| up to 1e3 (the visible one is SoftmaxCrossEntropyGate's) and that
`sigmoid_neuron` is wired from gates (the visible contract checks are the gates')."""
import pytest

from autograder.checks import CheckFailed
from autograder.checks.agreement import fmt
from autograder.suites.gates.calls import GateCounter
from autograder.suites.gates.cases import SIGMOID_NEURON_EXAMPLE, SIGMOID_EXTREME
from autograder.suites.gates.stability import check_stable

pytestmark = pytest.mark.hidden

SIGMOID_ADVICE = ("Compute e = exp(-|x|) and pick 1/(1 + e) for x >= 0, e/(1 + e) for x < 0 (the "
                  "SigmoidGate docstring); note that np.where evaluates both branches on every element.")


# Deliberately parallel to test_visible.test_softmax_stable: the same rule (check_stable) on another gate.
@pytest.mark.points(1)
@pytest.mark.kind("contract")
@pytest.mark.unit("SigmoidGate")
def test_sigmoid_gate_stable(student):
    """SigmoidGate is finite, warning-free and correct for |x| up to 1e3"""
    check_stable(student, "SigmoidGate", SIGMOID_EXTREME, advice=SIGMOID_ADVICE)


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
            f"(the sigmoid_neuron docstring: no autograd, no hand-derived closed form): {forwards} gate forward and {backwards} "
            "gate backward call(s) were seen. Build the graph from MultiplyGate/AddGate/SigmoidGate, "
            "run forward through it, then backward from df = 1.")
