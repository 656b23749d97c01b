"""`check` and `grade` end to end: exit codes, outputs, one row per student, resumability."""
import csv
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from autograder.reference import REPO_ROOT, SOLUTIONS_DIR
from autograder.release.stubs import clear_solutions

ASSIGNMENT = "activations"
REFERENCE = (SOLUTIONS_DIR / f"{ASSIGNMENT}.py").read_text()


def run_cli(*args, timeout=600):
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=timeout)


def make_cohort(root: Path) -> Path:
    """correct (folder), broken import (folder), a zip, and a student without the file."""
    cohort = root / "submissions"
    for student, source in {"ana": REFERENCE, "ben": "def sigmoid(:\n", "dee": clear_solutions(REFERENCE)}.items():
        (cohort / student).mkdir(parents=True)
        (cohort / student / f"{ASSIGNMENT}.py").write_text(source)
    with zipfile.ZipFile(cohort / "cy.zip", "w") as zf:
        zf.writestr(f"cy/{ASSIGNMENT}.py", REFERENCE)
    (cohort / "eve").mkdir()
    (cohort / "eve" / "notes.txt").write_text("forgot the file")
    return cohort


def read_gradebook(out: Path) -> list[dict]:
    with open(out / "gradebook.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def test_check_exit_codes_follow_the_visible_checks(tmp_path):
    good = tmp_path / "good" / f"{ASSIGNMENT}.py"
    good.parent.mkdir()
    good.write_text(REFERENCE)
    passed = run_cli("check", "--assignment", ASSIGNMENT, good.parent, "--no-color")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "All checks passed" in passed.stdout
    stub = tmp_path / f"{ASSIGNMENT}.py"
    stub.write_text(clear_solutions(REFERENCE))
    failed = run_cli("check", "--assignment", ASSIGNMENT, stub, "--no-color")
    assert failed.returncode == 1 and "not implemented yet" in failed.stdout
    missing = run_cli("check", "--assignment", ASSIGNMENT, tmp_path / "nothing.py")
    assert missing.returncode == 1 and "does not exist" in missing.stderr



@pytest.mark.parametrize("chosen, expected", [(None, "1"), ("2", "2")])
def test_check_runs_one_blas_thread_unless_the_user_chose(tmp_path, chosen, expected):
    """OpenBLAS's spinning threads would compete with the worker for the cores (speed.grading_process)."""
    good = tmp_path / f"{ASSIGNMENT}.py"
    good.write_text(REFERENCE)
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if chosen:
        env["OPENBLAS_NUM_THREADS"] = chosen
    script = ("import os, sys; from autograder import cli; code = cli.main(sys.argv[1:]); "
              "print('blas', os.environ.get('OPENBLAS_NUM_THREADS'), code)")
    run = subprocess.run([sys.executable, "-c", script, "check", "--assignment", ASSIGNMENT, str(good)],
                         cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert run.stdout.splitlines()[-1] == f"blas {expected} 0", run.stdout + run.stderr

@pytest.mark.slow
def test_grade_writes_one_row_and_results_per_student_and_resumes(tmp_path):
    cohort, out = make_cohort(tmp_path), tmp_path / "out"
    first = run_cli("grade", "--assignment", ASSIGNMENT, "--out", out, cohort, "-j", "2", "--no-progress")
    assert first.returncode == 0, first.stderr
    rows = {r["student"]: r for r in read_gradebook(out)}
    assert sorted(rows) == ["ana", "ben", "cy", "dee", "eve"]
    max_score = float(rows["ana"]["max_score"])
    assert max_score > 0 and all(float(r["max_score"]) == max_score for r in rows.values())
    assert float(rows["ana"]["score"]) == float(rows["cy"]["score"]) == max_score
    assert float(rows["ben"]["score"]) == float(rows["dee"]["score"]) == float(rows["eve"]["score"]) == 0
    assert rows["ben"]["status"] == "import_error" and "SyntaxError" in rows["ben"]["message"]
    assert rows["eve"]["status"] == "no_submission"

    results = json.loads((out / "ana" / "results.json").read_text())
    assert results["score"] == max_score and results["tests"]
    for test in results["tests"]:
        assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(test)
        assert test["status"] in ("passed", "failed")
    assert any(t["visibility"] == "after_published" for t in results["tests"])  # hidden checks

    stamps = {s: (out / s / "results.json").stat().st_mtime_ns for s in rows}
    second = run_cli("grade", "--assignment", ASSIGNMENT, "--out", out, cohort, "--no-progress")
    assert second.returncode == 0
    assert {s: (out / s / "results.json").stat().st_mtime_ns for s in rows} == stamps  # nothing regraded
    (cohort / "ben" / f"{ASSIGNMENT}.py").write_text(REFERENCE)
    third = run_cli("grade", "--assignment", ASSIGNMENT, "--out", out, cohort, "--no-progress")
    assert third.returncode == 0
    changed = {s for s in rows if (out / s / "results.json").stat().st_mtime_ns != stamps[s]}
    assert changed == {"ben"} and float({r["student"]: r for r in read_gradebook(out)}["ben"]["score"]) == max_score


@pytest.mark.slow
def test_a_batch_killed_mid_run_resumes_to_the_same_gradebook(tmp_path):
    cohort = make_cohort(tmp_path)
    for k in range(4):
        shutil.copytree(cohort / "ana", cohort / f"extra{k}")
    clean = tmp_path / "clean"
    assert run_cli("grade", "--assignment", ASSIGNMENT, "--out", clean, cohort, "-j", "1", "--no-progress").returncode == 0

    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "autograder", "grade", "--assignment", ASSIGNMENT, "--out",
                             str(out), str(cohort), "-j", "1", "--no-progress"], cwd=REPO_ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while not list(out.glob("*/results.json")) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    assert not (out / "gradebook.csv").exists()
    assert not list(out.rglob(".results.json.*"))  # no torn temporary files left as results
    resumed = run_cli("grade", "--assignment", ASSIGNMENT, "--out", out, cohort, "-j", "2", "--no-progress")
    assert resumed.returncode == 0
    strip = [{k: v for k, v in r.items() if k != "seconds"} for r in read_gradebook(out)]
    assert strip == [{k: v for k, v in r.items() if k != "seconds"} for r in read_gradebook(clean)]
