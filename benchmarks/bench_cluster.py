"""Benchmark: `grade` on a Dask cluster against the embedded pool, same class, same machine, one sitting.

    python benchmarks/bench_cluster.py [--assignment activations ...] [--class-size 200] [--pairs 3]
                                       [--workers 2]

For each assignment: a synthetic class of `--class-size` students (the demo cohort's
submissions repeated, as in bench.py) is graded `--pairs` times by each of
    A  `grade -j W`              (the embedded pool, W = --workers)
    B  `grade --cluster local:W` (a local Dask cluster of W single-threaded workers)
in alternating order (A B, B A, A B, ...), so that both see the same drift of a shared
machine. Each run is the whole command, as an instructor runs it (start-up of the pool or of
the cluster included), with `--regrade --no-progress`. Printed: submissions per second of
every run, the median of each side, the median of the per-pair ratios B/A (target: >= 0.90,
the Dask path within 10 % of the embedded pool), the workers' share of the Dask run's time
spent grading (the rest bounds scheduling), the CPU seconds per submission of each run's
whole process tree (pool or cluster start-up included; on a shared machine this moves far less
than wall time), and the per-core rate that docs/scale.md extrapolates from. Every run's
outputs are compared with the first embedded run's:
gradebook, results.json (timing fields aside), feedback.md/.html and figures must be identical
(summary.html aside: it lists the slowest submissions' times; and the weight statistics of the
one demo student who draws from the unseeded global np.random, which no two runs share).
"""
from __future__ import annotations

import argparse
import csv
import json
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

from bench import synthetic_class  # noqa: E402

TIMING_FIELDS = ("execution_time", "seconds")
UNSEEDED = ("eve_global_rng",)  # draws from the global np.random: its own weights' statistics vary per run


def grade(assignment: str, klass: Path, out: Path, how: list[str]) -> tuple[float, float, str]:
    """Wall seconds of one `grade` run, the CPU seconds of its whole process tree (every process
    is waited for by its parent, so the kernel adds them all to this one's children), and its stderr."""
    cmd = [sys.executable, "-m", "autograder", "grade", "--assignment", assignment, "--out", str(out),
           "--regrade", "--no-progress", *how, str(klass)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    run = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=3600, check=False)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if run.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({run.returncode}):\n{run.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu, run.stderr


def outputs(out: Path) -> dict[str, object]:
    """Everything a run wrote, timing fields removed: path -> bytes or parsed JSON or gradebook rows."""
    found: dict[str, object] = {}
    for path in sorted(out.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(out).as_posix()
        if name == "summary.html":  # lists the slowest submissions' seconds
            continue
        if path.name == "results.json":
            found[name] = _untimed(json.loads(path.read_text()), path.parent.name in UNSEEDED)
        elif name == "gradebook.csv":
            with open(path, newline="") as fh:
                found[name] = [{k: v for k, v in row.items() if k != "seconds"} for row in csv.DictReader(fh)]
        else:
            found[name] = path.read_bytes()
    return found


def _untimed(value, unseeded: bool = False):
    ignored = TIMING_FIELDS + (("artifacts",) if unseeded else ())
    if isinstance(value, dict):
        return {k: _untimed(v, unseeded) for k, v in value.items() if k not in ignored}
    if isinstance(value, list):
        return [_untimed(v, unseeded) for v in value]
    return value


def differences(expected: dict, got: dict) -> list[str]:
    names = sorted(expected.keys() | got.keys())
    return [name for name in names if expected.get(name) != got.get(name)]


def bench_assignment(assignment: str, size: int, pairs: int, workers: int,
                     scratch: Path) -> tuple[float, float, bool]:
    klass = synthetic_class(assignment, size, scratch)
    sides = {"embedded": ["-j", str(workers)], "dask": ["--cluster", f"local:{workers}"]}
    rates: dict[str, list[float]] = {side: [] for side in sides}
    cpu: dict[str, list[float]] = {side: [] for side in sides}  # CPU seconds per submission
    busy: list[float] = []
    reference = None
    identical = True
    print(f"\n## {assignment}: class of {size}, {pairs} pairs, {workers} workers (submissions/s)")
    print(f"{'pair':>4}  {'order':<16}{'embedded':>10}{'dask':>10}{'dask/emb':>10}{'dask busy':>11}"
          f"{'cpu ms emb':>12}{'cpu ms dask':>12}  identical")
    for pair in range(pairs):
        order = list(sides) if pair % 2 == 0 else list(reversed(sides))
        row, same = {}, []
        for side in order:
            out = scratch / "out" / f"{assignment}-{side}-{pair}"
            seconds, cpu_seconds, stderr = grade(assignment, klass, out, sides[side])
            row[side] = size / seconds
            rates[side].append(row[side])
            cpu[side].append(cpu_seconds / size)
            if side == "dask":
                share = re.search(r"workers grading ([\d.]+)% of the time", stderr)
                busy.append(float(share.group(1)) if share else float("nan"))
            written = outputs(out)
            if reference is None:
                reference = written
            diff = differences(reference, written)
            identical = identical and not diff
            same.append("yes" if not diff else f"NO: {len(diff)} files, e.g. {diff[:3]}")
        print(f"{pair + 1:>4}  {'/'.join(order):<16}{row['embedded']:>10.2f}{row['dask']:>10.2f}"
              f"{row['dask'] / row['embedded']:>10.3f}{busy[-1]:>10.1f}%{1e3 * cpu['embedded'][-1]:>12.0f}"
              f"{1e3 * cpu['dask'][-1]:>12.0f}  {', '.join(same)}")
    ratios = [d / e for d, e in zip(rates["dask"], rates["embedded"])]
    embedded, dask = statistics.median(rates["embedded"]), statistics.median(rates["dask"])
    print(f"median: embedded {embedded:.2f}/s, dask {dask:.2f}/s; ratio dask/embedded: median of pairs "
          f"{statistics.median(ratios):.3f} (range {min(ratios):.3f}-{max(ratios):.3f}); dask workers grading "
          f"{statistics.median(busy):.1f}% of the time; per core: embedded {embedded / workers:.2f}/s; CPU per "
          f"submission (whole process tree, start-up included; less sensitive to a busy machine than wall time): "
          f"embedded {1e3 * statistics.median(cpu['embedded']):.0f} ms, "
          f"dask {1e3 * statistics.median(cpu['dask']):.0f} ms")
    return embedded / workers, statistics.median(ratios), identical


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--assignment", nargs="+", default=["activations"])
    parser.add_argument("--class-size", type=int, default=200)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(f"# grade: embedded pool (-j {args.workers}) vs Dask (--cluster local:{args.workers}); "
          f"python {sys.version.split()[0]}")
    summary = []
    with tempfile.TemporaryDirectory(prefix="nnopt-bench-cluster-") as tmp:
        for assignment in args.assignment:
            summary.append((assignment, *bench_assignment(assignment, args.class_size, args.pairs, args.workers,
                                                          Path(tmp))))
    print("\n## summary (docs/scale.md)")
    print(f"{'assignment':<14}{'per core /s':>12}{'dask/embedded':>15}")
    for assignment, per_core, ratio, _ in summary:
        print(f"{assignment:<14}{per_core:>12.2f}{ratio:>15.3f}")
    if not all(identical for *_, identical in summary):
        raise SystemExit("some runs' outputs differ from the embedded pool's (see the tables)")


if __name__ == "__main__":
    main()
