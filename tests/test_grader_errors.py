"""An exception in trusted code is a grader error, never the student's mistake; a failed hidden
check's feedback names its rule unless the instructor withholds it.

- A diagnosis that raises (monkeypatched into `checks.agreement.likely_mistake`) in a batch: the
  check has no verdict (results.json: status "failed", score 0, `extra_data.grader_error` with the
  traceback; output: the note that it is the grader's error, no traceback), the gradebook row says
  "grader error in <check>", summary.html/csv list it, feedback.md says so. The control: the same
  batch without the injection fails the same check with the diagnosis, as the student's mistake.
- The whole validity corpus graded (slow): no check anywhere is a grader error, and no failure
  message carries a grader traceback.
"""
from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest

from autograder import batch
from autograder.checks import agreement
from autograder.reports.common import HIDDEN_NOTE
from autograder.reports.feedback import write_feedback
from autograder.results import from_gradescope
from autograder.runtime.plugin import GRADER_ERROR_MARKER, GRADER_ERROR_NOTE
from autograder.runtime.runner import grade_source

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = (ROOT / "solutions" / "activations.py").read_text()
WRONG_SIGMOID = REFERENCE + "\n\ndef sigmoid(z):\n    return 1.0 / (1.0 + np.exp(np.clip(z, -500, 500)))\n"
SIGMOID_CHECK = "test_values[sigmoid]"


def _batch(tmp_path, name):
    subs = tmp_path / f"subs-{name}"
    for student, source in (("right", REFERENCE), ("wrong", WRONG_SIGMOID)):
        (subs / student).mkdir(parents=True)
        (subs / student / "activations.py").write_text(source)
    out = tmp_path / f"out-{name}"
    results = batch.grade_batch("activations", subs, out, jobs=1, progress=False)
    gradebook = {row["student"]: row for row in csv.DictReader(io.StringIO((out / "gradebook.csv").read_text()))}
    tests = {t["extra_data"]["check_id"]: t for t in json.loads((out / "wrong" / "results.json").read_text())["tests"]}
    return {r.student: r for r in results}, gradebook, tests, out


def _raise(*args, **kwargs):
    raise RuntimeError("injected diagnosis failure")


def test_a_failing_diagnosis_is_a_grader_error_in_results_gradebook_summary_and_feedback(tmp_path, monkeypatch):
    # control: the wrong sigmoid fails the check that names it, as the student's mistake
    results, gradebook, tests, _ = _batch(tmp_path, "control")
    assert tests[SIGMOID_CHECK]["status"] == "failed" and "grader_error" not in tests[SIGMOID_CHECK]["extra_data"]
    assert "e^z instead of e^-z" in tests[SIGMOID_CHECK]["output"]
    assert gradebook["wrong"]["status"] == "ok" and results["wrong"].score < results["wrong"].max_score

    monkeypatch.setattr(agreement, "likely_mistake", _raise)
    results, gradebook, tests, out = _batch(tmp_path, "injected")
    check = tests[SIGMOID_CHECK]
    assert check["status"] == "failed" and check["score"] == 0  # Gradescope's vocabulary; points withheld
    assert check["output"] == GRADER_ERROR_NOTE and "Traceback" not in check["output"]
    record = check["extra_data"]["grader_error"]
    assert record.startswith(GRADER_ERROR_MARKER) and "injected diagnosis failure" in record and "Traceback" in record
    wrong = results["wrong"]
    name = next(c.name for c in wrong.checks if c.check_id == SIGMOID_CHECK)
    assert [c.check_id for c in wrong.grader_errors] == [SIGMOID_CHECK]
    assert gradebook["wrong"]["status"] == "grader_error"
    assert gradebook["wrong"]["message"].startswith(f"grader error in {name}")
    assert gradebook["right"]["status"] == "ok" and float(gradebook["right"]["score"]) == results["right"].max_score
    summary_rows = {r["check_id"]: r for r in csv.DictReader(io.StringIO((out / "summary.csv").read_text()))}
    assert summary_rows[SIGMOID_CHECK]["grader_errors"] == "1"
    summary_html = (out / "summary.html").read_text()
    assert "Grader errors (1)" in summary_html and "injected diagnosis failure" in summary_html
    feedback = (out / "wrong" / "feedback.md").read_text()
    assert "grader error" in feedback and GRADER_ERROR_NOTE in feedback and "injected" not in feedback


def test_every_report_says_grader_error_and_shows_no_traceback(tmp_path, monkeypatch):
    """Feedback (a hidden check's too), terminal, GitHub annotations and JUnit."""
    from autograder.reports.github import annotations, job_summary
    from autograder.reports.junit import write_junit
    from autograder.reports.terminal import render_terminal

    monkeypatch.setattr(agreement, "likely_mistake", _raise)
    result = grade_source("activations", WRONG_SIGMOID)
    assert [c.check_id for c in result.grader_errors] == [SIGMOID_CHECK] and result.status == "grader_error"
    result.grader_errors[0].visibility = "hidden"  # a hidden check's grader error shows the note too
    write_feedback(result, tmp_path)
    terminal = render_terminal(result, color=False)
    junit = tmp_path / "junit.xml"
    write_junit([result], junit)
    texts = {"feedback.md": (tmp_path / "feedback.md").read_text(),
             "feedback.html": (tmp_path / "feedback.html").read_text(), "terminal": terminal,
             "github": job_summary([result]) + "\n".join(annotations(result, None)), "junit": junit.read_text()}
    for where, text in texts.items():
        assert GRADER_ERROR_NOTE in text or "GRADER ERROR" in text, where
        assert "Traceback" not in text and "injected" not in text, where
    assert "GRADER ERROR" in terminal and "not your mistake" in terminal
    assert "<error" in texts["junit"]


