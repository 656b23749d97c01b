"""What each speed setting of `autograder/speed.py` saves: the command with that setting left out
against the command with every setting, in alternating pairs.

    python benchmarks/settings.py [--pairs 7] [--class-size 40] [SETTING ...]
    python benchmarks/settings.py --instructions [freeze gcpool]

Each run is a fresh `python -m autograder ...` whose driver first replaces one entry point of
`speed` (or empties the workers' malloc variables) by a no-op; the other run of the pair leaves
everything as it is. Runs alternate (the first of each pair alternates too), so the machine's drift
falls on both, and the table gives, per setting, the median seconds with and without it and the
median and range of the pairs' differences. The environment of both runs has no BLAS thread
variables, so the BLAS setting is what decides the thread count.

Settings (each measured on the command and assignment where it acts):
  blas     one BLAS thread in the grading process: `check` of the optimizers reference
  freeze   gc.freeze once the submission is loaded: `check` of the cohort's gates notebook
  malloc   glibc malloc settings in the grading process and the worker: `check` of the initializers
           reference (megabyte-sized arrays come back on every call)
  pin      CPU pinning (pool processes, and the per-call pin): `grade -j 2` of a class of activations
  call     the per-call pin alone: seconds per round trip of 2000 calls of a function that returns its
           argument, a cold bubblewrap worker, as `check` makes them (the time inside the process)
  gcpool   gc.freeze after a pool process's first student: `grade -j 2` of a class of gates

`--instructions` counts, with valgrind, the grading process's instructions instead of timing (the
gc settings only; noise-free, but blind to what the kernel and the other CPU do): `freeze` the
whole `check` process, `gcpool` a process that grades the demo cohort's first gates student
`GRADINGS` times in one pytest session, freezing after the first as a pool process does (or not).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from instructions import valgrind_instructions

REPO = Path(__file__).resolve().parent.parent
BLAS_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")

WITHOUT = {
    "blas": "speed.grading_process = lambda **_: None",
    "freeze": "speed.freeze_long_lived = lambda **_: None",
    "malloc": ("speed.reuse_freed_memory = lambda: False\n"
               "from autograder.sandbox import bubblewrap, memory\n"
               "for name in memory.ENVIRONMENT: bubblewrap.WORKER_ENV.pop(name)"),
    "pin": ("speed.pool_process = lambda index: None\n"
            "from autograder.sandbox import affinity\n"
            "affinity.pin_thread_with = lambda find_pids: None"),
    "call": ("from autograder.sandbox import affinity\n"
             "affinity.pin_thread_with = lambda find_pids: None"),
    "gcpool": "speed.freeze_long_lived = lambda **_: None",
}
DRIVER = """
import sys
sys.path.insert(0, {repo!r})
from autograder import speed
{without}
from autograder.cli import main
sys.argv = ["autograder", *{argv!r}]
main()
"""
CALLS = """
import sys, tempfile, time
from pathlib import Path
sys.path.insert(0, {repo!r})
from autograder import speed
{without}
from autograder.runtime.runner import StudentCode
with tempfile.TemporaryDirectory() as tmp:
    path = Path(tmp) / "tiny.py"
    path.write_text("def identity(x):\\n    return x\\n")
    with StudentCode(path, "tiny", mode="bwrap") as code:
        code.start()
        start = time.perf_counter()
        for _ in range(2000):
            code.identity(1.0)
        print("SECONDS", (time.perf_counter() - start) / 2000)
"""
GRADINGS = 6
GRADE_IN_SESSION = """
import sys
from pathlib import Path
sys.path.insert(0, {repo!r})
from autograder import sandbox, speed
from autograder.runtime.runner import grade_file
from autograder.runtime.session import shared_session
source = sorted(Path({repo!r}, "examples", "cohort", "gates").glob("*/gates.py"))[0]
session = shared_session("gates")
for k in range({gradings}):
    grade_file("gates", source, student="s", warm=True, session=session)
    if {freeze}:
        speed.freeze_long_lived(collect=True)
