"""The concise terminal report of `check`: one line per check (verdict, points, name), the
failure messages under it, wrapped at 100 columns."""
from __future__ import annotations

import textwrap

from autograder.reports.common import check_message, fmt_points, hidden_note, verdict
from autograder.results import SubmissionResult

MAX_MESSAGE_LINES = 20
WRAP = 100
INDENT = "      "

_ANSI = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33"}
_LABELS = {"passed": ("PASS", "green"), "partial": ("PART", "yellow"), "failed": ("FAIL", "red"),
           "grader error": ("GRADER ERROR", "yellow")}


def render_terminal(result: SubmissionResult, *, color: bool) -> str:
    """The report as text; ANSI colours when `color`. Hidden checks show their result only."""
    def paint(text: str, *styles: str) -> str:
        if not color or not styles:
            return text
        return f"\033[{';'.join(_ANSI[s] for s in styles)}m{text}\033[0m"

    passed = sum(c.status == "passed" for c in result.checks)
    title = f"{result.assignment}" + (f" ({result.student})" if result.student else "")
    lines = [paint(title, "bold"),
             f"Score: {fmt_points(result.score)}/{fmt_points(result.max_score)} points, "
             f"{passed} of {len(result.checks)} checks passed", ""]
    if result.output.strip():
        head, *rest = _limited(result.output, MAX_MESSAGE_LINES)
        tag = paint(f"[{result.status}] ", "red", "bold") if result.status != "ok" else ""
        lines += [tag + head] + [INDENT + line for line in rest] + [""]
    points_width = max((len(_points(c)) for c in result.checks), default=0)
    for check in result.checks:
        label, tone = _LABELS[verdict(check)]
        lines.append(f"{paint(label, tone, 'bold')}  {_points(check):>{points_width}}  {check.name}")
        if check.status == "passed":
            continue
        if check.visibility == "hidden" and check.status != "grader_error":
            lines.append(INDENT + paint(hidden_note(check), "dim"))
        lines += [INDENT + line for line in _limited(check_message(check, result), MAX_MESSAGE_LINES)]
    failed = len(result.checks) - passed
    lines.append("")
    if result.status == "grader_error":
        lines.append(paint(f"The grader itself failed on {len(result.grader_errors)} check(s): not your mistake "
                           "(your instructor is told).", "yellow", "bold"))
    elif result.status != "ok":
        lines.append(paint(f"The submission could not be graded normally ({result.status}).", "red", "bold"))
    elif failed:
        lines.append(paint(f"{failed} check{'s' if failed > 1 else ''} failed.", "red", "bold"))
    else:
        lines.append(paint("All checks passed.", "green", "bold"))
    return "\n".join(lines) + "\n"


def _points(check) -> str:
    return f"{fmt_points(check.score)}/{fmt_points(check.max_score)}"


def _limited(text: str, limit: int) -> list[str]:
    """The text wrapped at WRAP columns: at most `limit` lines plus a line saying how many were cut."""
    lines = [piece for line in text.rstrip().splitlines()
             for piece in (textwrap.wrap(line, WRAP, break_on_hyphens=False) or [""])]
    if len(lines) <= limit:
        return lines
    return lines[:limit] + [f"… ({len(lines) - limit} more lines)"]
