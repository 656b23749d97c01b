"""Check primitives: small functions over plain callables that raise `CheckFailed`.

A primitive never knows whether the callable it checks is the student's remote
function or a local one; the suites in `autograder/suites/` wire them to students.
"""


class CheckFailed(AssertionError):
    """A check's verdict: its message is the feedback the student reads."""
