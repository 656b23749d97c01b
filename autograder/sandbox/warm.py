"""Warm starts: a sandboxed zygote per grading thread forks each worker (sandbox/zygote.py).

A cold worker costs a bubblewrap start plus Python's and numpy's imports per submission
(docs/performance.md). A warm worker is a fork of a zygote that has them already, isolated
again in the child: its own mount and IPC namespaces with fresh tmpfs, rlimits, its own
leased uid without capabilities, no_new_privs. It shares the zygote's network namespace
(loopback only) and pid namespace (it can see, not signal, the zygote). Only for bwrap
as root: the zygote needs CAP_SETUID/SETGID/SYS_ADMIN/KILL/SETPCAP to isolate each child.

One zygote per (process, thread, preload), serving one worker at a time; a second worker
wanted while the first is alive, or a zygote that fails, means a cold start instead. The
zygote dies with the thread that started it (bwrap --die-with-parent), like a cold worker.

What a zygote imports, each of its forks inherits: a submission's own `import scipy.stats`
then costs nothing, but every module mapped in makes each fork and exit dearer. So a
submission whose source mentions scipy is forked from a zygote that has `SCIPY` imported,
any other from one that has only numpy (see `preload_for`).
"""
from __future__ import annotations

import array
import json
import os
import socket
import subprocess
import threading
import time
import warnings
import weakref
from pathlib import Path

from autograder.sandbox import bubblewrap, procs, uids
from autograder.sandbox.limits import Limits
from autograder.sandbox.output import OutputCollector
from autograder.sandbox.running import RunningWorker, Teardown

REQUEST_TIMEOUT = 10.0
ZYGOTE_OUTPUT_BYTES = 16 << 10
SCIPY = ("scipy.special", "scipy.stats")


class ZygoteFailed(RuntimeError):
    """The zygote did not start or stopped answering."""


class Zygote:
    """The trusted side of one zygote sandbox: spawn, poll and reap its workers."""

    def __init__(self, wire_dir: Path, limits: Limits, preload: tuple[str, ...] = ()):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        read_fd, write_fd = os.pipe()
        try:
            argv = bubblewrap.zygote_argv(bwrap=bubblewrap.bwrap_path(), wire_dir=wire_dir,
                                          control_fd=theirs.fileno(), limits=limits,
                                          roots=bubblewrap.python_roots(), sites=bubblewrap.site_dirs(),
                                          preload=preload)
            self._popen = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=write_fd, stderr=write_fd,
                                           pass_fds=(theirs.fileno(),), env={"PATH": "/usr/bin:/bin"},
                                           start_new_session=True)
        except BaseException:
            os.close(read_fd)
            ours.close()
            raise
        finally:
            theirs.close()
            os.close(write_fd)
        self._output = OutputCollector(read_fd, ZYGOTE_OUTPUT_BYTES)
        self._control = ours
        self._control.settimeout(REQUEST_TIMEOUT)
        self._lock = threading.Lock()
        self._owner = os.getpid()
        self.busy = False
        self._finalizer = weakref.finalize(self, _kill_sandbox, self._popen, self._output, self._control,
                                           self._owner)
        try:
            hello = self._receive()
        except ZygoteFailed:
            self.close()
            raise
        if hello.get("op") != "ready":
            self.close()
            raise ZygoteFailed(f"unexpected greeting {hello!r}")

    def _receive(self) -> dict:
        try:
            data = self._control.recv(1 << 16)
        except OSError as exc:  # including socket.timeout
            raise ZygoteFailed(f"zygote not answering: {exc}; output: {self._output.text()[-500:]}") from exc
        if not data:
            raise ZygoteFailed(f"zygote exited; output: {self._output.text()[-500:]}")
        try:
            reply = json.loads(data)
        except ValueError as exc:
            raise ZygoteFailed("zygote sent garbage") from exc
        if not isinstance(reply, dict):
            raise ZygoteFailed("zygote sent garbage")
        return reply

    def _request(self, request: dict, fds: tuple[int, ...] = ()) -> dict:
        ancillary = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))] if fds else []
        with self._lock:
            try:
                self._control.sendmsg([json.dumps(request).encode()], ancillary)
            except OSError as exc:
                raise ZygoteFailed(f"zygote gone: {exc}") from exc
            return self._receive()

    def alive(self) -> bool:
        return self._popen.poll() is None

    def spawn(self, *, channel_fd: int, output_fd: int, submission_fd: int, uid: int, module_name: str,
              filename: str, limits: Limits) -> int:
        """Fork a worker for one submission; its pid inside the sandbox."""
        reply = self._request({"op": "spawn", "uid": uid, "module": module_name, "filename": filename,
                               "rlimits": [[int(k), int(v)] for k, v in limits.rlimits().items()],
                               "tmpfs_bytes": limits.scratch_bytes},
                              (channel_fd, output_fd, submission_fd))
        pid = reply.get("pid")
        if not isinstance(pid, int) or pid <= 1:
            raise ZygoteFailed(f"spawn failed: {reply.get('error', reply)!r}")
        return pid

    def poll(self, pid: int) -> int | None:
        """Exit status of worker `pid` (-N: killed by signal N), None while it runs."""
        status = self._request({"op": "poll", "pid": pid}).get("status")
        return status if isinstance(status, int) else None

    def reap(self, pid: int, uid: int) -> tuple[int | None, bool]:
        """Kill worker `pid` and wait for it, then every process of `uid` in the sandbox: (its exit
        status, whether no process of the worker is left)."""
        reply = self._request({"op": "reap", "pid": pid, "uid": uid})
        status = reply.get("status")
        return (status if isinstance(status, int) else None), reply.get("swept") is True

    def close(self) -> None:
        self._finalizer()


