"""nbgrader integration: our source notebooks through `nbgrader generate_assignment` and
`nbgrader autograde`, and the in-notebook grading helpers of `autograder.notebook`."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from autograder import notebook
from autograder.reference import ASSIGNMENTS
from autograder.release import release_all
from autograder.results import CheckResult, SubmissionResult

REPO = Path(__file__).resolve().parent.parent
NBGRADER_TIMEOUT = 900


# --- autograder.notebook: rebuilding the module from the kernel history ---

def test_source_from_cells_keeps_what_the_graded_names_need_and_the_last_definition():
    cells = [
        "import numpy as np\nfrom autograder.notebook import unit_score\nEPS = 1e-12\nscratch = 3",
        "def f(x):\n    return x\n\nprint(f(2))",
        "@staticmethod\ndef g():\n    return EPS",
        "def f(x):\n    return 2 * x",
        "import numpy as np\nunit_score('a', 'f', globals())",
        "def broken(:",
    ]
    source = notebook.source_from_cells(cells, graded={"f", "g"})
    namespace = {}
    exec(compile(source, "demo.py", "exec"), namespace)
    assert namespace["f"](3) == 6 and namespace["g"].__func__() == 1e-12
    assert "scratch" not in namespace and "np" not in namespace  # nothing graded needs them
    for dropped in ("return x\n", "print(f(2))", "unit_score", "autograder", "broken"):
        assert dropped not in source


def test_kernel_source_needs_an_ipython_history():
    with pytest.raises(RuntimeError, match="Jupyter/IPython"):
        notebook.kernel_source({"__name__": "__main__"})


def _result(hidden: bool) -> SubmissionResult:
    checks = [CheckResult("f works", "t1", 2.0, 2.0, "passed", unit="f"),
              CheckResult("f is stable", "t2", 0.0, 1.0, "failed", "overflow at 1e3", unit="f"),
              CheckResult("g works", "t3", 1.0, 1.0, "passed", unit="g")]
    if hidden:
        checks.append(CheckResult("f hidden", "t4", 1.5, 1.5, "passed", "", "hidden", unit="f"))
    return SubmissionResult(student="notebook", assignment="demo", checks=checks)


def test_unit_scores_share_one_grading_run_per_source(monkeypatch, capsys):
    runs = []

    def fake_grading(assignment, source, hidden):
        runs.append((assignment, source, hidden))
        return _result(hidden)

    monkeypatch.setattr(notebook, "_grade_in_subprocess", fake_grading)
    monkeypatch.setattr(notebook, "_RESULTS", {})
    namespace = {"In": ["", "def f(x):\n    return x", "def g():\n    return 1"]}
    assert notebook.unit_score("demo", "f", namespace, hidden=True) == 3.5
    assert notebook.unit_score("demo", "g", namespace, hidden=True) == 1.0
    visible = notebook.self_check("demo", namespace)
    assert [c.check_id for c in visible.checks] == ["t1", "t2", "t3"]
    assert len(runs) == 1 and runs[0][2] is True
    printed = capsys.readouterr().out
    assert "FAILED  f is stable  (0/1)\n          overflow at 1e3" in printed
    assert "[hidden] f hidden  (1.5/1.5)" in printed
    assert "Visible checks: 3 / 4 points, 2 passed, 1 failed." in printed

    namespace["In"].append("def g():\n    return 2")
    assert notebook.unit_score("demo", "f", namespace) == 2.0
    assert len(runs) == 2 and runs[1][2] is False and "return 2" in runs[1][1]


# --- nbgrader end to end ---

def _nbgrader_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    # nbgrader runs some of its tools by name (`alembic` for the gradebook database): they live
    # next to the interpreter, which need not be on the caller's PATH (no activated venv in CI).
    env["PATH"] = os.pathsep.join(filter(None, [str(Path(sys.executable).parent), env.get("PATH")]))
    return env


def _run_nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=_nbgrader_env(),
                          capture_output=True, text=True, timeout=NBGRADER_TIMEOUT)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course directory: our source notebooks, and nbgrader's release of every assignment."""
    root = tmp_path_factory.mktemp("course")
    (root / "nbgrader_config.py").write_text(textwrap.dedent(f"""\
        c = get_config()
        c.CourseDirectory.root = {str(root)!r}
        c.CourseDirectory.course_id = "nnopt"
        c.Execute.timeout = {NBGRADER_TIMEOUT}
        """))
    release_all(REPO, root / "ours", source_notebook_dir=root / "source")
    for assignment in ASSIGNMENTS:
        _run_nbgrader(root, "generate_assignment", assignment, "--force")
    return root


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_nbgrader_generate_assignment_gives_our_student_notebook(course, assignment):
    import nbformat

    theirs = nbformat.read(course / "release" / assignment / f"{assignment}.ipynb", as_version=4)
    ours = nbformat.read(course / "ours" / assignment / f"{assignment}.ipynb", as_version=4)
    assert [(c.id, c.cell_type, c.source) for c in theirs.cells] == \
        [(c.id, c.cell_type, c.source) for c in ours.cells]
    for mine, generated in zip(ours.cells, theirs.cells):
        added = set(generated.metadata.get("nbgrader", {})) - set(mine.metadata.get("nbgrader", {}))
        assert added <= {"checksum", "cell_type"}, f"{mine.id}: nbgrader changed our metadata"
        assert {k: generated.metadata.nbgrader[k] for k in mine.metadata.get("nbgrader", {})} == \
            dict(mine.metadata.get("nbgrader", {}))
        assert {k: v for k, v in generated.metadata.items() if k != "nbgrader"} == \
            {k: v for k, v in mine.metadata.items() if k != "nbgrader"}