session.close()
"""


def command(setting: str, scratch: Path, class_size: int) -> list[str]:
    """The autograder command line (after `python -m autograder`) on which `setting` is measured
    (["call"]: the round-trip script `CALLS`)."""
    cohort = REPO / "examples" / "cohort"
    if setting == "call":
        return ["call"]
    if setting == "blas":
        return ["check", "--assignment", "optimizers", str(REPO / "solutions" / "optimizers.py")]
    if setting == "freeze":
        notebook = sorted((cohort / "gates").glob("*/gates.ipynb"))[0]
        return ["check", "--assignment", "gates", str(notebook)]
    if setting == "malloc":
        return ["check", "--assignment", "initializers", str(REPO / "solutions" / "initializers.py")]
    name = "activations" if setting == "pin" else "gates"
    klass = scratch / "class" / name
    if not klass.exists():
        students = sorted(p for p in (cohort / name).iterdir() if p.is_dir())
        for k in range(class_size):
            shutil.copytree(students[k % len(students)], klass / f"s{k:03d}")
    return ["grade", "--assignment", name, "-j", "2", "--regrade", "--no-progress",
            "--out", str(scratch / "out" / name), str(klass)]


def run(argv: list[str], without: str) -> float:
    env = {key: value for key, value in os.environ.items() if key not in BLAS_VARIABLES}
    template = CALLS if argv == ["call"] else DRIVER
    script = template.format(repo=str(REPO), without=without, argv=argv)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True,
                          check=False)
    wall = time.perf_counter() - start
    inside = [line.split()[1] for line in done.stdout.splitlines() if line.startswith("SECONDS ")]
    return float(inside[0]) if inside else wall


def instructions(script: str) -> int:
    """Instructions valgrind counts for `python -c script` (this process only, not its workers)."""
    env = {key: value for key, value in os.environ.items() if key not in BLAS_VARIABLES}
    count = valgrind_instructions(script, env)
    if count is None:
        raise SystemExit("valgrind run failed")
    return count


def count_instructions(settings: list[str]) -> None:
    print("# speed settings: instructions of the grading process (valgrind), with and without")
    print(f"{'setting':<8}{'with M':>10}{'without M':>11}{'saves M':>9}  what")
    for setting in settings:
        if setting == "freeze":
            argv = command("freeze", Path("."), 0)
            with_, without = (instructions(DRIVER.format(repo=str(REPO), without=patch, argv=argv))
                              for patch in ("", WITHOUT["freeze"]))
            what = f"the whole process of autograder {' '.join(argv[:3])} (the cohort's notebook)"
        elif setting == "gcpool":
            with_, without = (instructions(GRADE_IN_SESSION.format(repo=str(REPO), gradings=GRADINGS, freeze=freeze))
                              for freeze in (True, False))
            what = f"{GRADINGS} gradings of a gates student in one session; per later submission: " \
                   f"{(without - with_) / (GRADINGS - 1) / 1e6:.1f} M"
        else:
            raise SystemExit(f"--instructions: only freeze and gcpool, not {setting}")
        print(f"{setting:<8}{with_ / 1e6:>10.0f}{without / 1e6:>11.0f}{(without - with_) / 1e6:>+9.0f}  {what}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("settings", nargs="*", metavar="SETTING", help=f"any of {', '.join(WITHOUT)} (default: all)")
    parser.add_argument("--pairs", type=int, default=7)
    parser.add_argument("--class-size", type=int, default=40, help="students graded by the `grade` settings")
    parser.add_argument("--instructions", action="store_true", help="count instructions (freeze, gcpool)")
    args = parser.parse_args()
    unknown = [name for name in args.settings if name not in WITHOUT]
    if unknown:
        parser.error(f"unknown setting {', '.join(unknown)}; choose from {', '.join(WITHOUT)}")
    if args.instructions:
        count_instructions(args.settings or ["freeze", "gcpool"])
        return
    print(f"# speed settings: seconds per run (call: ms per round trip), median of {args.pairs} alternating "
          f"pairs (grade: a class of {args.class_size})")
    print(f"{'setting':<8}{'with s':>9}{'without s':>11}{'saves s':>9}{'pairs':>17}  command")
    with tempfile.TemporaryDirectory(prefix="nnopt-settings-") as tmp:
        for setting in args.settings or list(WITHOUT):
            argv = command(setting, Path(tmp), args.class_size)
            run(argv, "")  # the file cache
            with_, without = [], []
            for k in range(args.pairs):
                order = ((with_, ""), (without, WITHOUT[setting]))
                for samples, patch in order if k % 2 == 0 else reversed(order):
                    samples.append(run(argv, patch))
            scale = 1e3 if argv == ["call"] else 1.0  # a round trip in ms, a run in s
            with_, without = [t * scale for t in with_], [t * scale for t in without]
            saved = [b - a for a, b in zip(with_, without)]
            print(f"{setting:<8}{statistics.median(with_):>9.3f}{statistics.median(without):>11.3f}"
                  f"{statistics.median(saved):>+9.3f}{f'{min(saved):+.3f}..{max(saved):+.3f}':>17}"
                  f"  {'autograder ' + ' '.join(argv[:3]) if argv != ['call'] else 'ms per identity(1.0), cold bwrap worker'}")


if __name__ == "__main__":
    main()
