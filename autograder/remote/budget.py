"""The trusted side's deadlines: one per call, one for the whole submission, and the functions a
timeout has poisoned.

Deadlines are kept here, on the grader's side of the channel (the worker's own timers could be
defeated): every read and write on the channel gives up at the deadline (`DeadlineStream`), and
the supervisor then kills the worker. A function that timed out is poisoned: its later calls fail
at once with the same message instead of costing another full deadline each.
"""
from __future__ import annotations

import socket
import time

from autograder.remote.errors import StudentTimeout
from autograder.sandbox import Limits


class DeadlineStream:
    """A channel (socket or the portable worker's pipes) whose every read and write respects one
    absolute `deadline` (time.monotonic); past it they raise `TimeoutError`."""

    def __init__(self, sock: socket.socket):
        self.sock, self.deadline = sock, None

    def _arm(self):
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        self.sock.settimeout(remaining)

    def recv_into(self, buffer, n):
        self._arm()
        return self.sock.recv_into(buffer, n)

    def sendall(self, data):
        self._arm()
        self.sock.sendall(data)

    def close(self):
        self.sock.close()


class CallBudget:
    """Deadlines of one submission: `limits.call_seconds` per call (or the call's own timeout),
    `limits.submission_seconds` for all its calls together from its launch, and
    `limits.import_seconds` for its import."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.call_seconds = limits.call_seconds  # of the call in progress
        self._end: float | None = None
        self._poisoned: dict[str, str] = {}

    def start(self) -> None:
        """The submission's time starts (at its first launch; restarts after faults do not reset it)."""
        if self._end is None:
            self._end = time.monotonic() + self.limits.submission_seconds

    def import_deadline(self) -> float:
        return min(time.monotonic() + self.limits.import_seconds, self._end)

    def refuse_poisoned(self, *keys: str) -> None:
        """Raise the timeout of the first of `keys` (functions, classes, methods) a timeout poisoned."""
        for key in keys:
            if key in self._poisoned:
                raise StudentTimeout(self._poisoned[key])

    def call_deadline(self, timeout: float | None = None) -> float:
        """The deadline of a call starting now; raises when the submission's budget is used up."""
        now = time.monotonic()
        if now >= self._end:
            raise StudentTimeout(f"skipped: the submission used up its time budget of "
                                 f"{self.limits.submission_seconds:g} s")
        self.call_seconds = timeout or self.limits.call_seconds
        return min(now + self.call_seconds, self._end)

    def timed_out(self, outer_key: str, *keys: str) -> StudentTimeout:
        """The error of a call of `outer_key` that ran past its deadline while `keys` were running; a
        timeout of the call's own deadline (not the submission's) poisons `outer_key` and `keys`."""
        if time.monotonic() >= self._end:
            return StudentTimeout(f"`{outer_key}` was stopped: the submission used up its time "
                                  f"budget of {self.limits.submission_seconds:g} s")
        text = (f"`{outer_key}` did not return within {self.call_seconds:g} s "
                "(infinite loop?); its other checks are skipped")
        for key in (outer_key, *keys):
            self._poisoned[key] = text
        return StudentTimeout(text)

    def poison(self, text: str, *keys: str) -> None:
        """Make later calls of `keys` fail with `text`, where no earlier timeout poisoned them."""
        for key in keys:
            self._poisoned.setdefault(key, text)