def _with_bug(source_notebook: Path, cell_id: str, old: str, new: str, target: Path) -> None:
    import nbformat

    nb = nbformat.read(source_notebook, as_version=4)
    cell = next(c for c in nb.cells if c.id == cell_id)
    assert old in cell.source
    cell.source = cell.source.replace(old, new)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)


@pytest.mark.slow
def test_nbgrader_autograde_records_the_points_our_grader_gives(course):
    """Issue 5 item 4: nbgrader's gradebook and `grade_source` agree per unit, for a correct
    notebook (the source notebook itself), one with a known bug, and the untouched release."""
    from nbgrader.api import Gradebook

    from autograder import submission
    from autograder.runtime.runner import grade_source

    assignment = "gates"
    source_nb = course / "source" / assignment / f"{assignment}.ipynb"
    submitted = course / "submitted"
    notebooks = {
        "correct": source_nb,
        "max_tie_bug": submitted / "max_tie_bug" / assignment / f"{assignment}.ipynb",
        "untouched": course / "release" / assignment / f"{assignment}.ipynb",
    }
    _with_bug(source_nb, "MaxGate", "np.greater_equal(x, y)", "np.greater(x, y)", notebooks["max_tie_bug"])
    for student, path in notebooks.items():
        target = submitted / student / assignment / f"{assignment}.ipynb"
        if path != target:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    _run_nbgrader(course, "autograde", assignment, "--force")

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        recorded = {
            student: {grade.name: grade.auto_score for grade in
                      gradebook.find_submission_notebook(assignment, assignment, student).grades}
            for student in notebooks
        }
    results = {}
    for student in notebooks:
        loaded = submission.load(submitted / student / assignment / f"{assignment}.ipynb", assignment, student)
        results[student] = result = grade_source(assignment, loaded.source, hidden=True, student=student)
        ours = {}
        for check in result.checks:
            grade_id = f"test_{check.unit}" if check.unit else "test_module"
            ours[grade_id] = round(ours.get(grade_id, 0.0) + check.score, 6)
        assert recorded[student] == pytest.approx(ours), student
    assert sum(recorded["correct"].values()) == pytest.approx(results["correct"].max_score)
    assert recorded["max_tie_bug"]["test_MaxGate"] < recorded["correct"]["test_MaxGate"]
    assert {k: v for k, v in recorded["max_tie_bug"].items() if k != "test_MaxGate"} == \
        {k: v for k, v in recorded["correct"].items() if k != "test_MaxGate"}
    assert sum(recorded["untouched"].values()) == 0
