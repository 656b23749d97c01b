"""Benchmark: self-check latency, batch throughput, and what the sandbox costs.

    python benchmarks/bench.py [--repeat 5] [--class-size 200] [--class-runs 3]
                               [--notebook-copies 16] [--notebook-rounds 5] [--skip check grade notebooks sandbox]

Prints, for each assignment, the seconds of `check` on the reference solution and on the
demo cohort's notebook submission, and their ratio to `python -c "import numpy"` measured in
the same run (target: <= 5x); the
seconds per submission of `grade` on the demo cohort and on a synthetic class of
`--class-size` students, median of `--class-runs` (target: <= 1/20 of nbgrader's ~1.8-2.4 s
per notebook; also scaled to the machine speed at which nbgrader was timed, by the floor); `grade`
of notebooks against the same code as .py files (target: <= 1.5x), timed and in instructions; and
the sandbox's overhead per submission and per call against the same checks with the
worker started as a plain, unisolated process (benchmark only: the product has no such mode).
"""
from __future__ import annotations

import argparse
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder import sandbox  # noqa: E402
from autograder.reference import ASSIGNMENTS, SOLUTIONS_DIR  # noqa: E402

NBGRADER_SECONDS_PER_NOTEBOOK = (1.84, 2.4)  # shared/notes/machine-facts.md, this machine
NBGRADER_FLOOR_SECONDS = 0.123  # the same notes' `import numpy` median, measured alongside
FLOOR = [sys.executable, "-c", "import numpy"]


def timed(cmd: list[str], repeat: int) -> float:
    """Median wall seconds of running `cmd`."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def bench_check(repeat: int, scratch: Path) -> None:
    """`check` on the reference (.py) and on the demo cohort's notebook student (.ipynb), each
    run paired with a floor run right before it.

    This machine's speed drifts by +-20% from minute to minute, so the ratio is taken
    between the medians of the pairs measured together, assignment by assignment.
    """
    print(f"\n## check (visible checks, one submission): median of {repeat}, each run paired with a "
          "floor run `python -c 'import numpy'`")
    print(f"{'assignment':<22}{'seconds':>9}{'floor s':>9}{'x floor':>9}")
    for name in ASSIGNMENTS:
        path = scratch / "check" / name / f"{name}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SOLUTIONS_DIR / f"{name}.py", path)
        notebook = sorted((REPO / "examples" / "cohort" / name).glob(f"*/{name}.ipynb"))[:1]
        for label, submission in ((name, path), *((f"{name} (.ipynb)", nb) for nb in notebook)):
            check = [sys.executable, "-m", "autograder", "check", "--assignment", name, str(submission)]
            timed(check, 1)  # warm the file cache
            floors, seconds = [], []
            for _ in range(repeat):
                floors.append(timed(FLOOR, 1))
                seconds.append(timed(check, 1))
            floor, median = statistics.median(floors), statistics.median(seconds)
            print(f"{label:<22}{median:>9.3f}{floor:>9.3f}{median / floor:>9.2f}")


def synthetic_class(name: str, size: int, scratch: Path) -> Path:
    """`size` students cycling through the demo cohort's submissions of `name`."""
    cohort = REPO / "examples" / "cohort" / name
    entries = sorted(p for p in cohort.iterdir() if p.is_dir() or p.suffix == ".zip")
    target = scratch / "class" / name
    for k in range(size):
        entry = entries[k % len(entries)]
        dest = target / f"s{k:04d}{entry.suffix}"
        if entry.is_dir():
            shutil.copytree(entry, dest)
        else:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(entry, dest)
    return target


def bench_grade(class_size: int, class_runs: int, scratch: Path) -> None:
    """`grade` on the demo cohort and, `class_runs` times, on a synthetic class.

    nbgrader's time was measured on a day when the floor took NBGRADER_FLOOR_SECONDS; each
    class run is scaled by the floor measured right before it (median of 5 runs), so that the
    comparison does not drift with the machine's speed. A single run moves by +-20% on this
    machine: the table gives the median over the runs and, for the scaled value, their range.
    """
    low, high = NBGRADER_SECONDS_PER_NOTEBOOK
    print(f"\n## grade (all checks, -j = cores): seconds per submission; target <= {low / 20:.3f} s "
          f"(1/20 of nbgrader's {low}-{high} s, measured with a floor of {NBGRADER_FLOOR_SECONDS} s); "
          f"class: median of {class_runs} runs")
    print(f"{'assignment':<14}{'cohort n':>9}{'s/sub':>8}{'class n':>9}{'s/sub':>8}{'floor s':>9}"
          f"{'s/sub at nbgrader floor':>25}{'range':>15}")
    for name in ASSIGNMENTS:
        cohort = REPO / "examples" / "cohort" / name
        n_cohort = sum(1 for p in cohort.iterdir() if p.is_dir() or p.suffix == ".zip")
        cohort_seconds = timed([sys.executable, "-m", "autograder", "grade", "--assignment", name, "--out",
                                str(scratch / "out" / name), "--regrade", "--no-progress", str(cohort)], 1)
        klass = synthetic_class(name, class_size, scratch)
        floors, per_sub, scaled = [], [], []
        for _ in range(class_runs):
            floors.append(timed(FLOOR, 5))
            seconds = timed([sys.executable, "-m", "autograder", "grade", "--assignment", name, "--out",
                             str(scratch / "class-out" / name), "--regrade", "--no-progress", str(klass)], 1)
            per_sub.append(seconds / class_size)
            scaled.append(per_sub[-1] * NBGRADER_FLOOR_SECONDS / floors[-1])
        spread = f"{min(scaled):.3f}-{max(scaled):.3f}"
        print(f"{name:<14}{n_cohort:>9}{cohort_seconds / n_cohort:>8.3f}{class_size:>9}"
              f"{statistics.median(per_sub):>8.3f}{statistics.median(floors):>9.3f}"
              f"{statistics.median(scaled):>25.3f}{spread:>15}")


