"""Grader instructions per submission: a measure that does not move with the machine's load.

    python benchmarks/instructions.py [ASSIGNMENT ...] [--students 6]

On a shared 2-core VM, timings of the same code differ by 10-20% from run to run, so a change
worth a few percent cannot be seen in `bench.py`. This runs valgrind's cachegrind (instruction
counts only) on a process that grades one demo-cohort student of each assignment in one
`SuiteSession`, once and then `--students` times, and prints the difference divided by
`--students - 1`: the instructions the grading process runs per submission, start-up excluded.
Counts repeat to well under 1% between runs.

What it does not see: the student's worker (another process, not traced), and where the real
CPU has special instructions that valgrind lacks (SHA-NI: under valgrind the initializers'
SHA-256 of the weights runs in software and is counted several times over). Compare two commits with it;
read seconds from `bench.py`.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder.reference import ASSIGNMENTS  # noqa: E402

GRADE_REPEATEDLY = """
import sys
from pathlib import Path
sys.path.insert(0, {repo!r})
from autograder import sandbox
from autograder.runtime.runner import _grade_file
from autograder.runtime.session import shared_session
name, times, source = {name!r}, {times}, Path({source!r})
session = shared_session(name)
for _ in range(times):
    session.execute(lambda: _grade_file(name, source, session.run_checks, student="s", mode="auto",
                                        limits=sandbox.Limits(), warm=True))
"""


def cohort_student(name: str) -> Path:
    """The first demo-cohort student of `name` with a plain `.py` submission."""
    return sorted((REPO / "examples" / "cohort" / name).glob(f"*/{name}.py"))[0]


def valgrind_instructions(script: str, env: dict | None = None) -> int | None:
    """Instructions valgrind's cachegrind counts for `python -c script` (that process only, not the
    workers it starts), in `env` (this process's environment by default); None if the run failed."""
    run = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                          sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True)
    match = re.search(r"I\s+refs:\s+([\d,]+)", run.stderr)
    if run.returncode != 0 or match is None:
        sys.stderr.write(run.stderr[-2000:])
        return None
    return int(match.group(1).replace(",", ""))


def instructions(name: str, times: int) -> int:
    """Instructions valgrind counts for a process that grades the cohort student `times` times."""
    script = GRADE_REPEATEDLY.format(repo=str(REPO), name=name, times=times, source=str(cohort_student(name)))
    count = valgrind_instructions(script, dict(os.environ, OPENBLAS_NUM_THREADS="1"))
    if count is None:
        raise SystemExit(f"valgrind run failed for {name}")
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", metavar="ASSIGNMENT",
                        help=f"any of {', '.join(ASSIGNMENTS)} (default: all)")
    parser.add_argument("--students", type=int, default=6, help="gradings in the long run (>= 2)")
    args = parser.parse_args()
    unknown = [name for name in args.assignments if name not in ASSIGNMENTS]
    if unknown:
        parser.error(f"unknown assignment {', '.join(unknown)}; choose from {', '.join(ASSIGNMENTS)}")
    args.assignments = args.assignments or list(ASSIGNMENTS)
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    if args.students < 2:
        raise SystemExit("--students must be at least 2")
    print(f"{'assignment':<14}{'grader instructions per submission':>36}")
    for name in args.assignments:
        per_student = (instructions(name, args.students) - instructions(name, 1)) / (args.students - 1)
        print(f"{name:<14}{per_student / 1e6:>34.0f} M")


if __name__ == "__main__":
    main()
