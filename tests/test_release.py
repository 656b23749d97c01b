"""The released student material: stubs, notebooks, and their sync with solutions/ and the suites."""
from __future__ import annotations

import ast
import importlib.util
import inspect
from pathlib import Path

import nbformat
import pytest

from autograder.reference import ASSIGNMENTS
from autograder.release import notebooks, release_all
from autograder.release.points import UnitPoints, unit_points
from autograder.release.stubs import CODE_STUB, MarkerError, clear_solutions, module_blocks

REPO = Path(__file__).resolve().parent.parent
RELEASED = REPO / "assignments"

# The names SPEC §1 pins for each stub module.
SPEC_NAMES = {
    "gates": ["AddGate", "MultiplyGate", "MaxGate", "ExpGate", "ReciprocalGate", "ScaleGate", "OffsetGate",
              "SigmoidGate", "ReLUGate", "MatMulGate", "SquaredL2Gate", "SoftmaxCrossEntropyGate",
              "SoftIoUGate", "sigmoid_neuron"],
    "activations": [f"{name}{suffix}" for name in
                    ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "celu", "selu", "softplus", "gelu",
                     "silu", "swish", "hardswish"] for suffix in ("", "_grad")],
    "initializers": ["zeros", "small_random", "lecun_normal", "xavier_normal", "xavier_uniform",
                     "kaiming_normal", "kaiming_uniform", "gain"],
    "optimizers": ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "AdaDelta", "Adam", "AdamW", "NAdam",
                   "step_decay", "exponential_decay", "inverse_time_decay", "ReduceOnPlateau"],
    "line_search": ["golden_section_search"],
    "quasi_newton": ["sr1_update", "dfp_update", "bfgs_update", "lbfgs_direction", "bfgs_minimize"],
}

FIXTURE_MODULE = '''"""A fixture module."""
import numpy as np

SCALE = 2.0


def double(x):
    """2 x."""
    ### BEGIN SOLUTION
    return SCALE * np.asarray(x)
    ### END SOLUTION


# a helper students are given
def given(x):
    return x


class Counter:
    """Counts."""

    def __init__(self, start=0):
        ### BEGIN SOLUTION
        self.count = start
        ### END SOLUTION

    def step(self):
        """count + 1."""
        ### BEGIN SOLUTION
        self.count += 1
        return self.count
        ### END SOLUTION
'''