NOTEBOOK_ASSIGNMENT = "gates"
READ_AND_IMPORT = """
import sys
from pathlib import Path
sys.path.insert(0, {repo!r})
import numpy
from autograder import submission
for sub in submission.discover(Path({folder!r}), {name!r}):
    exec(compile(sub.source, sub.filename, "exec"), {{"__name__": "student"}})
"""


def notebook_and_py_classes(copies: int, scratch: Path) -> tuple[Path, Path]:
    """`copies` students handing in the demo cohort's filled-in notebook of NOTEBOOK_ASSIGNMENT,
    and `copies` handing in the same code as NAME.py (its code cells but the grader's, in order)."""
    from autograder import submission

    name = NOTEBOOK_ASSIGNMENT
    notebook = sorted((REPO / "examples" / "cohort" / name).glob(f"*/{name}.ipynb"))[0]
    code = "\n\n\n".join(source for source, graders in submission.code_cells(notebook.read_text()) if not graders)
    folders = scratch / "notebook-class" / "ipynb", scratch / "notebook-class" / "py"
    for k in range(copies):
        for folder in folders:
            (folder / f"s{k:03d}").mkdir(parents=True, exist_ok=True)
        shutil.copy(notebook, folders[0] / f"s{k:03d}" / f"{name}.ipynb")
        (folders[1] / f"s{k:03d}" / f"{name}.py").write_text(code + "\n")
    return folders


def _grade_seconds(folder: Path, out: Path) -> tuple[float, float]:
    """(wall, CPU of the grade process and every process it waited for) of `grade -j 2` on `folder`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograder", "grade", "--assignment", NOTEBOOK_ASSIGNMENT, "-j", "2",
                    "--out", str(out), "--regrade", "--no-progress", str(folder)],
                   cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _read_and_import_instructions(folder: Path) -> int | None:
    """Instructions (valgrind) of a process that imports numpy, reads every submission of
    `folder` and runs its module's top level; None without valgrind."""
    if shutil.which("valgrind") is None:
        return None
    script = READ_AND_IMPORT.format(repo=str(REPO), folder=str(folder), name=NOTEBOOK_ASSIGNMENT)
    run = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                          sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True)
    match = re.search(r"I\s+refs:\s+([\d,]+)", run.stderr)
    return int(match.group(1).replace(",", "")) if run.returncode == 0 and match else None


def bench_notebooks(copies: int, rounds: int, scratch: Path) -> None:
    """`grade -j 2` of `copies` notebooks against the same code as `copies` .py files (target:
    notebook <= 1.5x the .py), alternating .py and notebook runs (the first of each pair alternates
    too) so that the machine's drift falls on both; medians over `rounds` pairs. CPU is the grade
    process's and its pool's and workers' user+sys time. The instruction counts (valgrind, load-
    independent) isolate what differs: reading the submissions and running their module's top level."""
    notebooks, pys = notebook_and_py_classes(copies, scratch)
    print(f"\n## notebooks vs .py (`grade -j 2`, {NOTEBOOK_ASSIGNMENT}, {copies} copies of the cohort's notebook "
          f"and of its code as .py): median of {rounds} alternating pairs, per submission")
    _grade_seconds(pys, scratch / "nb-out" / "warm")  # file cache and the rubric's first collection
    samples = {"py": [], "ipynb": []}
    for round_ in range(rounds):
        order = (("py", pys), ("ipynb", notebooks)) if round_ % 2 == 0 else (("ipynb", notebooks), ("py", pys))
        for kind, folder in order:
            samples[kind].append(_grade_seconds(folder, scratch / "nb-out" / kind))
    print(f"{'':<10}{'wall s/sub':>11}{'CPU s/sub':>11}")
    medians = {}
    for kind in ("py", "ipynb"):
        wall = statistics.median(w for w, _ in samples[kind]) / copies
        cpu = statistics.median(c for _, c in samples[kind]) / copies
        medians[kind] = wall, cpu
        print(f"{kind:<10}{wall:>11.3f}{cpu:>11.3f}")
    ratios = [n[0] / p[0] for n, p in zip(samples["ipynb"], samples["py"])]
    print(f"{'ratio':<10}{medians['ipynb'][0] / medians['py'][0]:>11.2f}{medians['ipynb'][1] / medians['py'][1]:>11.2f}"
          f"   (wall ratio of each pair: {min(ratios):.2f}-{max(ratios):.2f}; target <= 1.5)")
    counts = {kind: _read_and_import_instructions(folder) for kind, folder in (("py", pys), ("ipynb", notebooks))}
    if None not in counts.values():
        extra = (counts["ipynb"] - counts["py"]) / copies
        print(f"read + top level, instructions: .py {counts['py'] / 1e6:.0f} M, notebooks "
              f"{counts['ipynb'] / 1e6:.0f} M for {copies} (numpy's import included in both); "
              f"a notebook costs {extra / 1e6:.1f} M more")


