"""Benchmark: self-check latency, batch throughput, and what the sandbox costs.

    python benchmarks/bench.py [--repeat 5] [--class-size 200] [--class-runs 3]
                               [--notebook-copies 16] [--notebook-rounds 5]
                               [--nbgrader-copies 10 | --nbgrader-seconds S]
                               [--skip check grade notebooks sandbox]

Prints, for each assignment, the seconds of `check` on the reference solution and on the
demo cohort's notebook submission, and their ratio to `python -c "import numpy"` measured in
the same run (target: <= 5x); the seconds per submission of `grade` on the demo cohort and on
a synthetic class of `--class-size` students, median of `--class-runs`, against nbgrader's
seconds per notebook (target: <= 1/20 of it); `grade` of notebooks against the same code as .py
files (target: <= 1.5x), timed and in instructions; and the sandbox's overhead per submission
and per call: each isolated worker path (a cold start, a warm fork from a zygote) against the
same path with the isolation left out (benchmark only: the product has no unisolated mode).

nbgrader's seconds per notebook: by default the bench measures them itself, before the `grade`
section, with `nbgrader autograde` of `--nbgrader-copies` copies of the demo cohort's filled-in
`gates` notebook (released through nbgrader's `generate_assignment` from this repository's
source notebooks; its test cells run this grader's checks). `--nbgrader-seconds S` uses S
instead (e.g. a figure measured elsewhere), and without nbgrader installed the comparison is
left out.
"""
from __future__ import annotations

import argparse
import contextlib
import os
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
from instructions import valgrind_instructions  # noqa: E402 - benchmarks/instructions.py

NBGRADER_ASSIGNMENT = "gates"
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


def bench_grade(class_size: int, class_runs: int, scratch: Path, nbgrader: float | None) -> None:
    """`grade` on the demo cohort and, `class_runs` times, on a synthetic class, against
    `nbgrader` seconds per notebook (None: no comparison).

    A single run moves by +-20% on this machine: the table gives the median over the runs and
    the range of their ratios to nbgrader's time.
    """
    target = f"; target <= {nbgrader / 20:.3f} s (1/20 of nbgrader's {nbgrader:.2f} s)" if nbgrader else ""
    print(f"\n## grade (all checks, -j = cores): seconds per submission{target}; class: median of {class_runs} runs")
    print(f"{'assignment':<14}{'cohort n':>9}{'s/sub':>8}{'class n':>9}{'s/sub':>8}"
          f"{'nbgrader / grade':>18}{'range':>15}")
    for name in ASSIGNMENTS:
        cohort = REPO / "examples" / "cohort" / name
        n_cohort = sum(1 for p in cohort.iterdir() if p.is_dir() or p.suffix == ".zip")
        cohort_seconds = timed([sys.executable, "-m", "autograder", "grade", "--assignment", name, "--out",
                                str(scratch / "out" / name), "--regrade", "--no-progress", str(cohort)], 1)
        klass = synthetic_class(name, class_size, scratch)
        per_sub = []
        for _ in range(class_runs):
            seconds = timed([sys.executable, "-m", "autograder", "grade", "--assignment", name, "--out",
                             str(scratch / "class-out" / name), "--regrade", "--no-progress", str(klass)], 1)
            per_sub.append(seconds / class_size)
        median = statistics.median(per_sub)
        ratio, spread = "", ""
        if nbgrader:
            ratio = f"{nbgrader / median:.1f}x"
            spread = f"{nbgrader / max(per_sub):.1f}-{nbgrader / min(per_sub):.1f}x"
        print(f"{name:<14}{n_cohort:>9}{cohort_seconds / n_cohort:>8.3f}{class_size:>9}{median:>8.3f}"
              f"{ratio:>18}{spread:>15}")


def nbgrader_installed() -> bool:
    return subprocess.run([sys.executable, "-c", "import nbgrader"], capture_output=True).returncode == 0


