"""runtime/session.py: one pytest session grading many submissions gives what separate runs give."""
import pytest

from autograder.reference import SOLUTIONS_DIR
from autograder.release.stubs import clear_solutions
from autograder.runtime import runner
from autograder.runtime.session import SuiteSession, close_shared_sessions, shared_session
from autograder.sandbox import Limits

REFERENCE = (SOLUTIONS_DIR / "gates.py").read_text()
LIMITS = Limits(call_seconds=1.0)
SUBMISSIONS = {  # in this order through one session: every kind of outcome, then the reference again
    "reference": REFERENCE,
    "relu_passes_at_zero": REFERENCE.replace("self.positive = np.asarray(x) > 0", "self.positive = np.asarray(x) >= 0"),
    "wrong_gradients": REFERENCE.replace("return self.y * dout, self.x * dout", "return self.x * dout, self.y * dout")
    .replace("dw0, dx0 = mul0.backward(d_prod0)", "dx0, dw0 = mul0.backward(d_prod0)"),
    "crashes_in_add_backward": REFERENCE.replace("class AddGate:", "import os\n\n\nclass AddGate:").replace(
        "    def backward(self, dout):\n", "    def backward(self, dout):\n        os._exit(3)\n", 1),
    "hangs_in_sigmoid_forward": REFERENCE.replace("        x = np.asarray(x, dtype=np.float64)\n        with np.errstate",
                                                  "        while True:\n            pass\n        with np.errstate"),
    "stub": clear_solutions(REFERENCE),
    "syntax_error": "def AddGate(:\n",
    "reference_again": REFERENCE,
}


def outcome(result):
    return result.status, [(c.check_id, c.status, c.score, c.output, c.artifacts) for c in result.checks]


def test_one_session_grades_each_submission_as_a_pytest_run_of_its_own():
    assert all(source != REFERENCE for name, source in SUBMISSIONS.items() if not name.startswith("reference"))
    session = SuiteSession("gates")
    try:
        in_session = {name: runner.grade_source("gates", source, limits=LIMITS, warm=True, session=session)
                      for name, source in SUBMISSIONS.items()}
        no_submission = runner.grade_unavailable("gates", "no gates.py found", session=session)
    finally:
        session.close()
    for name, source in SUBMISSIONS.items():
        assert outcome(in_session[name]) == outcome(runner.grade_source("gates", source, limits=LIMITS)), name
    assert outcome(no_submission) == outcome(runner.grade_unavailable("gates", "no gates.py found"))
    scores = {name: result.score for name, result in in_session.items()}
    assert scores["reference"] == scores["reference_again"] == in_session["reference"].max_score
    assert scores["stub"] == scores["syntax_error"] == no_submission.score == 0
    for name in ("relu_passes_at_zero", "wrong_gradients", "crashes_in_add_backward",
                 "hangs_in_sigmoid_forward"):
        assert 0 < scores[name] < scores["reference"], name
    # plot data reaches the results from the failing checks that attached it, and from no other
    # check (the neuron's is followed by checks without `feedback`)
    with_artifacts = {c.check_id: [a["kind"] for a in c.artifacts]
                      for c in in_session["wrong_gradients"].checks if c.artifacts}
    assert with_artifacts == {"test_backward[MultiplyGate]": ["gradient_error"],
                              "test_sigmoid_neuron_gradient": ["gradient_error"]}
    assert "did not return within" in " ".join(c.output for c in in_session["hangs_in_sigmoid_forward"].checks)
    assert "died" in " ".join(c.output for c in in_session["crashes_in_add_backward"].checks)


def test_a_job_that_raises_ends_the_session_and_the_shared_one_starts_anew():
    session = shared_session("line_search")

    def broken_job():
        raise KeyError("grader bug")

    with pytest.raises(KeyError, match="grader bug"):
        session.execute(broken_job)
    session.close()  # the loop ended with the job; this only waits for its thread
    assert not session.alive
    with pytest.raises(RuntimeError, match="stopped"):
        session.execute(lambda: None)
    fresh = shared_session("line_search")
    assert fresh is not session and fresh.alive
    result = runner.grade_source("line_search", (SOLUTIONS_DIR / "line_search.py").read_text(), session=fresh)
    assert result.score == result.max_score > 0
    close_shared_sessions()
    assert not fresh.alive


def test_checks_run_only_in_the_sessions_thread_and_only_for_its_own_suite():
    session = SuiteSession("line_search")
    try:
        with pytest.raises(RuntimeError, match="session's thread"):
            session.run_checks(None)
        with pytest.raises(ValueError, match="cannot grade"):
            runner.grade_source("gates", REFERENCE, session=session)
        with pytest.raises(ValueError, match="cannot grade"):
            runner.grade_source("line_search", "", hidden=False, session=session)
    finally:
        session.close()


def test_a_suite_that_does_not_collect_cannot_start_a_session(tmp_path, monkeypatch):
    (tmp_path / "gates").mkdir()
    (tmp_path / "gates" / "test_visible.py").write_text("def test_broken(:\n")
    monkeypatch.setattr(runner, "SUITES_DIR", tmp_path)
    with pytest.raises(RuntimeError, match="(?s)gates suite cannot run: .*SyntaxError"):
        SuiteSession("gates")


def test_what_a_session_remembers_gives_the_results_of_a_fresh_run():
    """initializers keeps network statistics and distribution verdicts by the exact weights (the
    plugin's `remembered`); a submission drawing the same weights as an earlier one, right or wrong,
    gets what a one-off run gives it."""
    right = (SOLUTIONS_DIR / "initializers.py").read_text()
    draw = "rng.normal(0.0, 1.0 / math.sqrt(fan_in), size=(fan_in, fan_out))"
    wrong = right.replace(draw, "rng.normal(0.0, math.sqrt(2.0 / fan_in), size=(fan_in, fan_out))")
    assert wrong != right
    sources = (right, wrong, right, wrong)
    session = SuiteSession("initializers")
    try:
        in_session = [runner.grade_source("initializers", source, warm=True, session=session) for source in sources]
        remembered = session._grading.memory
    finally:
        session.close()
    assert sorted(remembered) == ["distribution verdicts", "network statistics, tanh"]
    assert all(remembered.values())
    for source, result in zip(sources, in_session):
        assert outcome(result) == outcome(runner.grade_source("initializers", source))
    assert in_session[0].score == in_session[0].max_score > in_session[1].score
