"""How the `gates` checks call the student's gates and read what comes back.

`as_gradients` is the one reader of `backward`'s value (every return form the handout allows);
`method_call` a method call with the contract facts; `GateCounter` the reference gates a
composed unit is isolated with, counting their calls.
"""
from __future__ import annotations

from autograder.suites.gates.cases import GATES, reference


def as_gradients(value, n_inputs: int):
    """`backward`'s value as a tuple of gradients, in every form the handout allows: a tuple or a
    list (a 1-element one for a one-input gate), or, for a one-input gate, the bare gradient (an
    array, a NumPy or a Python scalar). Every check reads backward's value through this function
    only, so a form is accepted by all of them or by none. Anything else is returned unchanged,
    for the caller to diagnose (a wrong number of gradients, None, ...)."""
    if isinstance(value, (tuple, list)):
        return tuple(value)
    if n_inputs == 1 and value is not None:
        return (value,)
    return value


def method_call(obj, method: str, *args):
    """`obj.method(*args)` on a student's object, as a CallResult with the contract facts."""
    return obj.call(method, *args, details=True)


class GateCounter:
    """Reference gates that count their forward/backward calls (dependency isolation that
    also shows whether a function is wired from gates)."""

    def __init__(self):
        self.calls: dict[str, int] = {}

    def isolation(self) -> dict:
        return {name: self._counted(name) for name in GATES}

    def _counted(self, name: str):
        calls = self.calls

        class Counted(getattr(reference, name)):
            def forward(self, *inputs):
                calls[f"{name}.forward"] = calls.get(f"{name}.forward", 0) + 1
                return super().forward(*inputs)

            def backward(self, *dout):
                calls[f"{name}.backward"] = calls.get(f"{name}.backward", 0) + 1
                return super().backward(*dout)

        Counted.__name__ = Counted.__qualname__ = name
        return Counted