def bench_nbgrader(copies: int, scratch: Path) -> float:
    """Seconds per notebook of `nbgrader autograde` on `copies` students who hand in the demo
    cohort's filled-in NBGRADER_ASSIGNMENT notebook, in a course released from this repository
    (`release_all` writes the nbgrader source notebooks, `generate_assignment` releases them)."""
    from autograder.release import release_all

    name = NBGRADER_ASSIGNMENT
    course = scratch / "nbgrader-course"
    course.mkdir(parents=True)
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        "c.CourseDirectory.course_id = 'nnopt'\n"
        "c.Execute.timeout = 60\n")
    release_all(REPO, course / "ours", source_notebook_dir=course / "source")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
               PATH=os.pathsep.join(filter(None, [str(Path(sys.executable).parent), os.environ.get("PATH")])))

    def nbgrader(*args: str) -> None:
        done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"nbgrader {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")

    nbgrader("generate_assignment", name, "--force")
    notebook = sorted((REPO / "examples" / "cohort" / name).glob(f"*/{name}.ipynb"))[0]
    for k in range(copies):
        target = course / "submitted" / f"s{k:03d}" / name / f"{name}.ipynb"
        target.parent.mkdir(parents=True)
        shutil.copy(notebook, target)
    start = time.perf_counter()
    nbgrader("autograde", name, "--force")
    per_notebook = (time.perf_counter() - start) / copies
    print(f"\n## nbgrader autograde ({name}, {copies} copies of {notebook.parent.name}'s notebook, one run): "
          f"{per_notebook:.3f} s per notebook")
    return per_notebook


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
    return valgrind_instructions(script)


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


class Unisolated:
    """While active, `bubblewrap.bwrap_argv` and `bubblewrap.zygote_argv` build the same command
    without the sandbox: the worker script (cold) or the zygote's request loop (warm,
    `unisolated_zygote.py`) started directly, with the same interpreter, arguments and environment
    (`bubblewrap.WORKER_ENV`, a copy of the submission in a scratch folder as its cwd and home), and
    no namespaces, binds, uid drop or rlimits. Everything around the command is the product's own:
    `sandbox.start_worker`, the uid lease, the output collector, the warm zygote's client, pinning,
    and `kill()` (whose sweep finds nothing of the leased uid here, as the worker keeps the
    grader's). So an isolated row and its unisolated row differ only in the isolation."""

    def __init__(self):
        self._scratch = Path(tempfile.mkdtemp(prefix="bench-unisolated-"))
        self._saved = None

    def _environment(self, scratch: Path) -> list[str]:
        from autograder.sandbox import bubblewrap

        env = {**bubblewrap.WORKER_ENV, "HOME": str(scratch), "TMPDIR": str(scratch)}
        return ["env", "-i", "-C", str(scratch), *(f"{key}={value}" for key, value in env.items())]

    def worker_argv(self, *, wire_dir, worker_name, submission_fd, submission_name, module_name, channel_fd,
                    command=None, **_sandbox):
        if command is not None:
            raise RuntimeError("Unisolated is for workers; probe bwrap before activating it")
        scratch = Path(tempfile.mkdtemp(dir=self._scratch))
        copy = scratch / submission_name  # what bwrap's --file does, from the same descriptor
        copy.write_bytes(os.pread(submission_fd, os.fstat(submission_fd).st_size, 0))
        return [*self._environment(scratch), sys.executable, "-I", str(Path(wire_dir) / worker_name),
                "--fd", str(channel_fd), "--module", module_name, "--file", str(copy)]

    def zygote_argv(self, *, wire_dir, control_fd, preload=(), **_sandbox):
        return [*self._environment(self._scratch), sys.executable, "-I", str(UNISOLATED_ZYGOTE),
                "--wire", str(wire_dir), "--scratch", str(self._scratch),
                "--control-fd", str(control_fd), "--preload", ",".join(preload)]

    def __enter__(self):
        from autograder.sandbox import bubblewrap

        self._saved = bubblewrap.bwrap_argv, bubblewrap.zygote_argv
        bubblewrap.bwrap_argv, bubblewrap.zygote_argv = self.worker_argv, self.zygote_argv
        return self

    def __exit__(self, *exc_info):
        from autograder.sandbox import bubblewrap

        bubblewrap.bwrap_argv, bubblewrap.zygote_argv = self._saved
        shutil.rmtree(self._scratch, ignore_errors=True)


UNISOLATED_ZYGOTE = Path(__file__).resolve().parent / "unisolated_zygote.py"


def _close_zygotes() -> None:
    """End every pytest session and zygote of this process, so that the next row starts its own."""
    from autograder.runtime.session import close_shared_sessions
    from autograder.sandbox import warm

    close_shared_sessions()
    with warm._zygotes_lock:
        zygotes = list(warm._zygotes.values())
        warm._zygotes.clear()
    for zygote in zygotes:
        zygote.close()


