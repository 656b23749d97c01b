"""Check primitives: small functions over plain callables that raise `CheckFailed`.

A primitive never knows whether the callable it checks is the student's remote
function or a local one; the suites in `autograder/suites/` wire them to students.
"""


class CheckFailed(AssertionError):
    """A check's verdict: its message is the feedback the student reads."""


class SharedCalls:
    """Calls made once and kept, error included, so that checks that grade different properties
    of the same call (its value and its gradient; a search's minimizer and its evaluations)
    share it: `shared(key, call)` runs `call()` the first time `key` is asked for, then returns
    its value, or raises its exception, every time."""

    def __init__(self):
        self._outcomes: dict = {}

    def __call__(self, key, call):
        if key not in self._outcomes:
            try:
                self._outcomes[key] = (call(), None)
            except Exception as exc:  # a crash or timeout: the same failure for every check of this call
                self._outcomes[key] = (None, exc)
        value, error = self._outcomes[key]
        if error is not None:
            raise error
        return value
