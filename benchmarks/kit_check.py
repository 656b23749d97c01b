"""Benchmark: the student kit's `check` against the grader's, on the same submissions.

    python benchmarks/kit_check.py KIT_PYTHON [--repeat 5]

KIT_PYTHON is the interpreter of a virtualenv where the kit is installed
(`python -m venv KIT; KIT/bin/pip install dist/nnopt_kit-*.whl`). For each assignment, runs in
turn `KIT_PYTHON -c "import numpy"` (the floor), `KIT_PYTHON -m nnopt_kit check` and this
interpreter's `python -m autograder check` on the reference solution, outside the repository,
`--repeat` times, and prints the medians and ranges.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ASSIGNMENTS = ("gates", "activations", "initializers", "optimizers", "line_search", "quasi_newton")


def timed(command: list[str], cwd: Path, env: dict) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, cwd=cwd, env=env)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout.decode()[-2000:]}{done.stderr.decode()[-2000:]}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("kit_python", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    with tempfile.TemporaryDirectory(prefix="kit-bench-") as tmp:
        cwd = Path(tmp)
        for assignment in ASSIGNMENTS:
            source = REPO / "solutions" / f"{assignment}.py"
            runs = {
                "import numpy": [str(args.kit_python), "-c", "import numpy"],
                "kit check": [str(args.kit_python), "-m", "nnopt_kit", "check", "--assignment", assignment,
                              "--no-color", str(source)],
                "grader check": [sys.executable, "-m", "autograder", "check", "--assignment", assignment,
                                 "--no-color", str(source)],
            }
            seconds = {name: [] for name in runs}
            for _ in range(args.repeat):
                for name, command in runs.items():
                    seconds[name].append(timed(command, cwd, {**env, "PYTHONPATH": str(REPO)}
                                               if name == "grader check" else env))
            print(assignment + ": " + "; ".join(
                f"{name} {statistics.median(s):.3f} s [{min(s):.3f}-{max(s):.3f}]" for name, s in seconds.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
