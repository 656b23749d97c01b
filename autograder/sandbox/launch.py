"""Starting an untrusted worker and removing every trace of it."""
from __future__ import annotations

import functools
import os
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from autograder.sandbox import bubblewrap, portable, procs, uids
from autograder.sandbox import warm as warm_start
from autograder.sandbox.warm import WarmWorker
from autograder.sandbox.limits import Limits, apply_rlimits
from autograder.sandbox.output import OutputCollector
from autograder.sandbox.running import RunningWorker, Teardown

MODES = ("auto", "bwrap", "process", "portable")
MARKER_VARIABLE = "AUTOGRADER_WORKER"  # process mode: tags the worker's environment for the kill sweep


class SandboxUnavailable(RuntimeError):
    """The requested isolation mode cannot run on this machine."""


def _is_root() -> bool:
    return os.geteuid() == 0


def portable_selected(mode: str) -> bool:
    """Whether `mode` means the portable worker (sandbox/portable.py): "portable", or "auto" where
    the POSIX primitives are missing (Windows) or `AUTOGRADER_SANDBOX=portable` asks for it.
    Decided without probing bwrap, so that the other modes' first start does not wait for it."""
    return mode == "portable" or (mode == "auto" and (portable.forced() or not portable.posix_primitives()))


def sandbox_available(mode: str = "bwrap") -> bool:
    """Whether `mode` can start workers here; bwrap is probed once per process."""
    if mode not in MODES:
        raise ValueError(f"unknown sandbox mode {mode!r}; expected one of {MODES}")
    if mode in ("portable", "auto"):
        return True
    if not portable.posix_primitives():
        return False
    return mode == "process" or bubblewrap.probe(_is_root()) is None


def resolve_mode(mode: str) -> str:
    """'auto' -> 'bwrap' when it works, else 'process' on POSIX, else 'portable' (`portable_selected`);
    an explicit unavailable mode raises."""
    if portable_selected(mode):
        return "portable"
    if mode == "auto":
        return "bwrap" if sandbox_available("bwrap") else "process"
    if not sandbox_available(mode):
        reason = ("not a POSIX system" if not portable.posix_primitives() or mode != "bwrap"
                  else bubblewrap.probe(_is_root()))
        raise SandboxUnavailable(f"sandbox mode {mode!r} is not available: {reason}")
    return mode


@functools.lru_cache(maxsize=None)
def _uid_drop_problem(worker_script: Path | None) -> str | None:
    """Process mode as root: why a leased uid cannot run the interpreter (and the worker
    script), or None when it can. Cached: one trial run per script."""
    if not _is_root():
        return "the grader does not run as root, so the worker keeps the grader's uid"
    lease = uids.lease_uid()
    try:
        run = subprocess.run(
            [sys.executable, "-I", "-c", "import sys; [open(p).close() for p in sys.argv[1:]]",
             *([str(worker_script)] if worker_script else [])],
            user=lease.uid, group=lease.uid, extra_groups=[], cwd="/", env={"PATH": "/usr/bin:/bin"},
            stdin=subprocess.DEVNULL, capture_output=True, timeout=30, check=False)
        works = run.returncode == 0
    except PermissionError:  # exec itself refused
        works = False
    finally:
        lease.release()
    if works:
        return None
    return (f"an unprivileged uid cannot run {sys.executable}"
            f"{' with ' + str(worker_script) if worker_script else ''} (for example because it lies under a "
            f"folder such as /root that only root may enter), so the worker runs as root")


