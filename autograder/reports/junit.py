"""JUnit XML: one <testsuite> per submission, one <testcase> per check.

Follows the common (Jenkins/Surefire) JUnit schema: <testsuites> root; a testsuite carries
name, tests, failures, errors, skipped, time; a testcase carries name, classname
("<assignment>.<unit>"), time, and a <failure message type> when the check did not pass
(partial credit included). A submission that could not be graded normally (import error,
no submission, timeout) gets one extra testcase "submission" with an <error>. Hidden checks
carry no message beyond their name and points.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from autograder.reports.common import first_line, fmt_points, hidden_note, shown_output, verdict
from autograder.results import SubmissionResult

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def write_junit(results: list[SubmissionResult], path: Path) -> None:
    """Write the JUnit XML report of `results` to `path`."""
    root = ET.Element("testsuites", name="autograder")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for result in results:
        suite = _suite(result)
        root.append(suite)
        for key in totals:
            totals[key] += int(suite.get(key))
    root.set("tests", str(totals["tests"]))
    root.set("failures", str(totals["failures"]))
    root.set("errors", str(totals["errors"]))
    root.set("time", f"{sum(r.seconds for r in results):.3f}")
    ET.indent(root)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def _suite(result: SubmissionResult) -> ET.Element:
    suite = ET.Element("testsuite", name=_xml(result.student or result.assignment))
    properties = ET.SubElement(suite, "properties")
    for name, value in (("assignment", result.assignment), ("status", result.status),
                        ("score", fmt_points(result.score)), ("max_score", fmt_points(result.max_score))):
        ET.SubElement(properties, "property", name=name, value=_xml(value))
    failures = errors = 0
    if result.status not in ("ok", "grader_error"):  # a grader error is its check's <error>
        case = ET.SubElement(suite, "testcase", name="submission", classname=f"{result.assignment}.submission",
                             time=f"{result.seconds:.3f}")
        error = ET.SubElement(case, "error", message=_xml(first_line(result.output) or result.status),
                              type=result.status)
        error.text = _xml(result.output)
        errors += 1
    for check in result.checks:
        case = ET.SubElement(suite, "testcase", name=_xml(check.name),
                             classname=_xml(f"{result.assignment}.{check.unit or 'submission'}"),
                             time=f"{check.seconds:.3f}")
        if check.status == "passed":
            continue
        message = shown_output(check) or (hidden_note(check) if check.visibility == "hidden" else "")
        points = f"{fmt_points(check.score)}/{fmt_points(check.max_score)} points"
        summary = f"{points}: {first_line(message)}" if message.strip() else points
        grader_error = check.status == "grader_error"  # JUnit's error: the harness failed, not the test
        failures += not grader_error
        errors += grader_error
        failure = ET.SubElement(case, "error" if grader_error else "failure", message=_xml(summary),
                                type=verdict(check))
        failure.text = _xml(message)
    suite.set("tests", str(len(suite.findall("testcase"))))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suite.set("skipped", "0")
    suite.set("time", f"{result.seconds:.3f}")
    return suite


def _xml(text: str) -> str:
    """`text` without the characters XML 1.0 cannot carry (a student's message may hold any)."""
    return _NOT_XML.sub("\ufffd", text)
