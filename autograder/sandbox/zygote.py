"""A warm worker factory: Python with numpy (and scipy) imported, forking one isolated worker per request.

The privileged part of warm starts (sandbox/warm.py is its trusted side). It is not code of the
worker's: bubblewrap binds this one file into the zygote's sandbox beside the worker's folder
(`bubblewrap.zygote_argv`), and a worker never sees it. Runs inside a bubblewrap sandbox built
like a worker's (same binds, no network, its own pid namespace), as root of the host without any capability but CAP_SETUID, CAP_SETGID,
CAP_SYS_ADMIN, CAP_KILL and CAP_SETPCAP, and never runs or reads student code itself. The trusted side sends
`spawn` requests over the control socket with three file descriptors attached
(SCM_RIGHTS): the worker's channel, its output pipe and the submission file, opened by
the trusted side. The forked child, before any student byte is read:

1. keeps only those descriptors (the control socket is closed: a worker cannot ask for
   more workers), starts a new session, sends stdout/stderr to the output pipe;
2. enters new mount and IPC namespaces and mounts private, size-capped tmpfs on
   /scratch, /tmp and /dev/shm, so nothing of an earlier worker is visible and all of it
   vanishes with this one;
3. copies the submission to /scratch, sets the rlimits, empties the capability bounding
   set, drops to the leased uid (which clears the permitted and effective capabilities),
   empties the inheritable set and sets no_new_privs;
4. runs `worker.serve_submission`, as a cold worker would, and exits.

Requests (one JSON object per datagram, replies alike): {"op": "spawn", "uid", "module",
"filename", "rlimits": [[resource, value], ...], "tmpfs_bytes"} -> {"pid"};
{"op": "poll", "pid"} -> {"status": exit status or null}; {"op": "reap", "pid", "uid"} ->
{"status", "swept"} (SIGKILL, then wait: the zygote keeps CAP_KILL for a child that dropped its
uid; then every process of `uid` left in this pid namespace, escaped daemons included, is
killed, and "swept" is true once none is left).
Usage: python -I zygote.py --control-fd N --wire FOLDER [--preload a,b]
"""
import argparse
import array
import ctypes
import importlib
import json
import os
import random
import signal
import socket
import sys
import time

import numpy as np

try:
    import resource
except ImportError:  # not POSIX: the zygote runs only in bwrap on Linux, but the student kit ships it everywhere
    resource = None

worker = None  # the worker module (wire/worker.py), imported by `main` from the folder it is given

MAX_REQUEST_BYTES = 1 << 16
CLONE_NEWNS, CLONE_NEWIPC = 0x00020000, 0x08000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 0x1, 0x2, 0x4, 0x20, 0x1000, 0x4000, 0x40000
MNT_DETACH = 2
PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 24, 38
SCRATCH = "/scratch"
SWEEP_SECONDS = 1.0  # for the killed to be reaped; after that the trusted side sweeps (sandbox/uids.py)

_libc = ctypes.CDLL(None, use_errno=True)


def _checked(result, what):
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _mount_points():
    """Mount points of this mount namespace (/proc/self/mountinfo, octal escapes decoded)."""
    with open("/proc/self/mountinfo", "rb") as info:
        points = [line.split()[4].decode("unicode_escape") for line in info]
    return points


def _binds_under(folder):
    """The outermost mounts inside `folder` (e.g. a Python installation bound under /tmp)."""
    inside = sorted(p for p in _mount_points() if p.startswith(folder + "/"))
    return [p for p in inside if not any(p.startswith(q + "/") for q in inside if q != p)]


def _private_mounts(tmpfs_bytes):
    """New mount + IPC namespaces with fresh tmpfs over every writable place.

    Read-only binds the sandbox has under /tmp (a Python installation there, as in a CI
    checkout) are parked in /scratch, then bound back (read-only) into the fresh /tmp.
    """
    _checked(_libc.unshare(CLONE_NEWNS | CLONE_NEWIPC), "unshare")
    _checked(_libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "mount --make-rprivate /")
    kept = _binds_under("/tmp")
    parked = []
    for index, path in enumerate(kept):
        park = f"{SCRATCH}/.parked-{os.getpid()}-{index}"  # the zygote's /scratch: shared until covered
        os.mkdir(park, 0o700)
        _checked(_libc.mount(path.encode(), park.encode(), None, MS_BIND | MS_REC, None), f"park {path}")
        parked.append(park)
    _mount_tmpfs("/tmp", "1777", tmpfs_bytes)
    _mount_tmpfs("/dev/shm", "1777", tmpfs_bytes)
    for path, park in zip(kept, parked):
        os.makedirs(path, 0o755)
        _checked(_libc.mount(park.encode(), path.encode(), None, MS_BIND | MS_REC, None), f"bind {path}")
        _checked(_libc.mount(None, path.encode(), None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV,
                             None), f"read-only {path}")
        _checked(_libc.umount2(park.encode(), MNT_DETACH), f"unpark {path}")
        os.rmdir(park)
    _mount_tmpfs(SCRATCH, "0777", tmpfs_bytes)  # last: it held the parked binds


def _mount_tmpfs(path, mode, size):
    options = f"size={size},mode={mode}".encode()
    _checked(_libc.mount(b"tmpfs", path.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, options), f"mount {path}")