def describe(mode: str = "auto") -> str:
    """What isolation `mode` gives on this machine, in plain words."""
    mode = resolve_mode(mode)
    if mode == "portable":
        return (
            "portable worker: isolation is the weakest of the modes. The worker is a plain child process of the "
            "grader (same user, whole filesystem, network, other processes), with a cleared environment and a "
            "private scratch folder as its cwd, talking over its stdin and stdout; wall deadlines are kept by "
            "the grader, which kills the worker on a timeout or crash. No memory, CPU, process or file-size "
            "limits; processes the student's code starts may survive the worker on Windows (on POSIX its "
            "process group is killed).")
    if mode == "bwrap":
        who = (f"a leased unprivileged uid (from {uids.UID_BASE}) without capabilities" if _is_root()
               else f"uid {bubblewrap.SANDBOX_UID} in its own user namespace")
        return (
            f"bubblewrap sandbox: the worker runs as {who}, with no network, its own pid namespace "
            "(killing it removes every process it started), a new session, a cleared environment, a read-only "
            "system and Python, and only a private size-capped /scratch and /tmp; the repository, solutions, "
            "other students and the output folder do not exist inside. rlimits: memory, CPU time, processes, "
            "file size, open files, no core dumps.")
    problem = _uid_drop_problem(None)
    if problem is None:
        identity = (f"It runs as a leased unprivileged uid (from {uids.UID_BASE}), so RLIMIT_NPROC is per worker "
                    "and every process of that uid is killed at the end.")
    else:
        nproc = "is not enforced for root" if _is_root() else "counts all of this user's processes"
        identity = (f"No uid drop: {problem}. The worker can read and write whatever the grader can, "
                    f"RLIMIT_NPROC {nproc}, and an escaped setsid() daemon is found only through its session, "
                    "its ancestry or the marker in its initial environment.")
    return (
        "process fallback: isolation is weaker than with bubblewrap. The worker sees the whole filesystem, the "
        "network (loopback services included) and other processes; it gets rlimits (memory, CPU time, processes, "
        "file size, open files, no core dumps), its own session, a cleared environment and a private scratch "
        "folder as its cwd. " + identity)


def _open_submission(path: Path) -> int:
    """Open the submission for copying, refusing symlinks (which could point at the reference)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise ValueError(f"submission {path} is not a regular file")
    return fd


class WorkerProcess(RunningWorker):
    """A cold worker: a process of its own in bwrap or the process fallback (`start_worker`)."""

    def __init__(self, *, mode: str, popen: subprocess.Popen, collector: OutputCollector,
                 lease: uids.UidLease | None, scratch: Path | None, marker: bytes | None,
                 unprobed: bool = False):
        self.mode = mode
        self._unprobed = unprobed  # started in bwrap for "auto" before any probe (start_worker)
        self.pid = popen.pid
        self.host_uid = lease.uid if lease else None   # the uid of all its processes on the host, if leased
        self.scratch = scratch                           # host scratch folder (process mode only)
        self._popen = popen
        kill = (functools.partial(_kill_bwrap, popen, lease) if mode == "bwrap"
                else functools.partial(_kill_process, popen, lease, marker))
        cleanups = [collector.stop]
        if scratch is not None:
            cleanups.append(functools.partial(shutil.rmtree, scratch, ignore_errors=True))
        if lease is not None:
            cleanups.append(lease.release)
        super().__init__(collector, Teardown(kill, cleanups))

    def sandbox_failure(self) -> str | None:
        """Why bwrap cannot start workers here (probing now), for a worker `start_worker` started
        unprobed; None if it can, or if this worker's mode was settled before it started."""
        return bubblewrap.probe(_is_root()) if self._unprobed else None

    def wait(self, timeout: float | None = None) -> int | None:
        """The exit status (-N when killed by signal N, in both modes), None if still running after `timeout`."""
        try:
            code = self._popen.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        if self.mode == "bwrap" and 128 < code <= 128 + 64:
            return -(code - 128)  # bwrap reports a signal N of its child as 128 + N
        return code