def import_file(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def dummy_arguments(function) -> list:
    """None for every required positional parameter (after self)."""
    params = list(inspect.signature(function).parameters.values())
    return [None for p in params if p.default is p.empty and p.kind == p.POSITIONAL_OR_KEYWORD]


def read_notebook(path: Path):
    import nbformat

    return nbformat.read(path, as_version=4)


# --- clearing solution regions (fixture module) ---

def test_clear_solutions_replaces_each_region_by_the_indented_stub():
    stub = clear_solutions(FIXTURE_MODULE)
    assert "BEGIN SOLUTION" not in stub and "self.count += 1" not in stub
    assert stub.count("\n        raise NotImplementedError()") == 2  # the two methods
    assert stub.count("\n    raise NotImplementedError()") == 1      # the function
    assert '        """count + 1."""\n        # YOUR CODE HERE\n        raise NotImplementedError()' in stub
    assert "SCALE = 2.0" in stub and "def given(x):\n    return x" in stub


def test_fixture_stub_imports_and_its_solution_functions_raise(tmp_path):
    path = tmp_path / "fixture_stub.py"
    path.write_text(clear_solutions(FIXTURE_MODULE))
    module = import_file(path, "fixture_stub")
    with pytest.raises(NotImplementedError):
        module.double(1.0)
    with pytest.raises(NotImplementedError):
        module.Counter()
    assert module.given(3) == 3


@pytest.mark.parametrize("source, problem", [
    ("def f():\n    ### BEGIN SOLUTION\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n", "nested"),
    ("def f():\n    ### BEGIN SOLUTION\n    return 1\n", "never closed"),
    ("### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n", "not a statement of a function body"),
    ("def f():\n    x = 1  ### BEGIN SOLUTION\n    ### END SOLUTION\n", "alone on its line"),
    ('def f():\n    """Never write BEGIN SOLUTION in a docstring."""\n    return 1\n', "as a marker"),
])
def test_bad_markers_are_refused(source, problem):
    with pytest.raises(MarkerError, match=problem):
        clear_solutions(source)


def test_module_blocks_split_setup_and_definitions():
    blocks = module_blocks(FIXTURE_MODULE)
    assert [(b.kind, b.name, b.has_solution) for b in blocks] == [
        ("statements", "", False), ("definition", "double", True),
        ("definition", "given", False), ("definition", "Counter", True)]
    assert blocks[0].text == "import numpy as np\n\nSCALE = 2.0"
    assert blocks[1].text.endswith("    ### END SOLUTION")  # the closing marker belongs to the block
    assert blocks[2].text.startswith("# a helper students are given\ndef given")


# --- notebook layout (fixture module, given points) ---

def test_fixture_notebook_layout_points_and_student_clearing():
    units = {"double": UnitPoints(visible=2, hidden=1), "Counter.step": UnitPoints(visible=1.5),
             "elsewhere": UnitPoints(hidden=4)}
    cells = notebooks.instructor_cells("fixture", FIXTURE_MODULE, "# Handout\n$x^2$", units)
    layout = [(c.cell_id, (c.nbgrader or {}).get("solution"), (c.nbgrader or {}).get("points")) for c in cells]
    assert layout == [
        ("handout", None, None), ("instructions", None, None), ("imports", False, None),
        ("double", True, None), ("given", False, None), ("Counter", True, None), ("checks", None, None),
        ("test_double", False, 3), ("test_Counter_step", False, 1.5), ("test_elsewhere", False, 4),
        ("self_check", False, None)]
    by_id = {c.cell_id: c for c in cells}
    assert by_id["given"].nbgrader["locked"] and by_id["imports"].nbgrader["locked"]
    assert by_id["self_check"].tags == ["self-check"]

    student = {c.cell_id: notebooks.student_cell(c) for c in cells}
    assert student["double"].source == (
        'def double(x):\n    """2 x."""\n    ' + "\n    ".join(CODE_STUB))
    assert "BEGIN HIDDEN TESTS" in by_id["test_double"].source
    assert "HIDDEN" not in student["test_double"].source
    assert student["test_double"].source.endswith(
        'unit_score("fixture", "double", globals(), hidden=include_hidden)')
    ast.parse(student["test_double"].source)
    ast.parse(by_id["test_double"].source)


def test_fixture_notebooks_validate_with_nbformat_and_nbgrader():
    import nbformat
    from nbgrader.nbgraderformat import MetadataValidator

    units = {"double": UnitPoints(visible=2)}
    cells = notebooks.instructor_cells("fixture", FIXTURE_MODULE, "# Handout", units)
    for nb in (notebooks.to_notebook(cells, student=False),
               notebooks.to_notebook([notebooks.student_cell(c) for c in cells], student=True)):
        nbformat.validate(nb)
        MetadataValidator().validate_nb(nb)


# --- the committed release ---

@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_stub_imports_defines_spec_names_and_raises(assignment):
    module = import_file(RELEASED / assignment / f"{assignment}.py", f"released_stub_{assignment}")
    missing = [name for name in SPEC_NAMES[assignment] if not hasattr(module, name)]
    assert not missing, f"{assignment}.py stub lacks {missing}"
    solution = (REPO / "solutions" / f"{assignment}.py").read_text()
    assert set(SPEC_NAMES[assignment]) <= {b.name for b in module_blocks(solution) if b.has_solution}
    for name in SPEC_NAMES[assignment]:
        obj = getattr(module, name)
        methods = [(f"{name}.{m}", f) for m, f in vars(obj).items() if inspect.isfunction(f)] \
            if inspect.isclass(obj) else [(name, obj)]
        for label, function in methods:
            args = dummy_arguments(function)
            with pytest.raises(NotImplementedError):
                function(*args)  # the solution region is gone: the body raises before using its arguments


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_student_notebook_matches_stub_and_suite(assignment):
    import nbformat
    from nbgrader.nbgraderformat import MetadataValidator

    nb = read_notebook(RELEASED / assignment / f"{assignment}.ipynb")
    nbformat.validate(nb)
    MetadataValidator().validate_nb(nb)
    stub = (RELEASED / assignment / f"{assignment}.py").read_text()
    stub_blocks = {b.name: b.text for b in module_blocks(stub) if b.kind == "definition"}
    solution_cells = {c.metadata.nbgrader.grade_id: c.source for c in nb.cells
                      if c.metadata.get("nbgrader", {}).get("solution")}
    assert set(SPEC_NAMES[assignment]) <= set(solution_cells)
    for name, source in solution_cells.items():
        assert source == stub_blocks[name], f"{name}: notebook cell and stub differ"
        assert "BEGIN SOLUTION" not in source
    test_cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    for cell in test_cells:
        assert cell.metadata.nbgrader.locked and "HIDDEN" not in cell.source
    units = unit_points(assignment)
    assert len(test_cells) == len(units)
    assert sum(c.metadata.nbgrader.points for c in test_cells) == pytest.approx(
        sum(u.total for u in units.values()))
    assert nb.cells[-1].metadata.tags == ["self-check"]


def test_regenerating_gives_the_committed_files(tmp_path):
    """The "out of sync" check: rerun `python -m autograder release` after changing
    solutions/, a handout or a suite's points, and commit assignments/."""
    written = release_all(REPO, tmp_path / "assignments")
    assert len(written) == 2 * len(ASSIGNMENTS)
    for path in written:
        committed = RELEASED / path.relative_to(tmp_path / "assignments")
        assert committed.exists(), f"{committed} is missing: run `python -m autograder release`"
        assert path.read_bytes() == committed.read_bytes(), \
            f"{committed} is out of sync with solutions/ and the suites: run `python -m autograder release`"


# --- the student kit's release side (the kit itself: tests/test_kit.py) ---

def test_a_notebook_cell_facing_a_grader_error_raises_instead_of_scoring_zero(monkeypatch):
    """nbgrader must see an error, not 0 points, when the grader itself fails."""
    from autograder import notebook
    from autograder.results import SubmissionResult

    failure = SubmissionResult(student="notebook", assignment="gates", checks=[], status="error",
                               output="the grader failed (exit 1):\nFileNotFoundError: solutions/gates.py")
    monkeypatch.setattr(notebook, "_grade_in_subprocess", lambda *args: failure)
    monkeypatch.setattr(notebook, "_RESULTS", {})
    namespace = {"In": ["", "def f(x):\n    return x\n"]}
    with pytest.raises(notebook.GraderError, match="FileNotFoundError"):
        notebook.unit_score("gates", "AddGate", namespace, hidden=True)
    with pytest.raises(notebook.GraderError):
        notebook.self_check("gates", namespace)
    graded = SubmissionResult(student="notebook", assignment="gates", checks=[], status="ok")
    monkeypatch.setattr(notebook, "_grade_in_subprocess", lambda *args: graded)
    assert notebook.unit_score("gates", "AddGate", namespace) == 0.0  # no checks of the unit: 0, no error


def test_released_notebook_cells_import_the_grader_or_else_the_kit():
    for assignment in ASSIGNMENTS:
        nb = nbformat.read(RELEASED / assignment / f"{assignment}.ipynb", as_version=4)
        graded = [c.source for c in nb.cells
                  if c.cell_type == "code" and ("unit_score(" in c.source or "self_check(" in c.source)]
        assert graded
        for source in graded:
            tree = ast.parse(source)
            tries = [node for node in tree.body if isinstance(node, ast.Try)]
            assert tries, source
            assert tries[0].body[0].module == "autograder.notebook"
            assert tries[0].handlers[0].body[0].module == "nnopt_kit.notebook"


@pytest.mark.slow
def test_recordings_are_regenerated_identically_from_the_suites(tmp_path):
    """The kit's recordings are a pure function of solutions/ and the suites (no second source of
    truth: `release` rebuilds them every time, and twice gives the same bytes)."""
    from autograder.release.kit import recording, sources

    outputs = []
    for run in ("one", "two"):
        staging = tmp_path / run
        sources.stage(REPO, staging)
        out = recording.record(REPO, staging, "gates")
        assert out["scores"]["reference"][0] == out["scores"]["reference"][1] > 0
        assert out["conflicts"] == [] and out["pruned_data_differs"] == []
        recording.write_recordings(out["entries"], tmp_path / f"{run}.json.gz")
        outputs.append((tmp_path / f"{run}.json.gz").read_bytes())
    assert outputs[0] == outputs[1]


@pytest.mark.slow
def test_a_non_editable_install_of_the_grader_grades(tmp_path):
    """`pip install` (not -e) of the grader: the reference ships as package data (instructors only)
    and `check` grades from outside the repository. Installed with --target and put first on the
    path of this interpreter (which has the grader's dependencies)."""
    import os
    import subprocess
    import sys

    wheels, target = tmp_path / "wheels", tmp_path / "installed"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "-w", str(wheels), str(REPO)], check=True, capture_output=True, cwd=tmp_path)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
                    *map(str, wheels.glob("*.whl"))], check=True, capture_output=True)
    env = {**{k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}, "PYTHONPATH": str(target)}
    where = subprocess.run([sys.executable, "-c", "import autograder, solutions; print(autograder.__file__)"],
                           capture_output=True, text=True, env=env, cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    assert where.stdout.startswith(str(target))
    assert (target / "solutions" / "quasi_newton.py").exists()
    student = REPO / "examples" / "cohort" / "quasi_newton" / "ada_expanded"
    done = subprocess.run([sys.executable, "-m", "autograder", "check", "--assignment", "quasi_newton",
                           "--no-color", str(student)], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    from autograder.runtime.runner import grade_source

    visible = grade_source("quasi_newton", (REPO / "solutions" / "quasi_newton.py").read_text(), hidden=False,
                           student="reference")  # the repository's own grader: full marks are its total
    assert visible.max_score > 0 and f"Score: {visible.max_score:g}/{visible.max_score:g}" in done.stdout


def test_the_ci_template_installs_the_kit_only_and_needs_no_secret():
    """templates/github-workflow.yml: the student's repository is the only checkout, no token or
    secret, the kit (a wheel in the template repository or at KIT_URL) is the only grader installed,
    and the self-check keeps the job summary and annotations (--format github) and JUnit."""
    text = (REPO / "templates" / "github-workflow.yml").read_text()
    steps = text[text.index("steps:"):]
    assert steps.count("uses: actions/checkout@") == 1 and "repository:" not in steps
    assert "secrets." not in text and "token" not in text.lower().replace("no token", "")
    assert "pip install .kit/nnopt_kit-*.whl" in text and 'pip install "$KIT_URL"' in text
    assert "autograder" not in steps.replace("autograder-report", "")
    assert 'python -m nnopt_kit check --assignment "$ASSIGNMENT" "$SUBMISSION"' in text
    assert "--format github --junit report.xml" in text
