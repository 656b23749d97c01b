"""Finding a worker's processes through Linux /proc, including escaped daemons.

A `setsid()` double-fork daemon leaves its session and process group and is
re-parented to init, so `killpg` misses it. What it cannot leave: its pid namespace
(bwrap), its uid (a uid leased to this worker alone), and — unless it re-execs with a
new environment — the marker variable in its initial environment. Zombies are
ignored: they are already dead and hold nothing but a pid.
"""
from __future__ import annotations

import os
import select
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
KILL_TIMEOUT = 5.0  # seconds for killed processes to be gone before giving up on them


@dataclass(frozen=True)
class ProcInfo:
    pid: int
    ppid: int
    session: int
    uid: int  # real uid


def proc_available() -> bool:
    return (PROC / "self" / "stat").exists()


_STATUS_FIELDS = (b"State", b"PPid", b"Uid", b"NSsid")


def _read_info(pid: int) -> ProcInfo | None:
    """From /proc/PID/status, read as bytes with one system call (a scan reads every process's)."""
    try:
        fd = os.open(PROC / str(pid) / "status", os.O_RDONLY | os.O_CLOEXEC)
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    try:
        status = os.read(fd, 1 << 16)
    except ProcessLookupError:  # exited between open and read
        return None
    finally:
        os.close(fd)
    fields = {}
    for line in status.split(b"\n"):
        key, _, value = line.partition(b":")
        if key in _STATUS_FIELDS:
            fields[key] = value.split()
    if fields[b"State"][0] in (b"Z", b"X"):
        return None
    return ProcInfo(pid, int(fields[b"PPid"][0]), int(fields[b"NSsid"][0]), int(fields[b"Uid"][0]))


def live_processes() -> list[ProcInfo]:
    """Every living (non-zombie) process visible in /proc."""
    infos = []
    for entry in os.listdir(PROC):
        if entry.isdigit():
            info = _read_info(int(entry))
            if info is not None:
                infos.append(info)
    return infos


def descendants(root_pid: int, infos: list[ProcInfo]) -> set[int]:
    """`root_pid` and every process below it in the parent tree."""
    children: dict[int, list[int]] = {}
    for info in infos:
        children.setdefault(info.ppid, []).append(info.pid)
    found, todo = set(), [root_pid]
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.add(pid)
            todo.extend(children.get(pid, ()))
    return found


def pid_namespace(pid: int) -> str | None:
    """The pid namespace id of `pid` (e.g. 'pid:[4026532301]'), None if it is gone."""
    try:
        return os.readlink(PROC / str(pid) / "ns" / "pid")
    except OSError:
        return None


def has_environ_marker(pid: int, marker: bytes) -> bool:
    """Whether `marker` (b'NAME=value') is one of the process's initial environment entries."""
    try:
        environ = (PROC / str(pid) / "environ").read_bytes()
    except OSError:
        return False
    return marker in environ.split(b"\0")


def children_of(pid: int) -> list[int]:
    """Direct children of `pid` (its main thread's children)."""
    try:
        text = (PROC / str(pid) / "task" / str(pid) / "children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def kill(pid: int) -> None:
    """SIGKILL `pid`; nothing if it is already gone."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def reap(popen: subprocess.Popen) -> None:
    """Wait for a killed child; SIGKILL it directly if it takes longer than KILL_TIMEOUT.

    The wait is on a pidfd, which wakes at the exit: `Popen.wait(timeout)` polls with
    doubling sleeps, which wake late for a bwrap that takes only a few ms to exit.
    """
    _wait_for_exit(popen.pid, KILL_TIMEOUT)
    try:
        popen.wait(KILL_TIMEOUT)
    except subprocess.TimeoutExpired:
        popen.kill()
        popen.wait()


def _wait_for_exit(pid: int, timeout: float) -> None:
    """Block until child `pid` (not yet reaped) exits or `timeout` passes; no-op without pidfds."""
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):  # no pidfd_open (Python < 3.9, Linux < 5.3) or reaped
        return
    try:
        select.select([fd], [], [], timeout)
    finally:
        os.close(fd)