def _kill_bwrap(popen: subprocess.Popen, lease: uids.UidLease | None) -> list[int]:
    """Kill the pid namespace's init: the kernel then kills everything inside, and bwrap exits once
    init is reaped. What is left to check: no process of the namespace (or of the leased uid)."""
    inits = procs.children_of(popen.pid) if popen.poll() is None else []  # not reaped: ours
    namespace = procs.pid_namespace(inits[0]) if inits else None
    for pid in inits:
        procs.kill(pid)
    if not inits:
        popen.kill()
    procs.reap(popen)
    leased_uid, own_uid = (lease.uid if lease else None), os.getuid()

    def belongs(info: procs.ProcInfo) -> bool:  # the namespace holds only the leased uid and ours
        return info.uid == leased_uid or (
            info.uid == own_uid and namespace is not None and procs.pid_namespace(info.pid) == namespace)

    return _sweep(belongs) if procs.proc_available() else []


def _kill_process(popen: subprocess.Popen, lease: uids.UidLease | None, marker: bytes | None) -> list[int]:
    """Kill a process-mode worker's group and every process of its leased uid, or, without a uid of
    its own, of its session, its descendants and those carrying its environment marker."""
    if lease is not None:
        _signal_group(popen.pid)
        survivors = uids.kill_uid(lease.uid, procs.KILL_TIMEOUT)
        procs.reap(popen)
        return survivors
    session = popen.pid  # start_new_session: the worker leads its own session
    running = popen.poll() is None  # not reaped yet, so the pid cannot belong to anyone else
    tree = procs.descendants(session, procs.live_processes()) if running and procs.proc_available() else set()
    own_uid = os.getuid()

    def belongs(info: procs.ProcInfo) -> bool:
        return info.uid == own_uid and (info.session == session or info.pid in tree
                                        or procs.has_environ_marker(info.pid, marker))

    _signal_group(session)
    for pid in tree:
        procs.kill(pid)
    procs.reap(popen)
    return _sweep(belongs) if procs.proc_available() else []


def _signal_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _sweep(belongs) -> list[int]:
    """SIGKILL every living process for which `belongs(info)` holds until none is left; returns survivors."""
    deadline = time.monotonic() + procs.KILL_TIMEOUT
    while True:
        targets = [info.pid for info in procs.live_processes() if info.pid != os.getpid() and belongs(info)]
        if not targets or time.monotonic() >= deadline:
            return targets
        for pid in targets:
            procs.kill(pid)
        time.sleep(0.01)


def start_worker(worker_script: Path, submission_file: Path, module_name: str, channel_fd: int,
                 mode: str = "auto", limits: Limits = Limits(), warm: bool = False) -> RunningWorker:
    """Start `<python> -I <worker_script> --fd <channel_fd> --module <module_name> --file <copy>`
    in the sandbox, where <copy> is a private copy of `submission_file`.

    `channel_fd` is inherited under the same number; the caller still owns (and should close)
    its own copy. With bwrap the worker dies with the thread that started it
    (`--die-with-parent` is tied to that thread): start workers from a long-lived thread.
    With `warm` (bwrap as root only; otherwise ignored), the worker is forked by this thread's
    zygote instead (`warm.py`): it calls `serve_submission` of the worker script's module.

    A cold start in "auto" mode does not wait for the bwrap probe (a self-check's first launch
    would): while no probe has run, the worker starts in bwrap straight away, and if it dies
    before it is ready, `WorkerProcess.sandbox_failure()` runs the probe: when bwrap cannot run
    here the caller starts the worker again, and "auto" means the process fallback from then on.
    """
    worker_script, submission_file = Path(worker_script).resolve(), Path(submission_file)
    unprobed = (mode == "auto" and not warm and bubblewrap.bwrap_path() is not None
                and bubblewrap.probe.cache_info().currsize == 0)
    resolved = "bwrap" if unprobed else resolve_mode(mode)
    if resolved == "portable":
        raise SandboxUnavailable("the portable worker has no inherited channel descriptor: "
                                 "start it with `start_portable_worker` (portable_selected(mode) says when)")
    if warm and resolved == "bwrap" and _is_root():
        worker = _start_warm(worker_script, submission_file, module_name, channel_fd, limits)
        if worker is not None:
            return worker
    read_fd, write_fd = os.pipe()
    start = _start_bwrap if resolved == "bwrap" else _start_process
    try:
        popen, lease, scratch, marker = start(worker_script, submission_file, module_name, channel_fd, limits,
                                              write_fd)
    except BaseException:
        os.close(read_fd)
        raise
    finally:
        os.close(write_fd)
    collector = OutputCollector(read_fd, limits.output_bytes)
    return WorkerProcess(mode=resolved, popen=popen, collector=collector, lease=lease, scratch=scratch,
                         marker=marker, unprobed=unprobed)


