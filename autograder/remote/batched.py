"""Calls on the student's objects that read like plain calls and travel in one round trip.

A check writes what it means::

    with student.batch() as batch:
        gate = batch.SigmoidGate()
        out = gate.forward(x)
        grads = gate.backward(dout)
    out.value, grads.value

and the block sends, when it ends, one request per object made in it: the construction and then
its method calls in order (`StudentCode.construct`). Batching is a speed detail only: `.value`
returns what the call returned, or raises its error, or the error of an earlier call on the same
object that stopped the sequence -- exactly what making the calls one by one would have done.
"""
from __future__ import annotations


class Batch:
    """The objects made in one `with student.batch()` block; each is sent when the block ends."""

    def __init__(self, student):
        self._student = student
        self._made: list[Construction] = []

    def __getattr__(self, cls: str):
        return _positional_only(cls, "construction", lambda args: self._make(cls, args))

    def _make(self, cls: str, args: tuple) -> "PendingObject":
        construction = Construction(cls, args)
        self._made.append(construction)
        return PendingObject(construction)

    def __enter__(self) -> "Batch":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            for construction in self._made:
                construction.send(self._student)


class Construction:
    """One object the block makes and the calls made on it, in order; what they gave once sent."""

    def __init__(self, cls: str, args: tuple):
        self.cls, self.args = cls, args
        self.calls: list[tuple[str, tuple]] = []
        self._constructed = None

    def record(self, method: str, args: tuple) -> int:
        """Add a call; its index among the object's calls."""
        self.calls.append((method, args))
        return len(self.calls) - 1

    def send(self, student) -> None:
        self._constructed = student.construct(self.cls, self.args, self.calls)

    def outcomes(self):
        """What `StudentCode.construct` gave (a `Constructed`); an error before the block ended."""
        if self._constructed is None:
            raise RuntimeError(f"`{self.cls}` is read before its `with student.batch()` block ended")
        return self._constructed


class PendingObject:
    """An object the block will make; calling a method records the call and returns its `Pending` result.
    Its only attribute of its own is `remote`: every other name is a method of the student's object."""

    def __init__(self, construction: Construction):
        self._construction = construction

    def __getattr__(self, method: str):
        construction = self._construction
        return _positional_only(method, "call",
                                lambda args: Pending(construction, construction.record(method, args)))

    @property
    def remote(self):
        """The student's object itself (a `RemoteObject`), once the block has ended."""
        return self._construction.outcomes().obj


def _positional_only(name: str, what: str, record):
    """The stand-in for attribute `name` of the block's objects: a callable that passes its
    positional arguments to `record` (a batched `what` carries positional arguments only)."""
    if name.startswith("_"):
        raise AttributeError(name)

    def call(*args, **kwargs):
        if kwargs:
            raise TypeError(f"a batched {what} takes positional arguments only")
        return record(args)
    return call


class Pending:
    """The result of one batched call: `.value` once the block has ended."""

    def __init__(self, construction: Construction, index: int):
        self._construction, self._index = construction, index

    @property
    def value(self):
        """What the call returned; raises its error (or that of an earlier call that stopped the sequence)."""
        return self._construction.outcomes().result(self._index)
