"""The portable worker: a plain child process over its stdin and stdout, on any platform.

Where the POSIX primitives of the other modes are missing (Windows: no inherited socket
descriptors, `pass_fds`, `preexec_fn`, rlimits, process groups or /proc), the worker is
started with nothing but `subprocess.Popen`:

    <python> -I -X utf8 worker.py --stdio --module NAME --file <private copy>

The protocol's frames travel over the child's stdin (requests) and stdout (replies); the
worker moves them to private descriptors before any student code runs and points its own
stdout at stderr (`worker.take_stdio`), so whatever the student prints lands in the captured
stderr and never in the channel.

Deadlines stay on the trusted side. `select()` does not work on Windows pipes, so each pipe
has a thread of its own: one reads the worker's replies into a bounded queue that the
client waits on with a timeout; one writes the requests, the client waiting for it with a
timeout (a worker that stops reading cannot block the grader). A timeout or a crash ends
in `PortableWorker.kill()`: `Popen.kill()` (TerminateProcess on Windows, SIGKILL on POSIX;
on POSIX the worker also leads its own session, and the whole process group is killed).

Isolation is weaker than in the other modes (docs/security.md): no memory, CPU or process
limits and, on Windows, processes the student's code started itself may outlive `kill()`.
"""
from __future__ import annotations

import functools
import os
import queue
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from autograder import speed
from autograder.sandbox.limits import Limits
from autograder.sandbox.output import CapturedOutput
from autograder.sandbox.running import RunningWorker, Teardown

FORCE_VARIABLE = "AUTOGRADER_SANDBOX"  # "portable": `--sandbox auto` picks this mode (tests force it on Linux)
CHUNK = 1 << 20            # one read from a pipe
QUEUED_CHUNKS = 16          # replies read ahead, at most: a flooding worker cannot fill the grader's memory
KILL_SECONDS = 5.0          # for a killed worker to be reaped
_POLL_SECONDS = 0.5         # how often a blocked reader looks whether the channel was closed

_WINDOWS_VARIABLES = ("SYSTEMROOT", "WINDIR", "PATH", "PATHEXT", "COMSPEC", "NUMBER_OF_PROCESSORS",
                      "PROCESSOR_ARCHITECTURE")  # Python and numpy's DLLs need these to start


def posix_primitives() -> bool:
    """Whether this system has what the "process" and "bwrap" modes need (fork, inherited
    descriptors, rlimits, signals to process groups): every POSIX system, not Windows."""
    return os.name == "posix" and sys.platform != "win32"


def forced() -> bool:
    """Whether the environment asks "auto" for the portable mode (`AUTOGRADER_SANDBOX=portable`)."""
    return os.environ.get(FORCE_VARIABLE, "").strip().lower() == "portable"


def worker_environment(scratch: Path) -> dict[str, str]:
    """The worker's whole environment: one BLAS thread, the scratch folder as home and temporary
    folder, and on Windows the few system variables a process needs. (`-I` makes Python ignore
    every PYTHON* variable: UTF-8 comes from `-X utf8` on the command line.)"""
    env = {"LANG": "C.UTF-8", **speed.worker_environment(glibc=False),
           "HOME": str(scratch), "TMPDIR": str(scratch), "TEMP": str(scratch), "TMP": str(scratch)}
    if sys.platform == "win32":
        env.update({name: os.environ[name] for name in _WINDOWS_VARIABLES if name in os.environ})
        env["USERPROFILE"] = str(scratch)
    else:
        env["PATH"] = "/usr/local/bin:/usr/bin:/bin"
    return env