def _drop_bounding_set():
    """Empty the capability bounding set (as `setpriv --bounding-set=-all` does for cold workers)."""
    cap = 0
    while _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0:
        cap += 1
    if cap == 0:
        _checked(-1, "prctl(CAPBSET_DROP)")


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def _clear_capability_sets():
    """capset(all zero): also empties the inheritable set, which the uid drop leaves alone."""
    header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3: two 32-bit words per set
    data = (_CapData * 2)()
    _checked(_libc.capset(ctypes.byref(header), data), "capset")


def _copy_submission(fd, filename):
    path = os.path.join(SCRATCH, filename)
    with os.fdopen(fd, "rb") as source, open(path, "wb") as target:
        target.write(source.read())
    os.chmod(path, 0o644)
    return path


def _keep_only(fds):
    """Close every descriptor but `fds` (and 0-2)."""
    low = 3
    for fd in sorted(fds):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, resource.getrlimit(resource.RLIMIT_NOFILE)[0])


def _become_worker(request, channel_fd, output_fd, submission_fd):
    """In the forked child: isolate, drop privileges, serve the submission. Never returns."""
    status = 0
    try:
        _keep_only({channel_fd, output_fd, submission_fd})
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(output_fd, 1)
        os.dup2(output_fd, 2)
        os.close(devnull)
        os.close(output_fd)
        _private_mounts(int(request["tmpfs_bytes"]))
        path = _copy_submission(submission_fd, os.path.basename(str(request["filename"])))
        os.chdir(SCRATCH)
        for which, value in request["rlimits"]:
            resource.setrlimit(int(which), (int(value), int(value)))
        uid = int(request["uid"])
        _drop_bounding_set()
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)  # from root to non-root: the kernel clears all capabilities
        _clear_capability_sets()
        _checked(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(NO_NEW_PRIVS)")
        if os.getuid() != uid or os.geteuid() != uid or uid == 0:
            raise RuntimeError("the uid drop did not take effect")
        np.random.seed()  # fresh global states, as a cold interpreter would have
        random.seed()
        sys.argv = [path]
        worker.serve_submission(channel_fd, str(request["module"]), path)
    except BaseException:  # noqa: B036 - whatever happens, the child must not return into the loop
        status = 70
        try:
            import traceback
            traceback.print_exc()
        except BaseException:  # noqa: B036
            pass
    finally:
        worker.flush_output()
        os._exit(status)


CHILDREN = set()  # forked and not reaped yet


def _status(pid, reap):
    """Exit status (-N if killed by signal N) of child `pid`, None if it is still running (or not
    ours). With `reap`: SIGKILL it first, then wait."""
    if pid not in CHILDREN:
        return None
    if reap:
        os.kill(pid, signal.SIGKILL)
    reaped, raw = os.waitpid(pid, 0 if reap else os.WNOHANG)
    if reaped == 0:
        return None
    CHILDREN.discard(pid)
    return os.waitstatus_to_exitcode(raw)


def _processes_of(uid):
    """Pids of `uid` in this pid namespace (its own /proc: bwrap's init, this zygote, the worker's)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) not in (1, os.getpid()):
            try:
                with open(f"/proc/{entry}/status", "rb") as status:
                    fields = dict(line.split(b":", 1) for line in status.read().splitlines() if b":" in line)
                if int(fields[b"Uid"].split()[0]) == uid:
                    pids.append(int(entry))
            except (OSError, KeyError, ValueError, IndexError):  # gone meanwhile
                continue
    return pids


def _sweep(uid):
    """Kill every process of `uid` in this pid namespace; True once no process but init and this
    zygote is left (kill(-1, 0) finds none: zombies not yet reaped by init count as left)."""
    deadline = time.monotonic() + SWEEP_SECONDS
    while True:
        try:
            os.kill(-1, 0)
        except ProcessLookupError:
            return True
        for pid in _processes_of(uid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.001)


def serve(control):
    """Answer requests until the trusted side closes the control socket."""
    control.send(json.dumps({"op": "ready"}).encode())
    fds_size = socket.CMSG_LEN(3 * array.array("i").itemsize)
    while True:
        data, ancillary, _flags, _addr = control.recvmsg(MAX_REQUEST_BYTES, fds_size)
        if not data:
            return
        fds = array.array("i")
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
        request = json.loads(data)
        if request["op"] == "spawn":
            if len(fds) != 3:
                for fd in fds:
                    os.close(fd)
                control.send(json.dumps({"error": "spawn needs 3 descriptors"}).encode())
                continue
            pid = os.fork()
            if pid == 0:
                control.close()
                _become_worker(request, *fds)
            CHILDREN.add(pid)
            for fd in fds:
                os.close(fd)
            reply = {"pid": pid}
        else:
            for fd in fds:
                os.close(fd)
            reply = {"status": _status(int(request["pid"]), reap=request["op"] == "reap")}
            if request["op"] == "reap":
                reply["swept"] = not CHILDREN and _sweep(int(request["uid"]))
        control.send(json.dumps(reply).encode())


def preload(names):
    """Import `names` (those installed), so that a worker's own import of them costs its fork nothing."""
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def main():
    global worker
    parser = argparse.ArgumentParser()
    parser.add_argument("--control-fd", type=int, required=True)
    parser.add_argument("--wire", required=True, help="the folder of the worker script (worker.py)")
    parser.add_argument("--preload", default="", help="comma-separated modules to import before serving")
    options = parser.parse_args()
    control = socket.socket(fileno=options.control_fd)
    sys.path.insert(0, options.wire)
    worker = importlib.import_module("worker")
    os.umask(0o022)  # folders it makes for a worker are world-readable, never writable
    preload([name for name in options.preload.split(",") if name])
    serve(control)


if __name__ == "__main__":
    main()