# ---------------------------------------------------------------- hidden checks name their rule

NO_GATES = (ROOT / "solutions" / "gates.py").read_text() + '''

def sigmoid_neuron(w, x):
    z = w[0] * x[0] + w[1] * x[1] + w[2]
    f = 1.0 / (1.0 + np.exp(-z))
    local = f * (1.0 - f)
    return float(f), local * np.array([x[0], x[1], 1.0]), local * np.array([w[0], w[1]])
'''


def test_a_failed_hidden_check_names_its_rule_unless_withheld(tmp_path):
    result = grade_source("gates", NO_GATES)
    check = next(c for c in result.checks if c.check_id == "test_sigmoid_neuron_uses_gates")
    assert check.status == "failed" and check.visibility == "hidden"
    assert check.rule == "sigmoid_neuron is wired from the gates (forward, then backward)"
    secret = "gate forward and"  # the check's message (its observations), never shown
    assert secret in check.output
    named, withheld = tmp_path / "named", tmp_path / "withheld"
    write_feedback(result, named)
    write_feedback(result, withheld, hidden_rules=False)
    for page in ("feedback.md", "feedback.html"):
        text = (named / page).read_text()
        assert f"the rule it found broken ({check.kind}): {check.rule}" in text and secret not in text
        text = (withheld / page).read_text()
        assert "the rule it found broken" not in text and HIDDEN_NOTE in text and secret not in text


def test_grade_withhold_hidden_rules_flag(tmp_path):
    subs = tmp_path / "subs"
    (subs / "s1").mkdir(parents=True)
    (subs / "s1" / "gates.py").write_text(NO_GATES)
    from autograder.cli import main
    for flag, out in (([], tmp_path / "named"), (["--withhold-hidden-rules"], tmp_path / "withheld")):
        assert main(["grade", "--assignment", "gates", "--out", str(out), "-j", "1", *flag, str(subs)]) == 0
        rule = "the rule it found broken (contract): sigmoid_neuron is wired from the gates"
        feedback = (out / "s1" / "feedback.md").read_text()
        assert (rule in feedback) == (not flag)
        # results.json (what Gradescope shows once grades are published): the same note, the message
        # kept for the instructor under extra_data and read back by the reports
        data = json.loads((out / "s1" / "results.json").read_text())
        test = next(t for t in data["tests"] if t["extra_data"]["check_id"] == "test_sigmoid_neuron_uses_gates")
        assert (rule in test["output"]) == (not flag) and "gate forward and" not in test["output"]
        assert "gate forward and" in test["extra_data"]["message"]
        assert flag or test["output"] != HIDDEN_NOTE
        read_back = next(c for c in from_gradescope(data).checks if c.check_id == "test_sigmoid_neuron_uses_gates")
        assert "gate forward and" in read_back.output


# ---------------------------------------------------------------- the whole validity corpus

@pytest.mark.slow
def test_no_grader_error_anywhere_in_the_validity_corpus():
    """Every submission of tests/validity (references, mutants, cohorts, stubs) graded as `grade`
    does (harness.grade, shared with the validity tests in one session): no grader error, and no
    failure message with a grader traceback."""
    sys.path.insert(0, str(ROOT / "tests" / "validity"))
    try:
        import harness
        modules = [__import__(path.stem) for path in sorted((ROOT / "tests" / "validity").glob("test_*.py"))]
    finally:
        sys.path.remove(str(ROOT / "tests" / "validity"))
    graded, errors = 0, []
    for module in (m for m in modules if hasattr(m, "VALIDITY")):  # the per-assignment corpora
        validity = module.VALIDITY
        sources = [validity.reference, harness.stub_of(validity.reference), ""]
        for table in (getattr(module, "CORRECT", None), getattr(module, "ALTERNATIVES", None)):
            if isinstance(table, dict):  # the correct alternatives (source text by name)
                sources += [text for text in table.values() if isinstance(text, str)]
        sources += [harness.mutate(validity.reference, spec[0]) for spec in validity.mutants.values()]
        sources += [sub.source for sub in validity.cohort().values() if sub.source is not None]
        for source in sources:
            result = validity.grade(source)
            graded += 1
            errors += [(validity.assignment, c.check_id, c.grader_error.splitlines()[-1:])
                       for c in result.checks if c.status == "grader_error"]
            errors += [(validity.assignment, c.check_id, "traceback in a student's failure")
                       for c in result.checks if c.status == "failed"
                       and (GRADER_ERROR_MARKER in c.output or "Traceback (most recent call last)" in c.output)]
    assert graded > 100
    assert not errors, errors
