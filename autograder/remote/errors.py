"""What can go wrong in a call of the student's code, and what a detailed call reports.

Every way the student's code can fail to produce a value is a `StudentFault`, whose message is
shown to the student as the reason a check failed; anything else a check raises is the grader's
own error. `CallResult` holds a detailed call's value and the contract facts the worker observed
(`wire/facts.py`), validated here because they come from the untrusted side.
"""
from __future__ import annotations

from dataclasses import dataclass, field


class StudentFault(Exception):
    """The student's code did not produce a value; the message says why."""


class StudentException(StudentFault):
    """The student's code raised."""

    def __init__(self, error: dict):
        self.type_name = str(error.get("type", "Exception"))
        self.message = str(error.get("message", ""))
        self.where = str(error.get("where", ""))
        self.lineno = error.get("lineno") if isinstance(error.get("lineno"), int) else None
        self.traceback = str(error.get("traceback", ""))
        text = f"{self.type_name}: {self.message}" if self.message else self.type_name
        if self.type_name == "NotImplementedError":
            text = "not implemented yet (raises NotImplementedError)"
        super().__init__(f"{text} ({self.where})" if self.where else text)


class StudentTimeout(StudentFault):
    """A call (or the whole submission) ran past its deadline."""


class StudentCrash(StudentFault):
    """The worker died during a call (segfault, os._exit, memory or CPU limit, ...)."""


class ProtocolViolation(StudentFault):
    """The worker sent something that is not plain data."""


class StudentValueError(StudentFault, TypeError):
    """The student's code returned an object (a handle) where a check needs data (an array, a number)."""


class SubmissionImportError(StudentFault):
    """The submission cannot be imported; every check fails with this message."""


@dataclass
class CallResult:
    """A call's value and the contract facts the worker observed during it."""

    value: object
    args_after: list = field(default_factory=list)
    kwargs_after: dict = field(default_factory=dict)
    fp_warnings: list = field(default_factory=list)
    global_rng_used: bool = False
    seconds: float = 0.0
    # Of an object's method only (facts.watch): inputs and results of the object's earlier detailed
    # calls that this call changed in place, as (call index from 0, argument index or -1 for the
    # result, value now); and the index of the argument the call returned itself (or None).
    earlier_changed: list = field(default_factory=list)
    returned_input: int | None = None

    @classmethod
    def from_report(cls, value, args, kwargs, meta: dict, seconds: float) -> "CallResult":
        """The result of a call of `args` and `kwargs` from the worker's report `meta` (validated:
        a malformed report is a `ProtocolViolation`)."""
        return cls(value=value, args_after=_inputs_after(args, meta.get("args_changed", [])),
                   kwargs_after=_kwargs_after(kwargs, meta.get("kwargs_changed", {})),
                   fp_warnings=[str(w) for w in meta.get("fp_warnings", [])],
                   global_rng_used=meta.get("global_rng_used") is True, seconds=seconds,
                   earlier_changed=_earlier_changed(meta.get("earlier_changed", [])),
                   returned_input=_returned_input(meta.get("returned_input"), len(args)))


def _inputs_after(args, changed) -> list:
    """The call's positional inputs as the worker saw them afterwards: ours where it reports no change."""
    after = list(args)
    if type(changed) is not list:
        raise ProtocolViolation("malformed report of changed inputs")
    for entry in changed:
        if type(entry) is not list or len(entry) != 2 or type(entry[0]) is not int or not 0 <= entry[0] < len(after):
            raise ProtocolViolation("malformed report of changed inputs")
        after[entry[0]] = entry[1]
    return after


def _kwargs_after(kwargs, changed) -> dict:
    """The call's keyword inputs as the worker saw them afterwards: ours where it reports no change."""
    if type(changed) is not dict or not set(changed) <= set(kwargs):
        raise ProtocolViolation("malformed report of changed inputs")
    return {**kwargs, **changed}


def _earlier_changed(changed) -> list:
    """The worker's report of earlier inputs and results a call changed (facts.watch), validated."""
    if type(changed) is not list or not all(
            type(e) is list and len(e) == 3 and type(e[0]) is int and e[0] >= 0 and type(e[1]) is int
            and e[1] >= -1 for e in changed):
        raise ProtocolViolation("malformed report of changed earlier inputs")
    return [tuple(e) for e in changed]


def _returned_input(index, n_args) -> int | None:
    if index is not None and not (type(index) is int and 0 <= index < n_args):
        raise ProtocolViolation("malformed report of a returned input")
    return index