class PlainWorker:
    """The worker as an ordinary child process: no namespaces, no rlimits (benchmark baseline)."""

    mode = "plain"
    host_uid = None  # not leased: the grader does not pin it with itself

    def __init__(self, worker_script, submission_file, module_name, channel_fd, mode="auto", limits=None,
                 warm=False):
        self._dir = Path(tempfile.mkdtemp(prefix="bench-plain-"))
        copy = self._dir / Path(submission_file).name
        shutil.copy(submission_file, copy)
        self._proc = subprocess.Popen(
            [sys.executable, "-I", str(worker_script), "--fd", str(channel_fd), "--module", module_name,
             "--file", str(copy)], pass_fds=[channel_fd], cwd=self._dir, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, env={"OPENBLAS_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"})
        self.pid = self._proc.pid

    def kill(self):
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        shutil.rmtree(self._dir, ignore_errors=True)

    def output(self):
        return ""

    def alive(self):
        return self._proc.poll() is None


def bench_sandbox(repeat: int) -> None:
    from autograder.remote import supervisor as student_module
    from autograder.runtime.runner import grade_source

    modes = {"plain": PlainWorker}
    for mode in ("bwrap", "process"):
        if sandbox.sandbox_available(mode):
            modes[mode] = mode
    source = (SOLUTIONS_DIR / "activations.py").read_text()
    print(f"\n## sandbox cost (activations, all checks in-process; median of {repeat})")
    print(f"{'mode':<9}{'s/submission':>14}{'overhead':>10}{'ms/call':>9}{'overhead':>10}{'start ms':>10}")
    baseline = None
    real_start = sandbox.start_worker
    for label, mode in modes.items():
        if label == "plain":
            student_module.sandbox.start_worker = PlainWorker
            run_mode = "auto"
        else:
            student_module.sandbox.start_worker = real_start
            run_mode = mode
        try:
            grade_source("activations", source, mode=run_mode)  # warm caches
            per_sub = statistics.median(
                _seconds(lambda: grade_source("activations", source, mode=run_mode)) for _ in range(repeat))
            per_call, start = _call_and_start_cost(run_mode)
        finally:
            student_module.sandbox.start_worker = real_start
        if baseline is None:
            baseline = (per_sub, per_call)
        print(f"{label:<9}{per_sub:>14.3f}{per_sub - baseline[0]:>+10.3f}{per_call * 1e3:>9.3f}"
              f"{(per_call - baseline[1]) * 1e3:>+10.3f}{start * 1e3:>10.1f}")


def _seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _call_and_start_cost(mode: str) -> tuple[float, float]:
    from autograder.remote import StudentCode

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tiny.py"
        path.write_text("def identity(x):\n    return x\n")
        starts = []
        for _ in range(5):
            code = StudentCode(path, "tiny", mode=mode)
            starts.append(_seconds(code.start))
            code.close()
        with StudentCode(path, "tiny", mode=mode) as code:
            code.start()
            calls = 2000
            per_call = _seconds(lambda: [code.identity(1.0) for _ in range(calls)]) / calls
    return per_call, statistics.median(starts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--class-size", type=int, default=200)
    parser.add_argument("--class-runs", type=int, default=3, help="grade the class this many times (median)")
    parser.add_argument("--notebook-copies", type=int, default=16)
    parser.add_argument("--notebook-rounds", type=int, default=5, help="alternating .py/notebook pairs")
    parser.add_argument("--skip", nargs="*", default=[], choices=("check", "grade", "notebooks", "sandbox"))
    args = parser.parse_args()
    floor = timed(FLOOR, max(args.repeat, 5))
    print(f"# nnopt-grader benchmark ({sys.platform}, python {sys.version.split()[0]}, "
          f"{socket.gethostname()}): floor `python -c 'import numpy'` = {floor:.3f} s")
    with tempfile.TemporaryDirectory(prefix="nnopt-bench-") as tmp:
        scratch = Path(tmp)
        if "check" not in args.skip:
            bench_check(args.repeat, scratch)
        if "grade" not in args.skip:
            bench_grade(args.class_size, args.class_runs, scratch)
        if "notebooks" not in args.skip:
            bench_notebooks(args.notebook_copies, args.notebook_rounds, scratch)
        if "sandbox" not in args.skip:
            bench_sandbox(args.repeat)


if __name__ == "__main__":
    main()
