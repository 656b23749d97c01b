"""Grading results and their one serializer, the Gradescope `results.json` schema.

Schema: https://gradescope-autograders.readthedocs.io/en/latest/specs/ — top-level
`score`, `execution_time`, `output`, `tests` (each `name`, `score`, `max_score`,
`status`, `output`, `visibility`), our own fields under `extra_data`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

HIDDEN_NOTE = "Hidden check: only its result is shown."
RULE_NOTE = "Hidden check: its inputs are not shown; the rule it found broken{kind}: {rule}"


@dataclass
class CheckResult:
    name: str
    check_id: str
    score: float
    max_score: float
    status: str  # "passed" | "failed" | "grader_error" (results.json: "failed", extra_data.grader_error)
    output: str = ""
    visibility: str = "visible"  # "visible" | "hidden"
    unit: str | None = None
    kind: str | None = None
    artifacts: list = field(default_factory=list)
    seconds: float = 0.0
    grader_error: str = ""  # the instructor's record (exception and traceback) when status is "grader_error"
    rule: str = ""  # the rule a hidden check grades, named in feedback when it fails (`rule` marker)


@dataclass
class SubmissionResult:
    student: str
    assignment: str
    checks: list[CheckResult]
    output: str = ""
    status: str = "ok"  # "ok" | "import_error" | "no_submission" | "timeout" | "error" | "grader_error"
    stdout: str = ""
    seconds: float = 0.0
    fingerprint: dict = field(default_factory=dict)

    @property
    def score(self) -> float:
        return round(sum(c.score for c in self.checks), 6)

    @property
    def max_score(self) -> float:
        return round(sum(c.max_score for c in self.checks), 6)

    @property
    def grader_errors(self) -> list[CheckResult]:
        """Checks on which the grader itself failed: no verdict, points withheld until reviewed."""
        return [c for c in self.checks if c.status == "grader_error"]


def grader_error_summary(result: SubmissionResult) -> str:
    """The row message of a submission with grader errors: "grader error in <check>[, <check> ...]"."""
    names = [c.name for c in result.grader_errors]
    return f"grader error in {', '.join(names)}" if names else ""


def hidden_note(check: CheckResult, hidden_rules: bool = True) -> str:
    """What a student reads in place of a hidden check's message: for a failed one the rule it
    grades (`CheckResult.rule`: never its inputs or values), unless the instructor withholds rules
    (`hidden_rules=False`, `grade --withhold-hidden-rules`); otherwise `HIDDEN_NOTE`."""
    if hidden_rules and check.rule and check.status == "failed":
        return RULE_NOTE.format(rule=check.rule, kind=f" ({check.kind})" if check.kind else "")
    return HIDDEN_NOTE


def to_gradescope(result: SubmissionResult, *, show_hidden: bool = False, hidden_rules: bool = True) -> dict:
    """The Gradescope results.json dict for one submission.

    A failed hidden check's `output` (shown to students once grades are published) is its
    `hidden_note` — the rule it grades, or only that it is hidden with `hidden_rules=False` —
    unless `show_hidden`; its message stays under `extra_data.message`, which
    `from_gradescope` reads back."""
    tests = []
    for c in result.checks:
        withheld = c.visibility == "hidden" and not show_hidden and c.status == "failed"
        test = {
            "name": c.name,
            "score": c.score,
            "max_score": c.max_score,
            "status": "failed" if c.status == "grader_error" else c.status,  # Gradescope's two statuses
            "output": hidden_note(c, hidden_rules) if withheld else c.output,
            "visibility": c.visibility,
        }
        if c.visibility == "hidden":
            test["visibility"] = "after_published"
        test["extra_data"] = {
            "check_id": c.check_id, "unit": c.unit, "kind": c.kind,
            "artifacts": c.artifacts, "seconds": c.seconds, "hidden": c.visibility == "hidden",
        }
        if c.status == "grader_error":
            test["extra_data"]["grader_error"] = c.grader_error or True
        if c.rule:
            test["extra_data"]["rule"] = c.rule
        if withheld:
            test["extra_data"]["message"] = c.output
        tests.append(test)
    return {
        "score": result.score,
        "max_score": result.max_score,
        "execution_time": round(result.seconds, 3),
        "output": result.output,
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {
            "student": result.student,
            "assignment": result.assignment,
            "status": result.status,
            "stdout": result.stdout,
            "fingerprint": result.fingerprint,
        },
    }


def from_gradescope(data: dict) -> SubmissionResult:
    """Read back what `to_gradescope` wrote."""
    extra = data.get("extra_data", {})
    checks = []
    for t in data["tests"]:
        x = t.get("extra_data", {})
        grader_error = x.get("grader_error")
        checks.append(CheckResult(
            name=t["name"], check_id=x.get("check_id", t["name"]), score=t["score"],
            max_score=t["max_score"], status="grader_error" if grader_error else t["status"],
            output=x.get("message", t.get("output", "")), grader_error=grader_error if isinstance(grader_error, str) else "",
            rule=x.get("rule", ""),
            visibility="hidden" if x.get("hidden") else "visible", unit=x.get("unit"),
            kind=x.get("kind"), artifacts=x.get("artifacts", []), seconds=x.get("seconds", 0.0),
        ))
    return SubmissionResult(
        student=extra.get("student", ""), assignment=extra.get("assignment", ""),
        checks=checks, output=data.get("output", ""), status=extra.get("status", "ok"),
        stdout=extra.get("stdout", ""), seconds=data.get("execution_time", 0.0),
        fingerprint=extra.get("fingerprint", {}),
    )