def _start_warm(worker_script, submission_file, module_name, channel_fd, limits) -> WarmWorker | None:
    """A worker forked by this thread's zygote; None when there is none to use (start cold then)."""
    submission_fd = _open_submission(submission_file)
    try:
        zygote = warm_start.acquire(worker_script.parent, limits, warm_start.preload_for(submission_fd))
        if zygote is None:
            return None
        return warm_start.start_warm(zygote, submission_fd, submission_file.name, module_name, channel_fd, limits)
    except (warm_start.ZygoteFailed, OSError) as exc:
        warnings.warn(f"sandbox: warm start failed, starting cold: {exc}", RuntimeWarning, stacklevel=3)
        return None
    finally:
        os.close(submission_fd)


def _start_bwrap(worker_script, submission_file, module_name, channel_fd, limits, output_fd):
    lease = uids.lease_uid() if _is_root() else None
    try:
        submission_fd = _open_submission(submission_file)
        try:
            argv = bubblewrap.bwrap_argv(
                bwrap=bubblewrap.bwrap_path(), wire_dir=worker_script.parent, worker_name=worker_script.name,
                submission_fd=submission_fd, submission_name=submission_file.name, module_name=module_name,
                channel_fd=channel_fd, limits=limits, drop_to_uid=lease.uid if lease else None,
                roots=bubblewrap.python_roots(), sites=bubblewrap.site_dirs())
            popen = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=output_fd, stderr=output_fd,
                                     pass_fds=(channel_fd, submission_fd), env={"PATH": "/usr/bin:/bin"},
                                     start_new_session=True)
        finally:
            os.close(submission_fd)
    except BaseException:
        if lease:
            lease.release()
        raise
    return popen, lease, None, None


def _start_process(worker_script, submission_file, module_name, channel_fd, limits, output_fd):
    lease = uids.lease_uid() if _uid_drop_problem(worker_script) is None else None
    scratch = Path(tempfile.mkdtemp(prefix="autograder-worker-"))
    try:
        copy = scratch / submission_file.name
        submission_fd = _open_submission(submission_file)
        with os.fdopen(submission_fd, "rb") as source, open(copy, "wb") as target:
            shutil.copyfileobj(source, target)
        os.chmod(copy, 0o644)
        if lease:
            os.chown(scratch, lease.uid, lease.uid)
        token = secrets.token_hex(16)
        env = {**bubblewrap.WORKER_ENV, "HOME": str(scratch), "TMPDIR": str(scratch), MARKER_VARIABLE: token}
        identity = dict(user=lease.uid, group=lease.uid, extra_groups=[]) if lease else {}
        popen = subprocess.Popen(
            [sys.executable, "-I", str(worker_script), "--fd", str(channel_fd), "--module", module_name,
             "--file", str(copy)],
            stdin=subprocess.DEVNULL, stdout=output_fd, stderr=output_fd, pass_fds=(channel_fd,), cwd=scratch,
            env=env, start_new_session=True, preexec_fn=functools.partial(apply_rlimits, limits), **identity)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        if lease:
            lease.release()
        raise
    return popen, lease, scratch, f"{MARKER_VARIABLE}={token}".encode()
