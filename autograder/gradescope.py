"""The Gradescope autograder bundle (`autograder.zip`) and the grading step it runs.

Gradescope unpacks the zip into /autograder/source, runs `setup.sh` once when it builds the
image, and runs `run_autograder` (copied to /autograder/run_autograder) for every submission,
with the student's files in /autograder/submission. Our `run_autograder` calls
`python -m autograder.gradescope` with the venv's interpreter, which grades the one submission with
`python -m autograder grade` and copies its `results.json` (written by
`results.to_gradescope`) to /autograder/results/results.json.

Environment overrides (for testing the bundle outside Gradescope):
`AUTOGRADER_ROOT` replaces /autograder; `AUTOGRADER_PYTHON` replaces the interpreter of the
virtual environment `setup.sh` creates (/autograder/venv/bin/python).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

CONFIG_NAME = "gradescope.json"
TEMPLATE_DIR = Path("templates") / "gradescope"
SOURCE_PARTS = ("autograder", "solutions", "pyproject.toml")
OPTIONAL_PARTS = ("README.md", "LICENSE")
_SKIPPED = {"__pycache__", ".pytest_cache"}


def build_bundle(assignment: str, out_zip: Path, repo_root: Path) -> Path:
    """Write the Gradescope zip for `assignment` to `out_zip` and return its path.

    Root of the zip: `setup.sh` and `run_autograder` (from templates/gradescope/, executable),
    `gradescope.json` ({"assignment": NAME}), and the grader source: autograder/, solutions/,
    pyproject.toml (plus README.md / LICENSE when present, which the package metadata names).
    """
    repo_root, out_zip = Path(repo_root), Path(out_zip)
    if not (repo_root / "solutions" / f"{assignment}.py").is_file():
        raise ValueError(f"no reference solution solutions/{assignment}.py under {repo_root}")
    missing = [part for part in SOURCE_PARTS + tuple(str(TEMPLATE_DIR / n) for n in ("setup.sh", "run_autograder"))
               if not (repo_root / part).exists()]
    if missing:
        raise FileNotFoundError(f"cannot build the bundle, missing under {repo_root}: {', '.join(missing)}")
    out_zip.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out_zip, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for script in ("setup.sh", "run_autograder"):
            _add(archive, repo_root / TEMPLATE_DIR / script, script, executable=True)
        archive.writestr(CONFIG_NAME, json.dumps({"assignment": assignment}) + "\n")
        for part in SOURCE_PARTS + OPTIONAL_PARTS:
            path = repo_root / part
            files = sorted(path.rglob("*")) if path.is_dir() else [path] if path.is_file() else []
            for file in files:
                relative = file.relative_to(repo_root)
                if file.is_file() and not _SKIPPED.intersection(relative.parts) and file.suffix != ".pyc":
                    _add(archive, file, relative.as_posix())
    return out_zip


def _add(archive: zipfile.ZipFile, path: Path, name: str, executable: bool = False) -> None:
    info = zipfile.ZipInfo.from_file(path, name)
    info.compress_type = zipfile.ZIP_DEFLATED
    mode = 0o755 if executable else 0o644
    info.external_attr = (stat.S_IFREG | mode) << 16
    archive.writestr(info, path.read_bytes())


def student_id(root: Path) -> str:
    """The submitter's id for the results: the first user's e-mail in submission_metadata.json
    (characters outside [A-Za-z0-9_.@+-] replaced by '_'), else 'submission'."""
    try:
        users = json.loads((root / "submission_metadata.json").read_text()).get("users") or []
        email = str(users[0].get("email") or "")
    except (OSError, ValueError, AttributeError, IndexError):
        email = ""
    return re.sub(r"[^A-Za-z0-9_.@+-]", "_", email).strip(".") or "submission"


def run(root: Path, python: str) -> dict:
    """Grade root/submission with `python -m autograder grade` and write root/results/results.json.

    The grader runs from root/source (where autograder/ and solutions/ sit side by side). When it
    leaves no results.json, the student gets a zero with a message and the grader's stderr goes
    to this process's stdout (Gradescope shows it to instructors only).
    """
    source = root / "source"
    assignment = json.loads((source / CONFIG_NAME).read_text())["assignment"]
    student = student_id(root)
    with tempfile.TemporaryDirectory(prefix="gradescope-") as tmp:
        submissions, out = Path(tmp) / "submissions", Path(tmp) / "out"
        shutil.copytree(root / "submission", submissions / student)
        proc = subprocess.run(
            [python, "-m", "autograder", "grade", "--assignment", assignment, "--out", str(out),
             "--jobs", "1", "--no-progress", str(submissions)],
            cwd=source, capture_output=True, text=True,
        )
        print(proc.stdout, end="")
        print(proc.stderr, end="")
        produced = out / student / "results.json"
        if produced.is_file():
            results = json.loads(produced.read_text())
        else:
            results = {"score": 0.0, "output": "The autograder could not grade this submission (grader exit status "
                                               f"{proc.returncode}). Please contact the course staff.",
                       "stdout_visibility": "hidden", "tests": []}
    (root / "results").mkdir(parents=True, exist_ok=True)
    (root / "results" / "results.json").write_text(json.dumps(results, indent=1))
    return results


def main() -> int:
    root = Path(os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    results = run(root, sys.executable)
    print(f"score {results.get('score')} written to {root / 'results' / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