def bench_sandbox(repeat: int) -> None:
    """Each worker path with and without its isolation: a cold start (`check`'s path) and a warm
    fork from a zygote (`grade`'s path, bwrap as root only), in bubblewrap and unisolated
    (`Unisolated`); process mode (rlimits and a leased uid, no namespaces) against the unisolated
    cold start. Every row grades in one pytest session (`grade`'s), in a process pinned to one CPU
    as a `grade -j` pool process is (`speed.pool_process`), so that the grading process and its
    worker share a CPU the same way whatever the path."""
    from autograder import speed
    from autograder.runtime.runner import grade_source
    from autograder.runtime.session import shared_session
    if not sandbox.sandbox_available("bwrap"):  # also runs the bwrap probe before `Unisolated` is active
        print("\n## sandbox cost: bwrap is not available here; nothing to compare")
        return
    speed.pool_process(0)
    warm_paths = os.geteuid() == 0
    rows = [("cold", "unisolated", "bwrap", False, True), ("cold", "bwrap", "bwrap", False, False),
            ("cold", "process", "process", False, False)]
    if warm_paths:
        rows += [("warm", "unisolated", "bwrap", True, True), ("warm", "bwrap", "bwrap", True, False)]
    source = (SOLUTIONS_DIR / "activations.py").read_text()
    print(f"\n## sandbox cost (activations, all checks, one pytest session; median of {repeat}); "
          "overhead: against the same path unisolated")
    print(f"{'path':<6}{'isolation':<12}{'s/submission':>14}{'overhead':>10}{'ms/call':>9}{'overhead':>10}"
          f"{'start ms':>10}{'overhead':>10}")
    baselines = {}
    for path, isolation, mode, warm, unisolated in rows:
        with Unisolated() if unisolated else contextlib.nullcontext():
            try:
                session = shared_session("activations")

                def grade():
                    return grade_source("activations", source, mode=mode, warm=warm, session=session)

                grade()  # the file cache, the zygote
                per_sub = statistics.median(_seconds(grade) for _ in range(repeat))
                per_call, start = _call_and_start_cost(mode, warm)
            finally:
                _close_zygotes()
        costs = per_sub, per_call, start
        if unisolated:
            baselines[path] = costs
        base = baselines[path]
        print(f"{path:<6}{isolation:<12}{per_sub:>14.3f}{per_sub - base[0]:>+10.3f}{per_call * 1e3:>9.3f}"
              f"{(per_call - base[1]) * 1e3:>+10.3f}{start * 1e3:>10.1f}{(start - base[2]) * 1e3:>+10.1f}")
    if not warm_paths:
        print("(warm paths: bwrap as root only)")


def _seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _call_and_start_cost(mode: str, warm: bool) -> tuple[float, float]:
    """(seconds per call of a function that returns its argument, median seconds of a worker's start
    until the submission is imported) on the path of `mode` and `warm`."""
    from autograder.remote import StudentCode

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tiny.py"
        path.write_text("def identity(x):\n    return x\n")
        starts = []
        with StudentCode(path, "tiny", mode=mode, warm=warm) as code:
            code.start()  # the file cache, the zygote
        for _ in range(5):
            code = StudentCode(path, "tiny", mode=mode, warm=warm)
            starts.append(_seconds(code.start))
            code.close()
        with StudentCode(path, "tiny", mode=mode, warm=warm) as code:
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
    parser.add_argument("--nbgrader-copies", type=int, default=10,
                        help="notebooks `nbgrader autograde` grades for the comparison (default: 10)")
    parser.add_argument("--nbgrader-seconds", type=float, default=None,
                        help="nbgrader's seconds per notebook to compare with, instead of measuring them")
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
            nbgrader = args.nbgrader_seconds
            if nbgrader is None and nbgrader_installed():
                nbgrader = bench_nbgrader(args.nbgrader_copies, scratch)
            elif nbgrader is None:
                print("\n(nbgrader is not installed: no comparison with it; see --nbgrader-seconds)")
            bench_grade(args.class_size, args.class_runs, scratch, nbgrader)
        if "notebooks" not in args.skip:
            bench_notebooks(args.notebook_copies, args.notebook_rounds, scratch)
        if "sandbox" not in args.skip:
            bench_sandbox(args.repeat)


if __name__ == "__main__":
    main()