def _kill_sandbox(popen: subprocess.Popen, output: OutputCollector, control: socket.socket, owner: int) -> None:
    """Kill the zygote's pid namespace (its init first: the kernel then kills the rest) and reap bwrap."""
    if os.getpid() != owner:
        return  # a forked copy must not kill its parent's zygote
    control.close()
    if popen.poll() is None:
        for pid in procs.children_of(popen.pid):
            procs.kill(pid)
        procs.reap(popen)
    output.stop()


_zygotes: dict[tuple[int, int, Path, tuple[str, ...]], Zygote] = {}
_zygotes_lock = threading.Lock()


def preload_for(submission_fd: int) -> tuple[str, ...]:
    """What the zygote of this submission should have imported: `SCIPY` if its source mentions
    scipy (a guess that only decides speed: any submission can import anything), else nothing."""
    return SCIPY if b"scipy" in os.pread(submission_fd, 1 << 22, 0) else ()


def acquire(wire_dir: Path, limits: Limits, preload: tuple[str, ...] = ()) -> Zygote | None:
    """This thread's idle zygote for `wire_dir` with `preload` imported (started if needed), marked
    busy; None if it is busy or cannot start (the caller then starts the worker cold)."""
    key = (os.getpid(), threading.get_ident(), wire_dir, preload)
    with _zygotes_lock:
        zygote = _zygotes.get(key)
        if zygote is not None and not zygote.alive():
            del _zygotes[key]
            zygote.close()
            zygote = None
        if zygote is not None:
            if zygote.busy:
                return None
            zygote.busy = True
            return zygote
    try:
        zygote = Zygote(wire_dir, limits, preload)
    except (ZygoteFailed, OSError) as exc:
        warnings.warn(f"sandbox: warm start unavailable, starting workers cold: {exc}", RuntimeWarning,
                      stacklevel=2)
        return None
    zygote.busy = True
    with _zygotes_lock:
        _zygotes[key] = zygote
    return zygote


def _discard(zygote: Zygote) -> None:
    """Stop a zygote that misbehaved; the next worker of its thread gets a new one."""
    with _zygotes_lock:
        for key, known in list(_zygotes.items()):
            if known is zygote:
                del _zygotes[key]
    zygote.close()


class WarmWorker(RunningWorker):
    """A worker forked by a zygote. It has no host pid of its own that anything needs: `kill()`
    goes through the zygote and the uid."""

    mode = "bwrap"
    scratch = None  # its /scratch is a tmpfs of its own mount namespace, gone with it

    def __init__(self, zygote: Zygote, pid: int, lease: uids.UidLease, output: OutputCollector):
        self.host_uid = lease.uid
        self.zygote = zygote  # the zygote that forked it
        self._child = _ZygoteChild(zygote, pid, lease)
        super().__init__(output, Teardown(self._child.kill, [output.stop, self._child.release_lease]))

    def wait(self, timeout: float | None = None) -> int | None:
        """The exit status (-N when killed by signal N), None if still running after `timeout`."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while (status := self._child.poll(killed=self._teardown.done)) is None:
            if deadline is not None and time.monotonic() >= deadline:
                return None
            time.sleep(0.01)
        return status


class _ZygoteChild:
    """Worker `pid` of `zygote`, running as the leased uid: its exit status, and its kill."""

    def __init__(self, zygote: Zygote, pid: int, lease: uids.UidLease):
        self.zygote, self.pid, self.lease = zygote, pid, lease
        self.status: int | None = None
        self.clean = False  # the kill left no process of the uid: its lease is marked clean

    def poll(self, killed: bool) -> int | None:
        """The exit status (-9 once `killed` without one), None while it runs."""
        if self.status is None and not killed:
            try:
                self.status = self.zygote.poll(self.pid)
            except ZygoteFailed:
                self.status = -9
        if self.status is None and killed:
            return -9
        return self.status

    def kill(self) -> list[int]:
        """The zygote kills its child (whatever uid it has reached), reaps it and sweeps the uid;
        where it cannot tell that nothing is left, the host kills the uid's processes itself."""
        try:
            status, self.clean = self.zygote.reap(self.pid, self.lease.uid)
            self.status = status if self.status is None else self.status
            self.zygote.busy = False
        except ZygoteFailed:
            _discard(self.zygote)  # killing its sandbox kills the worker too
        if self.clean:
            return []
        survivors = uids.kill_uid(self.lease.uid, procs.KILL_TIMEOUT)  # escaped daemons the zygote missed
        self.clean = not survivors and procs.proc_available()
        return survivors

    def release_lease(self) -> None:
        self.lease.release(clean=self.clean)


def start_warm(zygote: Zygote, submission_fd: int, submission_name: str, module_name: str, channel_fd: int,
               limits: Limits) -> WarmWorker:
    """Fork a worker from `zygote` (acquired: busy) for the open submission file; on failure the
    zygote is discarded and the error raised."""
    lease = uids.lease_uid()
    read_fd, write_fd = os.pipe()
    try:
        pid = zygote.spawn(channel_fd=channel_fd, output_fd=write_fd, submission_fd=submission_fd, uid=lease.uid,
                           module_name=module_name, filename=submission_name, limits=limits)
    except BaseException:
        os.close(read_fd)
        lease.release()
        _discard(zygote)
        raise
    finally:
        os.close(write_fd)
    return WarmWorker(zygote, pid, lease, OutputCollector(read_fd, limits.output_bytes))
