"""A pool of unprivileged uids, one per running worker, leased across processes.

Used when the grader runs as root. A uid of its own makes RLIMIT_NPROC a per-worker
limit (the kernel counts processes per uid) and lets the trusted side find and kill
every process of the worker — escaped `setsid()` daemons included — by uid alone.
The uids need no passwd entry; uids that have one are skipped so that no real
account's processes are ever touched. Leases are `flock`s on files in a root-only
directory, so concurrent graders (processes or threads) never share a uid, and a
crashed grader's leases are released by the kernel. A lease released with `clean=True`
(no process of the uid was left, as checked by whoever killed them) marks its file so
that the next lease skips the /proc scan; any other release, or a crash, leaves the
file marked in use, and the next lease scans and kills.
"""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import time
from pathlib import Path

from autograder.sandbox import procs

UID_BASE = 60000
UID_COUNT = 1000
CLEAN = b"clean"  # the lease file's content after a clean release; empty while leased


def _lock_dir() -> Path:
    parent = next((Path(p) for p in ("/run", "/var/run") if os.path.isdir(p)), Path("/tmp"))
    path = parent / "autograder-uid-leases"
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != 0 or info.st_mode & 0o077:
        raise RuntimeError(f"{path} must be a directory owned by root with mode 0700")
    return path


def _is_account(uid: int) -> bool:
    import pwd  # POSIX only, like every function here: imported late so that this module imports on Windows

    try:
        pwd.getpwuid(uid)
    except KeyError:
        return False
    return True


class UidLease:
    """Exclusive use of one uid until `release()`."""

    def __init__(self, uid: int, lock_fd: int):
        self.uid = uid
        self._lock_fd = lock_fd

    def release(self, clean: bool = False) -> None:
        """Give the uid back; `clean`: no process of it is left (checked), so the next lease need not scan."""
        if self._lock_fd >= 0:
            if clean:
                os.pwrite(self._lock_fd, CLEAN, 0)
            os.close(self._lock_fd)  # closing the file drops the flock
            self._lock_fd = -1


def lease_uid() -> UidLease:
    """Lease a free uid of the pool (root only); leftovers of a crashed grader (or of any release
    not marked clean) are killed first."""
    import fcntl  # POSIX only

    lock_dir = _lock_dir()
    for uid in range(UID_BASE, UID_BASE + UID_COUNT):
        if _is_account(uid):
            continue
        fd = os.open(lock_dir / str(uid), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        was_clean = os.pread(fd, len(CLEAN) + 1, 0) == CLEAN
        os.ftruncate(fd, 0)  # in use: a crash from now on leaves the uid to be scanned
        if not was_clean and (not procs.proc_available() or processes_of(uid)):
            kill_uid(uid)
        return UidLease(uid, fd)
    raise RuntimeError(f"all {UID_COUNT} sandbox uids from {UID_BASE} are in use")


def _signal_all_of(uid: int) -> None:
    """`kill(-1, SIGKILL)` as `uid`: one system call that reaches every process of the uid."""
    subprocess.run(
        [shutil.which("kill") or "/bin/kill", "-9", "-1"],
        user=uid, group=uid, extra_groups=[], env={"PATH": "/usr/bin:/bin"},
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        check=False,
    )


def processes_of(uid: int) -> list[int]:
    return [info.pid for info in procs.live_processes() if info.uid == uid]


def kill_uid(uid: int, timeout: float = 5.0) -> list[int]:
    """Kill every process whose real uid is `uid`; returns the pids still alive after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        _signal_all_of(uid)
        if not procs.proc_available():
            return []
        survivors = processes_of(uid)
        if not survivors or time.monotonic() >= deadline:
            return survivors
        time.sleep(0.01)
