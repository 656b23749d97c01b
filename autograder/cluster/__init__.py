"""`grade --cluster`: the same batch on a Dask cluster when one machine is not enough.

Roles (docs/scale.md has the deployment side):

- The **client** is the `grade` process. It discovers the submissions, skips those already
  graded (resume, batch.py), sends the rest out in chunks, and writes every output itself,
  atomically, exactly where and how the embedded pool writes them (`dispatch.py`).
- A **Dask worker** grades a chunk with the embedded pool's own grading step,
  `batch.grade_or_error`, in a pytest session and with warm sandboxed zygotes that it keeps
  from chunk to chunk, renders the feedback files and returns them as bytes (`work.py`).
  Submissions travel as their source text and results come back as data: the workers need
  no shared filesystem. Student code runs only in the sandboxed processes a worker starts,
  never in the Dask worker process itself (the trust boundary of docs/architecture.md).
- **Admission** (`admission.py`): a worker grades only after it has shown that its grader is
  the client's, file by file (`manifest.py`), and that it can sandbox as asked. Admitted, it
  gets a Dask resource named after the grader's digest, and chunks ask for that resource, so
  a stale or unsafe worker never receives one.

Nothing here is imported without `--cluster`: the package's top level (this module and
`manifest.py`) does not import Dask, and `grade` without `--cluster` never imports the rest.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

SCHEMES = ("tcp", "tls")
INSTALL_HINT = 'Dask is not installed: pip install "nnopt-grader[dask]"'


@dataclass(frozen=True)
class ClusterAddress:
    """Where to grade: a running Dask scheduler (`scheduler`) or a local cluster of
    `local_workers` single-threaded worker processes started for this run."""

    scheduler: str | None = None
    local_workers: int = 0

    @classmethod
    def parse(cls, spec: str) -> ClusterAddress:
        """`tcp://HOST:PORT`, `tls://HOST:PORT` or `local:N` (N >= 1); ValueError otherwise."""
        local = re.fullmatch(r"local:(\d+)", spec)
        if local:
            workers = int(local.group(1))
            if workers < 1:
                raise ValueError(f"--cluster {spec}: a local cluster needs at least one worker")
            return cls(local_workers=workers)
        remote = re.fullmatch(r"([a-z]+)://(\S+):(\d+)", spec)
        if remote and remote.group(1) in SCHEMES:
            return cls(scheduler=spec)
        raise ValueError(f"--cluster {spec!r}: expected tcp://HOST:PORT, tls://HOST:PORT or local:N")

    @property
    def is_local(self) -> bool:
        return self.scheduler is None

    def __str__(self) -> str:
        return self.scheduler or f"local:{self.local_workers}"


class ClusterUnavailable(RuntimeError):
    """The cluster cannot grade this batch (unreachable, or no worker admitted); says why."""


def grade_on_cluster(cluster: str, assignment: str, todo, out_dir, options, progress: bool):
    """Grade the `Submission`s `todo` on `cluster` and write their outputs under `out_dir`;
    yields each student's `SubmissionResult` as it is written (batch.grade_batch's runner)."""
    address = ClusterAddress.parse(cluster)
    if not todo:
        return
    try:
        from autograder.cluster.dispatch import ClusterGrading
    except ImportError as exc:
        if exc.name in ("dask", "distributed"):
            raise ClusterUnavailable(INSTALL_HINT) from None
        raise
    with ClusterGrading(address, assignment, options) as grading:
        yield from grading.grade(todo, out_dir, progress=progress)
