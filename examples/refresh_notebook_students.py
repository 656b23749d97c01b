"""Rewrite the demo cohort's notebook students as answer keys of the current release.

    python examples/refresh_notebook_students.py

Run after changing `solutions/` (and `python -m autograder release`): each cohort's
notebook student is the released notebook with its solution cells filled in with the
reference code, which tests/validity checks cell by cell.
"""
import json
from pathlib import Path

from autograder.reference import ASSIGNMENTS
from autograder.release import answer_key
from autograder.release.notebooks import write_notebook

REPO = Path(__file__).resolve().parent.parent

for assignment in ASSIGNMENTS:
    cohort = REPO / "examples" / "cohort" / assignment
    for student in json.loads((cohort / "expected.json").read_text()):
        path = cohort / student / f"{assignment}.ipynb"
        if path.exists():
            print(write_notebook(answer_key(assignment, REPO), path))