class PipeChannel:
    """The trusted end of the worker's stdin and stdout, with the socket methods the client uses
    (`settimeout`, `recv_into`, `sendall`, `close`); every read and write gives up with
    `TimeoutError` after the timeout set last."""

    def __init__(self, to_worker, from_worker):
        self._to_worker, self._from_worker = to_worker, from_worker
        self._timeout: float | None = None
        self._closed = threading.Event()
        self._replies: queue.Queue = queue.Queue(maxsize=QUEUED_CHUNKS)
        self._pending = memoryview(b"")
        self._eof = False
        self._requests: queue.SimpleQueue = queue.SimpleQueue()
        for target, name in ((self._read_replies, "reader"), (self._write_requests, "writer")):
            threading.Thread(target=target, name=f"portable-worker-{name}", daemon=True).start()

    def settimeout(self, seconds: float | None) -> None:
        self._timeout = seconds

    # -- worker -> grader
    def _read_replies(self) -> None:
        while True:
            try:
                chunk = self._from_worker.read(CHUNK)
            except (OSError, ValueError):  # closed under us
                chunk = b""
            while not self._closed.is_set():
                try:
                    self._replies.put(chunk or b"", timeout=_POLL_SECONDS)
                    break
                except queue.Full:
                    continue
            if not chunk or self._closed.is_set():
                return

    def recv_into(self, buffer, nbytes: int) -> int:
        """Copy at most `nbytes` of what the worker sent into `buffer`; 0 once it closed its stdout."""
        if not self._pending:
            if self._eof or (self._closed.is_set() and self._replies.empty()):
                return 0
            try:
                chunk = self._replies.get(timeout=self._timeout)
            except queue.Empty:
                raise TimeoutError("the worker sent nothing in time") from None
            if not chunk:
                self._eof = True
                return 0
            self._pending = memoryview(chunk)
        count = min(nbytes, len(buffer), len(self._pending))
        buffer[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count

    # -- grader -> worker
    def _write_requests(self) -> None:
        while True:
            job = self._requests.get()
            if job is None:
                return
            data, done, failure = job
            try:
                view = memoryview(data).cast("B")
                while view:  # an unbuffered pipe: write() may write less than asked
                    view = view[self._to_worker.write(view):]
            except (OSError, ValueError) as exc:
                failure.append(exc)
            done.set()

    def sendall(self, data) -> None:
        done, failure = threading.Event(), []
        self._requests.put((data, done, failure))
        if not done.wait(self._timeout):
            raise TimeoutError("the worker did not read its request in time")
        if failure:
            raise BrokenPipeError(f"the worker's stdin is closed: {failure[0]}")

    def close(self) -> None:
        """Stop both threads (the worker must be dead or killed, or its pipes closed, for the reader)."""
        if self._closed.is_set():
            return
        self._closed.set()
        self._requests.put(None)
        while True:  # let a reader blocked on a full queue see `_closed`
            try:
                self._replies.get_nowait()
            except queue.Empty:
                break
        try:  # and a caller waiting for a reply learn of the end (the reader may have stopped before its EOF)
            self._replies.put_nowait(b"")
        except queue.Full:  # the reader's last chunks got in first: the caller reads them, then sees `_closed`
            pass


class StreamCollector(CapturedOutput):
    """The worker's stderr (where its stdout goes too), drained by a thread: the first `cap`
    bytes kept, the rest counted. Thread-based because `select()` does not work on Windows pipes."""

    def __init__(self, stream, cap: int):
        super().__init__(cap)
        self._stream = stream
        self._thread = threading.Thread(target=self._drain, name="portable-worker-output", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        while True:
            try:
                chunk = self._stream.read(CHUNK)
            except (OSError, ValueError):
                return
            if not chunk:
                return
            self._buffer.add(chunk)

    def stop(self, timeout: float = 1.0) -> None:
        """Wait (a little) for the rest of the output, then close the pipe. A process the worker
        started that still holds the pipe keeps the daemon thread blocked (and the pipe open);
        the grader does not wait for it."""
        self._thread.join(timeout)
        if not self._thread.is_alive():
            self._stream.close()


class PortableWorker(RunningWorker):
    """A running portable worker; its `channel` (a `PipeChannel`) is the trusted end of the
    worker's stdin and stdout."""

    mode = "portable"

    def __init__(self, popen: subprocess.Popen, channel: PipeChannel, collector: StreamCollector, scratch: Path):
        self.pid = popen.pid
        self.channel = channel
        self.scratch = scratch
        self._popen = popen
        cleanups = [channel.close, functools.partial(_close_pipes, popen), collector.stop,
                    functools.partial(shutil.rmtree, scratch, ignore_errors=True)]
        super().__init__(collector, Teardown(functools.partial(_kill, popen), cleanups))

    def wait(self, timeout: float | None = None) -> int | None:
        """The exit status (-N when killed by signal N on POSIX), None if still running after `timeout`."""
        try:
            return self._popen.wait(timeout)
        except subprocess.TimeoutExpired:
            return None


def _kill(popen: subprocess.Popen) -> list[int]:
    """Kill the worker (and on POSIX its process group) and reap it. Nothing can be swept: no
    survivors are known."""
    if popen.poll() is None:
        _kill_group(popen)
        try:
            popen.kill()
        except OSError:
            pass
    try:
        popen.wait(KILL_SECONDS)
    except subprocess.TimeoutExpired:
        pass
    return []


def _close_pipes(popen: subprocess.Popen) -> None:
    for pipe in (popen.stdin, popen.stdout):
        try:
            pipe.close()
        except OSError:
            pass


def _kill_group(popen: subprocess.Popen) -> None:
    """POSIX: SIGKILL the worker's process group (it leads its own session), which takes the
    processes it started along unless they left the group. Elsewhere nothing: `Popen.kill()` follows."""
    if not posix_primitives():
        return
    import signal

    try:
        os.killpg(popen.pid, signal.SIGKILL)
    except OSError:
        pass


def _private_copy(submission_file: Path, scratch: Path) -> Path:
    """The submission copied into the scratch folder (a symlink, which could point at anything, refused)."""
    info = os.lstat(submission_file)
    if not stat.S_ISREG(info.st_mode):
        raise ValueError(f"submission {submission_file} is not a regular file")
    copy = scratch / submission_file.name
    shutil.copyfile(submission_file, copy, follow_symlinks=False)
    return copy


def start_portable_worker(worker_script: Path, submission_file: Path, module_name: str,
                          limits: Limits = Limits()) -> PortableWorker:
    """Start ``<python> -I -X utf8 <worker_script> --stdio --module <module_name> --file <copy>``
    with a scratch folder of its own as cwd, home and temporary folder; the channel is its stdin
    and stdout (`PortableWorker.channel`). UTF-8 mode makes the student's prints and `open()`
    behave as on Linux (Windows' console code pages would refuse a printed "σ"). Of `limits` only
    the captured output's size applies here: the wall deadlines are the client's, and the kernel
    limits are POSIX's."""
    worker_script, submission_file = Path(worker_script).resolve(), Path(submission_file)
    scratch = Path(tempfile.mkdtemp(prefix="autograder-worker-"))
    try:
        copy = _private_copy(submission_file, scratch)
        platform = ({"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP | subprocess.CREATE_NO_WINDOW}
                    if sys.platform == "win32" else {"start_new_session": True})
        popen = subprocess.Popen(
            [sys.executable, "-I", "-X", "utf8", str(worker_script), "--stdio", "--module", module_name,
             "--file", str(copy)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0, cwd=scratch,
            env=worker_environment(scratch), close_fds=True, **platform)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    channel = PipeChannel(popen.stdin, popen.stdout)
    collector = StreamCollector(popen.stderr, limits.output_bytes)
    return PortableWorker(popen, channel, collector, scratch)
