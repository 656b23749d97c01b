"""The Gradescope bundle: its layout, and (slow) `run_autograder` on a tree laid out like /autograder.

results.json is validated against Gradescope's autograder specification
(gradescope-autograders.readthedocs.io/en/latest/specs/): top-level `score` (number, required
when tests carry no scores), optional `execution_time` (number), `output` (string),
`stdout_visibility` / `visibility`, `extra_data` (object), `tests` (list); each test a `name`
(string), `score` / `max_score` (numbers), `status` "passed" | "failed", `output` (string),
`visibility` "hidden" | "after_due_date" | "after_published" | "visible".
"""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.gradescope import build_bundle, student_id

REPO = Path(__file__).resolve().parent.parent
VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}


def validate_results(data: dict) -> None:
    """Assert `data` follows Gradescope's results.json specification."""
    assert isinstance(data["score"], (int, float)) and not isinstance(data["score"], bool)
    assert isinstance(data.get("execution_time", 0), (int, float))
    assert isinstance(data.get("output", ""), str)
    assert data.get("stdout_visibility", "hidden") in VISIBILITIES
    assert isinstance(data.get("extra_data", {}), dict)
    assert isinstance(data["tests"], list)
    for test in data["tests"]:
        assert isinstance(test["name"], str) and test["name"]
        assert isinstance(test["score"], (int, float)) and isinstance(test["max_score"], (int, float))
        assert 0 <= test["score"] <= test["max_score"]
        assert test["status"] in ("passed", "failed")
        assert isinstance(test["output"], str)
        assert test["visibility"] in VISIBILITIES
    json.dumps(data, allow_nan=False)  # strict JSON: no NaN / Infinity


def test_bundle_layout(tmp_path):
    bundle = build_bundle("line_search", tmp_path / "autograder.zip", REPO)
    with zipfile.ZipFile(bundle) as archive:
        infos = {i.filename: i for i in archive.infolist()}
        assert json.loads(archive.read("gradescope.json")) == {"assignment": "line_search"}
    for script in ("setup.sh", "run_autograder"):
        assert stat.S_IMODE(infos[script].external_attr >> 16) == 0o755
    for required in ("pyproject.toml", "autograder/__main__.py", "autograder/gradescope.py",
                     "solutions/line_search.py", "autograder/suites/line_search/test_visible.py"):
        assert required in infos
    assert not [n for n in infos if "__pycache__" in n or n.endswith(".pyc")]


def test_bundle_refuses_unknown_assignment(tmp_path):
    with pytest.raises(ValueError):
        build_bundle("no_such_assignment", tmp_path / "autograder.zip", REPO)


def test_student_id_from_submission_metadata(tmp_path):
    assert student_id(tmp_path) == "submission"
    (tmp_path / "submission_metadata.json").write_text(json.dumps({"users": [{"email": "ada lovelace@uni.edu"}]}))
    assert student_id(tmp_path) == "ada_lovelace@uni.edu"


def gradescope_tree(tmp_path: Path, files: dict[str, str]) -> Path:
    """/autograder as Gradescope lays it out: source/ (the unzipped bundle), run_autograder,
    submission/ (the student's files), submission_metadata.json, results/."""
    root = tmp_path / "autograder"
    with zipfile.ZipFile(build_bundle("line_search", tmp_path / "autograder.zip", REPO)) as archive:
        archive.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    for name, text in files.items():
        (root / "submission" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "submission" / name).write_text(text)
    (root / "results").mkdir()
    (root / "submission_metadata.json").write_text(json.dumps({"id": 7, "users": [{"email": "ada@uni.edu"}]}))
    return root


def run_autograder(root: Path) -> dict:
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable}
    subprocess.run(["bash", str(root / "run_autograder")], cwd=root, env=env, check=True, timeout=600,
                   capture_output=True, text=True)
    data = json.loads((root / "results" / "results.json").read_text())
    validate_results(data)
    return data


@pytest.mark.slow
def test_run_autograder_grades_the_reference_solution_in_full(tmp_path):
    reference = (REPO / "solutions" / "line_search.py").read_text()
    data = run_autograder(gradescope_tree(tmp_path, {"hw/line_search.py": reference}))
    assert data["tests"] and data["score"] == data["max_score"] == sum(t["max_score"] for t in data["tests"])
    assert data["extra_data"]["student"] == "ada@uni.edu"
    assert {t["visibility"] for t in data["tests"]} == {"visible", "after_published"}


@pytest.mark.slow
def test_run_autograder_gives_a_broken_submission_zero_with_a_message(tmp_path):
    data = run_autograder(gradescope_tree(tmp_path, {"line_search.py": "def golden_section_search(f, a, b\n"}))
    assert data["score"] == 0
    assert data["extra_data"]["status"] == "import_error"
    assert "SyntaxError" in data["output"]
    assert all(t["score"] == 0 and t["status"] == "failed" for t in data["tests"])


@pytest.mark.slow
def test_run_autograder_writes_a_zero_when_the_grader_fails(tmp_path):
    root = gradescope_tree(tmp_path, {"line_search.py": "x = 1\n"})
    (root / "source" / "gradescope.json").write_text(json.dumps({"assignment": "not_an_assignment"}))
    data = run_autograder(root)
    assert data["score"] == 0 and data["tests"] == []
    assert "could not grade this submission" in data["output"]
