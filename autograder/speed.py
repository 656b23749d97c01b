"""Every speed setting of the grader, and where it is applied: one entry point per role.

None of these settings changes a verdict or a score; each only makes the same work cheaper.
The mechanisms live elsewhere (`sandbox/memory.py` calls glibc's `mallopt`,
`sandbox/affinity.py` calls `sched_setaffinity`); this module says which process gets which
setting, and when. What each saves, and the command that measures it (`benchmarks/settings.py`
leaves one setting out at a time), is in docs/performance.md, "Speed settings".

Roles and their entry points:

- **The grading process** (`check`; `grade`'s main process), `grading_process(jobs=...)`,
  called first thing by the command, before numpy is imported:
  one BLAS thread (`ONE_BLAS_THREAD`, a value the user set is kept) for `check`, and for
  `grade -j N` with N > 1, whose pool processes inherit it. The grading process computes the
  reference's results while its worker computes the student's, on a machine whose cores are
  all taken by grading: OpenBLAS's extra threads would spin on the cores the workers need.
  `grade -j 1` leaves BLAS as the user has it.
- **The pool process** (each `grade -j N` pool process, each Dask worker's grading thread),
  `pool_process(index)`: runs on the `index`-th allowed CPU, and so does every zygote and
  worker it starts. Each check is a chain of small round trips between the grading process
  and its worker; a wake-up on the same CPU costs far less than one across CPUs, and N pool
  processes on N CPUs do not compete for one.
- **The worker** (the process that runs the student's code), `worker_environment()`: the
  environment variables it is started with, merged into each sandbox's environment
  (`sandbox/bubblewrap.py` for the bubblewrap and process modes and the zygote, whose forks
  inherit it; `sandbox/portable.py`): one BLAS thread (the worker shares its CPU with the
  grading process) and, except for the portable worker (Windows), glibc's malloc settings
  (`memory.ENVIRONMENT`: keep freed memory for reuse, below).

Two settings apply at a moment of a grading process's life rather than at its start:

- `freeze_long_lived(collect=...)`: `gc.freeze()`, so that the collector's full passes skip
  the objects that live as long as the process (modules, caches, a parsed notebook, the
  zygote's handle). `check` calls it once the submission is loaded; a pool process (or Dask
  worker) after its first student, with a `gc.collect()` first so that the garbage of that
  student is not frozen with it.
- `reuse_freed_memory()`: glibc `mallopt` settings (`sandbox/memory.py`) in every process
  that grades: megabyte-sized arrays come back from the worker on every call, and with
  glibc's defaults each one faults fresh pages in; with these settings freed memory is
  reused. The runner applies it once per process, after the worker is launched (importing
  ctypes then overlaps the worker's start). The worker gets the same settings through
  `worker_environment()`.

One setting is per call and stays with the code that makes calls: a grading thread that is not
in a pinned pool process pins itself and its worker's processes to the CPU it is on while the
worker lives, and widens its CPU set meanwhile for work of its own that overlaps the worker's
(`affinity.pin_thread_with`, `affinity.widened`), applied by the worker's supervisor in the
remote side (`StudentCode`). In a process pinned by `pool_process` it does nothing.

Not settings, and so not here: how work is organised for speed stays with the code that does it
(a warm zygote forks each worker, `sandbox/warm.py`; one pytest session grades submission after
submission, `runtime/session.py`; drawing's imports are done before `grade` forks its pool or a
local Dask cluster forks its workers, `reports/figures.preload`; Dask's profiler is off in those
workers, `cluster/dispatch.py`; a grading session remembers results for byte-identical inputs,
the `remembered` fixture of `runtime/plugin.py`).
"""
from __future__ import annotations

import gc
import os
from functools import cache

BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
"""The thread-count variables of OpenBLAS, OpenMP and MKL builds of numpy."""

ONE_BLAS_THREAD = {name: "1" for name in BLAS_THREAD_VARIABLES}


def one_blas_thread(environment) -> None:
    """Ask for one BLAS thread in `environment` (a mapping, `os.environ` or a child's), keeping any
    thread count already set there."""
    for name, value in ONE_BLAS_THREAD.items():
        environment.setdefault(name, value)


def grading_process(*, jobs: int | None = None) -> None:
    """Settings of `check` (`jobs` None) and of `grade`'s main process (`jobs`: the size of its pool);
    call before numpy is imported. One BLAS thread, except for `grade -j 1`, whose single grading
    process has no pool to share the cores with."""
    if jobs is None or jobs > 1:
        one_blas_thread(os.environ)


def pool_process(index: int) -> None:
    """Settings of a pool process (or a Dask worker's grading thread): run on the `index`-th allowed
    CPU (modulo their number), with every thread, zygote and worker started from here. Call before
    any thread or worker is started (a pool initializer), or from the thread that will grade."""
    from autograder.sandbox import affinity

    affinity.pin_process_to(index)


def worker_environment(*, glibc: bool = True) -> dict[str, str]:
    """The speed settings of a student's worker, as environment variables of its start: one BLAS
    thread (it shares its CPU with the grading process) and, with `glibc`, glibc's malloc settings
    (`sandbox/memory.py`). The portable worker, made for systems without the POSIX primitives
    (Windows), passes `glibc=False`."""
    from autograder.sandbox import memory

    return {**ONE_BLAS_THREAD, **(memory.ENVIRONMENT if glibc else {})}


@cache
def freeze_long_lived(*, collect: bool) -> None:
    """Freeze what is alive, once per process: from then on the collector's full passes walk only
    what was allocated since (one submission's objects), not the grader's modules and caches.
    `collect` first where garbage of a graded submission is about, so that it is not kept for good."""
    if collect:
        gc.collect()
    gc.freeze()


def reuse_freed_memory() -> bool:
    """glibc's malloc settings in this process (`sandbox/memory.py`), once; False if not glibc."""
    from autograder.sandbox import memory

    return memory.keep_freed_memory()
