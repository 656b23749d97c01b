"""The optimizers' contract: what step returns, what it may touch, and state kept per instance."""
from __future__ import annotations

import numpy as np

from autograder.checks import CheckFailed
from autograder.checks.contract import assert_dtype, assert_earlier_inputs_unchanged, assert_no_mutation, assert_shape, snapshot
from autograder.remote import StudentException
from autograder.suites.optimizers.cases import CONTRACT_SEED, STREAM_SHAPE, gradient_stream, reference_iterates
from autograder.suites.optimizers.mistakes import SHARED_STATE
from autograder.suites.optimizers.state import raise_with_shared_state_diagnosis
from autograder.suites.optimizers.steps import first_mismatch, validate_outputs

CONTRACT_CALLS = 4
ARGUMENT_NAMES = ("w", "g")


def step_details(opt, w, g):
    """``opt.step(w, g)`` with the contract facts of the call (a `CallResult`)."""
    return opt.call("step", w, g, details=True)


def check_contract(student, name: str) -> None:
    """The handout's contract: step returns a new float64 array, modifies neither w nor g (during the
    call or any later one: no caller's array kept as state), and two instances keep separate state."""
    what = f"{name}().step(w, g)"
    grads = gradient_stream(CONTRACT_SEED)[1]
    ws = reference_iterates(name, {}, CONTRACT_SEED)
    opt = getattr(student, name)()
    sent = []
    for k in range(CONTRACT_CALLS):  # the first call creates the state, the later ones use it
        args = (ws[k], grads[k])
        before = snapshot(args)
        try:
            result = step_details(opt, *args)
        except StudentException as exc:
            raise_with_shared_state_diagnosis(student, name, f"{what} (call {k + 1})", exc)
        call_what = f"{what} (call {k + 1})"
        assert_no_mutation(result, before, what=call_what, names=ARGUMENT_NAMES)
        if result.returned_input is not None:
            arg = ARGUMENT_NAMES[result.returned_input]
            raise CheckFailed(f"{call_what} returned its input `{arg}` itself: step returns the updated "
                              "parameters as a NEW array (e.g. `return w - update`).")
        assert_shape(result.value, STREAM_SHAPE, what=what)
        assert_dtype(result.value, np.float64, what=what)
        assert_earlier_inputs_unchanged(result, sent, what=call_what, names=ARGUMENT_NAMES)
        sent.append(before)
    # Two instances in turn, compared with a third that ran alone: A runs steps 1-10, B runs
    # 1-20, A continues with 11-20. Shared state (class attributes, mutable default
    # arguments) makes A or B differ from the lone run; correctness is graded elsewhere.
    half = 10
    inputs = [(ws[k], grads[k]) for k in range(2 * half)]
    try:
        alone = getattr(student, name)().map("step", inputs)
        first, second = getattr(student, name)(), getattr(student, name)()
        a_head = first.map("step", inputs[:half])
        b_all = second.map("step", inputs)
        a_tail = first.map("step", inputs[half:])
    except StudentException as exc:
        raise_with_shared_state_diagnosis(student, name, f"{name}().step", exc)
    for outputs in (alone, b_all, a_head + a_tail):
        validate_outputs(outputs, f"{name}()")
    for label, outputs in (("a second instance", b_all),
                           ("the first instance, after the second one ran", a_head + a_tail)):
        k = first_mismatch(outputs, alone, ws)
        if k is not None:
            raise CheckFailed(
                f"{name}(): stepping two objects in turn, {label} differs at step t={k + 1} from an instance "
                f"that ran alone on the same inputs. Likely mistake: {SHARED_STATE}.")
