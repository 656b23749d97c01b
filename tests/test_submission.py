"""Submissions are found and read (py, ipynb, folder, zip) without running anything."""
import subprocess
import sys
import zipfile

import nbformat
import pytest

from autograder import submission
from autograder.reference import REPO_ROOT as ROOT

SOURCE = "import numpy as np\n\ndef relu(z):\n    return np.maximum(z, 0.0)\n"


def make_notebook(path, cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    nbformat.write(nb, path)
    return path


def test_a_py_file_is_read_as_is(tmp_path):
    path = tmp_path / "alice" / "activations.py"
    path.parent.mkdir()
    path.write_text(SOURCE)
    sub = submission.load(path, "activations")
    assert (sub.student, sub.source, sub.filename, sub.error) == ("alice", SOURCE, "activations.py", "")
    assert len(sub.digest) == 64 and sub.source_path == path


def test_a_folder_prefers_the_shallowest_py_over_a_notebook(tmp_path):
    (tmp_path / "bob" / "deep").mkdir(parents=True)
    (tmp_path / "bob" / "deep" / "activations.py").write_text("x = 'deep'\n")
    (tmp_path / "bob" / "activations.py").write_text(SOURCE)
    make_notebook(tmp_path / "bob" / "activations.ipynb", [nbformat.v4.new_code_cell("x = 1")])
    sub = submission.load(tmp_path / "bob", "activations")
    assert sub.source == SOURCE and sub.filename == "activations.py" and sub.student == "bob"


def test_a_zip_is_read_in_memory(tmp_path):
    archive = tmp_path / "carol.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("__MACOSX/activations.py", "bad = True\n")
        zf.writestr("carol/activations.py", SOURCE)
    sub = submission.load(archive, "activations")
    assert sub.student == "carol" and sub.source == SOURCE
    assert not (tmp_path / "carol").exists()


def test_an_oversized_zip_member_is_refused(tmp_path):
    archive = tmp_path / "dan.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("activations.py", "#" * (submission.MAX_SOURCE_BYTES + 10))
    sub = submission.load(archive, "activations")
    assert sub.source is None and "larger than" in sub.error


def test_missing_and_corrupt_submissions_explain_themselves(tmp_path):
    (tmp_path / "erin").mkdir()
    (tmp_path / "erin" / "gates.py").write_text(SOURCE)
    assert "no activations.py or activations.ipynb" in submission.load(tmp_path / "erin", "activations").error
    (tmp_path / "frank.zip").write_bytes(b"not a zip")
    assert "cannot read" in submission.load(tmp_path / "frank.zip", "activations").error


def test_notebook_code_is_extracted_with_magics_neutralised_and_grader_cells_dropped(tmp_path):
    """Scratch statements, shell escapes and the grader's cells are not in the graded module;
    a magic inside a graded function becomes a call that does nothing."""
    test_cell = nbformat.v4.new_code_cell("assert relu(1) == 1")
    test_cell.metadata["nbgrader"] = {"grade": True, "solution": False, "grade_id": "t", "points": 1}
    self_check = nbformat.v4.new_code_cell("from autograder.notebook import self_check")
    self_check.metadata["tags"] = ["self-check"]
    cells = [nbformat.v4.new_code_cell("%matplotlib inline\n!rm -rf /tmp/x\nfiles = !ls\n" + SOURCE
                                       + "def sigmoid(z):\n    !ls\n    return 1\n"),
             nbformat.v4.new_code_cell("relu(undefined_stub())  # scratch code that would raise"),
             nbformat.v4.new_markdown_cell("# text"),
             nbformat.v4.new_code_cell("%%bash\necho hacked > /tmp/hacked\n"),
             test_cell, self_check]
    path = make_notebook(tmp_path / "activations.ipynb", cells)
    source = submission.load(path, "activations").source
    compile(source, "activations.py", "exec")
    assert "def relu(z):" in source
    assert "rm -rf" not in source and "undefined_stub" not in source  # top-level statements dropped
    assert "assert relu(1) == 1" not in source and "self_check" not in source
    namespace = {}
    exec(compile(source, "activations.py", "exec"), namespace)  # imports without running anything
    assert namespace["relu"](-1.0) == 0.0 and "files" not in namespace
    assert namespace["sigmoid"](0.0) == 1  # a magic inside a function is a no-op


def test_discover_gives_one_submission_per_student_sorted(tmp_path):
    for student in ("zoe", "amy"):
        (tmp_path / student).mkdir()
        (tmp_path / student / "activations.py").write_text(SOURCE)
    with zipfile.ZipFile(tmp_path / "amy.zip", "w") as zf:
        zf.writestr("activations.py", "duplicate = True\n")
    with zipfile.ZipFile(tmp_path / "kim.zip", "w") as zf:
        zf.writestr("activations.py", SOURCE)
    (tmp_path / ".hidden").mkdir()
    subs = submission.discover(tmp_path, "activations")
    assert [s.student for s in subs] == ["amy", "kim", "zoe"]
    assert subs[0].source == SOURCE


@pytest.mark.parametrize("name", ["activations.py", "activations.ipynb"])
def test_binary_garbage_is_an_error_not_a_crash(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"\xff\xfe\x00garbage")
    sub = submission.load(path, "activations")
    assert sub.source is None and sub.error


def test_reading_a_plain_notebook_imports_neither_ipython_nor_nbformat():
    """A version-4 notebook is read as JSON: nbformat (with jsonschema and the format checkers it
    finds, one of which compiles 38 grammars) is not imported, and IPython's transformer is needed
    only for cells that do not parse. A fresh interpreter reads a notebook without IPython syntax
    with none of them imported."""
    notebook = ROOT / "examples" / "cohort" / "gates" / "olga_notebook" / "gates.ipynb"
    script = ("import sys; from pathlib import Path; from autograder import submission; "
              f"sub = submission.load(Path({str(notebook)!r}), 'gates'); "
              "print(sub.error or 'read', 'class AddGate' in sub.source, "
              "sorted(set(submission._FORMAT_CHECKERS + ('IPython', 'nbformat')) & set(sys.modules)))")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.stdout.split("\n")[-2] == "read True []", run.stdout + run.stderr

