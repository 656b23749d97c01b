"""Known mistakes: what a typical wrong implementation of a unit returns, and what to tell its author.

A suite keeps all of its known mistakes in one module (`suites/<name>/mistakes.py`) as
`KnownMistake` objects. A check evaluates them on the trusted side, on the very inputs it gave
the student, and names the first one whose output agrees with the student's
(`agreement.likely_mistake`). Declaring them as data rather than as code inside a check keeps the
diagnosis in one place, lets the validity corpus assert that every mistake is named, and lets the
student kit record their outputs without shipping how they are computed.

    KnownMistake("sigmoid used e^z", output=lambda: 1 / (1 + np.exp(z)),
                 message="used e^z instead of e^-z")
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class KnownMistake:
    """One known mistake bound to one input.

    `label` names the mistake (stable, for tests and reports), `output` is a zero-argument
    callable giving what the mistaken unit returns on the check's input (or that value itself),
    and `message` is the sentence the student reads after "Likely mistake:" (the label when omitted).
    """

    label: str
    output: Callable[[], Any] | Any
    message: str = ""

    @property
    def feedback(self) -> str:
        return self.message or self.label


def as_known_mistakes(mistakes: Iterable[KnownMistake] | Mapping[str, Any] | None) -> list[KnownMistake]:
    """`mistakes` as a list of `KnownMistake`; a mapping reads as label -> output (its message is its label)."""
    if mistakes is None:
        return []
    if isinstance(mistakes, Mapping):
        return [KnownMistake(label, output) for label, output in mistakes.items()]
    return list(mistakes)
