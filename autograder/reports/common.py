"""Small helpers shared by the report writers (no third-party imports)."""
from __future__ import annotations

import re

from autograder.results import HIDDEN_NOTE, RULE_NOTE, CheckResult, SubmissionResult, hidden_note  # noqa: F401

MAX_MESSAGE_CHARS = 20_000

_TIMEOUT = re.compile(r"time(?:out|d out|s out)\b|\bdeadline\b", re.IGNORECASE)


def shown_output(check: CheckResult, show_hidden: bool = False) -> str:
    """The check's message as a student may see it: empty for hidden checks unless `show_hidden`
    (a grader error's message is the fixed note saying so, which every check shows)."""
    if check.visibility == "hidden" and not show_hidden and check.status != "grader_error":
        return ""
    return clip(check.output)


def check_message(check: CheckResult, result: SubmissionResult, show_hidden: bool = False) -> str:
    """`shown_output`, minus a message that only repeats the submission-level one (an import error
    fails every check with the same message, shown once at the top)."""
    text = shown_output(check, show_hidden)
    return "" if result.output.strip() and text.strip() == result.output.strip() else text


def clip(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """`text` cut to `limit` characters, saying how much was cut."""
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n… ({len(text) - limit} more characters not shown)"


def first_line(text: str) -> str:
    """The first non-blank line of `text`, stripped ('' when there is none)."""
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def verdict(check: CheckResult) -> str:
    """'passed', 'partial' (failed but earned points), 'failed' or 'grader error' (no verdict: the
    grader itself failed on the check)."""
    if check.status == "passed":
        return "passed"
    if check.status == "grader_error":
        return "grader error"
    return "partial" if check.score > 0 else "failed"


def fmt_points(x: float) -> str:
    """Points without a useless trailing '.0' (2.0 -> '2', 1.5 -> '1.5')."""
    return f"{x:g}"


def slug(text: str) -> str:
    """A file-name and HTML-id safe form of a check id."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-") or "check"


def timed_out_checks(result: SubmissionResult) -> list[CheckResult]:
    """Failed checks whose message reports a timeout or an exceeded deadline."""
    return [c for c in result.checks if c.status == "failed" and _TIMEOUT.search(c.output)]


def grader_error_line(check: CheckResult) -> str:
    """The exception of a grader error in one line (the last line of its recorded traceback)."""
    lines = [line for line in check.grader_error.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else "grader error"


def problem(result: SubmissionResult) -> str:
    """Why a submission needs attention ('' when it ran normally).

    A submission-level status other than "ok" (import error, no submission, timeout, error)
    or checks that timed out.
    """
    if result.status != "ok":
        return result.status
    timeouts = timed_out_checks(result)
    if timeouts:
        return f"timeout in {len(timeouts)} check{'s' if len(timeouts) > 1 else ''}"
    return ""
