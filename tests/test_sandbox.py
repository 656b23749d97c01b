"""The sandbox that starts and kills untrusted workers (autograder/sandbox).

A stand-in worker with the real argv contract (`-I worker.py --fd N --module M --file F`)
runs snippets sent by the test over the channel and answers with JSON, so each test
states what it tries inside the sandbox and checks what the trusted side sees.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import pytest

from autograder.sandbox import Limits, describe, sandbox_available, start_worker
from autograder.sandbox import bubblewrap, procs, uids
from autograder.sandbox.warm import WarmWorker
from autograder.sandbox import memory

REPO = Path(__file__).resolve().parents[1]
IS_ROOT = os.geteuid() == 0

STAND_IN_WORKER = '''
import argparse, json, os, socket, struct, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sibling  # the whole worker folder is visible, not just the script


def serve_submission(fd, module, file):  # what a zygote calls in its forked child
    args = argparse.Namespace(fd=fd, module=module, file=file)
    channel = socket.socket(fileno=fd)

    def receive():
        head = b""
        while len(head) < 4:
            part = channel.recv(4 - len(head))
            if not part:
                sys.exit(0)
            head += part
        (size,) = struct.unpack("<I", head)
        body = b""
        while len(body) < size:
            body += channel.recv(size - len(body))
        return json.loads(body)

    def send(message):
        body = json.dumps(message).encode()
        channel.sendall(struct.pack("<I", len(body)) + body)

    send({"ready": sibling.READY, "argv": sys.argv, "module": module, "file": file})
    while True:
        scope = {"args": args}
        try:
            exec(receive()["code"], scope)
            send({"result": scope.get("result")})
        except BaseException as exc:
            send({"error": type(exc).__name__, "message": str(exc)})


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--module", required=True)
    parser.add_argument("--file", required=True)
    options = parser.parse_args()
    serve_submission(options.fd, options.module, options.file)
'''


class Session:
    """A started stand-in worker and the trusted end of its channel."""

    def __init__(self, worker, channel: socket.socket, hello: dict):
        self.worker, self.channel, self.hello = worker, channel, hello

    def send(self, code: str) -> None:
        body = json.dumps({"code": textwrap.dedent(code)}).encode()
        self.channel.sendall(struct.pack("<I", len(body)) + body)

    def run(self, code: str, timeout: float = 20.0) -> dict:
        self.send(code)
        return _receive(self.channel, timeout)


def _receive(channel: socket.socket, timeout: float) -> dict:
    channel.settimeout(timeout)
    data = b""
    while len(data) < 4 or len(data) < 4 + struct.unpack("<I", data[:4])[0]:
        part = channel.recv(1 << 16)
        if not part:
            raise EOFError("worker closed the channel")
        data += part
    return json.loads(data[4:])


@pytest.fixture
def wire_dir(tmp_path) -> Path:
    folder = tmp_path / "wire"
    folder.mkdir()
    (folder / "worker.py").write_text(STAND_IN_WORKER)
    (folder / "sibling.py").write_text("READY = 'ok'\n")
    return folder


@pytest.fixture
def submission(tmp_path) -> Path:
    folder = tmp_path / "students" / "alice"
    folder.mkdir(parents=True)
    path = folder / "gates.py"
    path.write_text("SECRET_OF_ALICE = 1\n")
    return path


@pytest.fixture
def start(wire_dir, submission):
    """start(mode, **limits) -> Session; every worker is killed at the end of the test."""
    sessions = []

    def _start(mode: str, **limit_overrides) -> Session:
        ours, theirs = socket.socketpair()
        worker = start_worker(wire_dir / "worker.py", submission, "gates", theirs.fileno(),
                              mode="bwrap" if mode == "warm" else mode, limits=Limits(**limit_overrides),
                              warm=mode == "warm")
        theirs.close()
        assert isinstance(worker, WarmWorker) == (mode == "warm")  # no silent cold start
        session = Session(worker, ours, {})
        sessions.append(session)
        try:
            session.hello = _receive(ours, 20.0)
        except (EOFError, OSError) as exc:
            raise AssertionError(f"worker did not start: {exc}\n{worker.output()}") from exc
        return session

    yield _start
    for session in sessions:
        session.worker.kill()
        session.channel.close()


BWRAP = pytest.mark.skipif(not sandbox_available("bwrap"), reason="bubblewrap unavailable")
WARM = pytest.mark.skipif(not (IS_ROOT and sandbox_available("bwrap")), reason="warm starts need bwrap as root")
MODES = [pytest.param("bwrap", marks=BWRAP), pytest.param("warm", marks=WARM), "process"]
SANDBOXED = [pytest.param("bwrap", marks=BWRAP), pytest.param("warm", marks=WARM)]


def _uid_dropped_in_process_mode() -> bool:
    return "leased unprivileged uid" in describe("process")


def _processes_with(marker: str) -> list[int]:
    """Living processes whose command line holds `marker` (zombies have none)."""
    found = []
    for info in procs.live_processes():
        try:
            if marker.encode() in (procs.PROC / str(info.pid) / "cmdline").read_bytes():
                found.append(info.pid)
        except OSError:
            pass
    return found


def _wait_until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.02)


# --- start, argv, environment ------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_worker_gets_its_argv_and_a_private_copy_of_the_submission(start, mode, submission):
    session = start(mode)
    assert session.worker.mode == mode.replace("warm", "bwrap") and session.worker.alive()
    argv, copy = session.hello["argv"], session.hello["file"]
    if mode == "warm":  # forked by the zygote, which calls serve_submission(fd, module, file)
        assert argv == [copy] and session.hello["module"] == "gates"
    else:
        assert argv[1:] == ["--fd", argv[2], "--module", "gates", "--file", copy]
    reply = session.run("import os; result = [os.getcwd(), open(args.file).read(), os.path.basename(args.file)]")
    cwd, text, name = reply["result"]
    assert text == "SECRET_OF_ALICE = 1\n" and name == "gates.py"
    assert Path(copy).parent == Path(cwd) and Path(copy) != submission


@pytest.mark.parametrize("mode", MODES)
def test_environment_is_cleared(start, mode, monkeypatch):
    monkeypatch.setenv("GRADER_SECRET_TOKEN", "do-not-leak")
    session = start(mode)
    env = session.run("import os; result = dict(os.environ)")["result"]
    assert "GRADER_SECRET_TOKEN" not in env
    allowed = set(bubblewrap.WORKER_ENV) | ({"AUTOGRADER_WORKER"} if mode == "process" else {"PWD"})
    assert set(env) <= allowed
    assert env["OPENBLAS_NUM_THREADS"] == "1" and env["HOME"] == session.run("import os; result = os.getcwd()")["result"]
    assert all(env[name] == value for name, value in memory.ENVIRONMENT.items())


# --- what the worker can see and reach ---------------------------------------------------------------------------

@pytest.mark.parametrize("mode", SANDBOXED)
def test_bwrap_worker_sees_neither_repository_nor_other_students_nor_outputs(start, mode, tmp_path):
    other = tmp_path / "students" / "bob"
    other.mkdir(parents=True)
    (other / "gates.py").write_text("BOB = 1\n")
    out = tmp_path / "out"
    out.mkdir()
    session = start(mode)
    paths = [str(REPO / "solutions"), str(REPO / "autograder"), str(REPO / "tests"), str(other), str(out),
             str(tmp_path), "/home", "/etc/passwd", "/etc/shadow", "/var", "/run", "/sys"]
    reply = session.run(f"import os; result = [p for p in {paths!r} if os.path.exists(p)]")
    assert reply["result"] == []
    # The repository itself is visible only as the parent of a Python root bound read-only
    # (a virtualenv in the checkout, as scripts/setup makes it), holding nothing else.
    roots_inside = sorted(p.relative_to(REPO).parts[0] for p in bubblewrap.python_roots() if p.is_relative_to(REPO))
    listing = session.run(f"import os; result = sorted(os.listdir({str(REPO)!r})) if os.path.exists({str(REPO)!r}) else []")
    assert listing["result"] == roots_inside
    python_root = bubblewrap.python_roots()[0] if bubblewrap.python_roots() else Path("/usr")
    listing = session.run(f"import os; result = os.listdir({str(python_root.parent)!r})")["result"]
    assert listing == [python_root.name]  # the interpreter's folder is there, none of its neighbours
    writable = session.run(f"""
        import os
        result = {{}}
        for path in ["/usr/evil", "{sys.prefix}/evil", "/wire/evil"]:
            try:
                open(path, "w").close(); result[path] = True
            except OSError:
                result[path] = False
        """)["result"]
    assert not any(writable.values()), writable


@pytest.mark.parametrize("mode", SANDBOXED)
def test_bwrap_worker_has_no_network(start, mode):
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    accepted = []
    threading.Thread(target=lambda: accepted.append(server.accept()), daemon=True).start()
    try:
        session = start(mode)
        reply = session.run(f"import socket; socket.create_connection(('127.0.0.1', {port}), timeout=2)")
        assert reply["error"] in ("ConnectionRefusedError", "OSError", "TimeoutError"), reply
        interfaces = session.run("import socket; result = [name for _, name in socket.if_nameindex()]")["result"]
        assert interfaces == ["lo"]
        assert accepted == []
    finally:
        server.close()


@pytest.mark.skipif(not sandbox_available("bwrap"), reason="bubblewrap unavailable")
def test_bwrap_worker_is_unprivileged_and_alone_in_its_pid_namespace(start):
    session = start("bwrap")
    facts = session.run("""
        import os
        status = open('/proc/self/status').read()
        result = {"uid": os.getuid(), "euid": os.geteuid(),
                  "cap_eff": [l.split()[1] for l in status.splitlines() if l.startswith('CapEff')][0],
                  "pids": sorted(int(p) for p in os.listdir('/proc') if p.isdigit())}
        """)["result"]
    assert facts["uid"] != 0 and facts["euid"] != 0 and int(facts["cap_eff"], 16) == 0
    assert facts["pids"] == [1, 2]  # bwrap's init and the worker; no host process is visible
    if IS_ROOT:  # on the host too, the worker runs as its leased uid
        assert session.worker.host_uid >= 60000
        assert [info for info in procs.live_processes() if info.uid == session.worker.host_uid] != []


# --- warm starts: workers forked by a zygote (autograder/sandbox/warm.py, autograder/sandbox/zygote.py) ----------

@WARM
def test_warm_worker_is_unprivileged_and_cannot_reach_the_zygote(start):
    session = start("warm")
    facts = session.run("""
        import os, signal
        status = dict(line.split(':', 1) for line in open('/proc/self/status').read().splitlines())
        fds = sorted(int(fd) for fd in os.listdir('/proc/self/fd'))
        result = {"uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups(),
                  "caps": [int(status[k], 16) for k in ('CapEff', 'CapPrm', 'CapInh', 'CapBnd', 'CapAmb')],
                  "no_new_privs": status['NoNewPrivs'].strip(), "fds": fds,
                  "pids": sorted(int(p) for p in os.listdir('/proc') if p.isdigit())}
        kills = {}
        for pid in result["pids"]:
            if pid != os.getpid():
                try:
                    os.kill(pid, signal.SIGKILL); kills[pid] = "killed"
                except OSError as exc:
                    kills[pid] = type(exc).__name__
        result["kills"] = kills
        """)["result"]
    assert facts["uid"] == facts["gid"] == session.worker.host_uid >= uids.UID_BASE and facts["groups"] == []
    assert facts["caps"] == [0, 0, 0, 0, 0] and facts["no_new_privs"] == "1"
    # stdin/out/err, the channel, and the descriptor listing /proc/self/fd: no control socket of the zygote
    assert len(facts["fds"]) == 5 and facts["fds"][:3] == [0, 1, 2]
    assert len(facts["pids"]) == 3  # bwrap's init, the zygote, itself
    assert set(facts["kills"].values()) == {"PermissionError"}
    assert session.run("result = 1")["result"] == 1
    session.worker.kill()
    assert start("warm").run("result = 2")["result"] == 2  # the zygote still serves


@WARM
def test_warm_worker_sees_nothing_of_the_previous_one(start):
    first = start("warm")
    leave = """
        import os
        for path in ('/tmp/left', '/scratch/left', '/dev/shm/left'):
            open(path, 'w').write('secret of the previous student')
        result = sorted(os.listdir('/tmp') + os.listdir('/scratch') + os.listdir('/dev/shm'))
        """
    # a Python installed under /tmp (a CI checkout) is bound back into each fresh /tmp, read-only
    installed = [p.relative_to("/tmp").parts[0] for p in bubblewrap.python_roots() if p.is_relative_to("/tmp")]
    assert first.run(leave)["result"] == sorted(["gates.py", "left", "left", "left", *installed])
    first.worker.kill()
    second = start("warm")
    assert second.worker.zygote is first.worker.zygote  # the same zygote forked both
    seen = second.run("import os; result = sorted(os.listdir('/tmp') + os.listdir('/scratch') + os.listdir('/dev/shm'))")
    assert seen["result"] == sorted(["gates.py", *installed])


@WARM
def test_second_worker_while_the_first_lives_starts_cold(wire_dir, submission):
    ours, theirs = socket.socketpair()
    first = start_worker(wire_dir / "worker.py", submission, "gates", theirs.fileno(), mode="bwrap", warm=True)
    ours2, theirs2 = socket.socketpair()
    second = start_worker(wire_dir / "worker.py", submission, "gates", theirs2.fileno(), mode="bwrap", warm=True)
    try:
        assert isinstance(first, WarmWorker) and not isinstance(second, WarmWorker)
        assert _receive(ours, 20)["ready"] == "ok" and _receive(ours2, 20)["ready"] == "ok"
    finally:
        for worker, channel in ((first, ours), (second, ours2)):
            worker.kill()
            channel.close()
        theirs.close()
        theirs2.close()


@pytest.mark.skipif(not sandbox_available("bwrap"), reason="bubblewrap unavailable")
def test_installed_grader_and_solutions_packages_are_masked(tmp_path, wire_dir, submission):
    site_dir = tmp_path / "python" / "site-packages"  # a Python installation with the grader installed in it
    (site_dir / "autograder").mkdir(parents=True)
    (site_dir / "autograder" / "reference.py").write_text("REFERENCE = 1\n")
    (site_dir / "solutions.py").write_text("REFERENCE = 1\n")
    (site_dir / "numpy_like").mkdir()
    (wire_dir / "worker.py").write_text(
        f"import os\nsite = {str(site_dir)!r}\n"
        "try:\n    solutions = open(site + '/solutions.py').read()\nexcept OSError as exc:\n"
        "    solutions = type(exc).__name__\n"
        "print(sorted(os.listdir(site)), os.listdir(site + '/autograder'), solutions)\n")
    lease = uids.lease_uid() if IS_ROOT else None
    submission_fd = os.open(submission, os.O_RDONLY)
    try:
        argv = bubblewrap.bwrap_argv(
            bwrap=bubblewrap.bwrap_path(), wire_dir=wire_dir, worker_name="worker.py", submission_fd=submission_fd,
            submission_name=submission.name, module_name="gates", channel_fd=submission_fd, limits=Limits(),
            drop_to_uid=lease.uid if lease else None, roots=[*bubblewrap.python_roots(), tmp_path / "python"],
            sites=[site_dir])
        run = subprocess.run(argv, pass_fds=[submission_fd], capture_output=True, text=True, timeout=60)
    finally:
        os.close(submission_fd)
        if lease:
            lease.release()
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "['autograder', 'numpy_like', 'solutions.py'] [] PermissionError"


def test_concurrent_workers_get_distinct_uids(start):
    if not IS_ROOT:
        pytest.skip("uids are leased only when the grader runs as root")
    mode = "bwrap" if sandbox_available("bwrap") else "process"
    first, second = start(mode), start(mode)
    if first.worker.host_uid is None:
        pytest.skip("process mode could not drop the uid here")
    assert first.worker.host_uid != second.worker.host_uid


# --- rlimits -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_memory_file_size_open_files_and_core_limits(start, mode):
    session = start(mode, memory_bytes=512 << 20, file_bytes=1 << 20, open_files=32)
    assert session.run("x = bytearray(1 << 30)")["error"] == "MemoryError"
    too_big = session.run("with open('big', 'wb') as f: f.write(b'x' * ((1 << 20) + 1))")
    assert too_big["error"] == "OSError" and "too large" in too_big["message"].lower()
    opened = session.run("""
        files = []
        try:
            while True:
                files.append(open('/dev/null'))
        except OSError:
            result = len(files)
        """)["result"]
    assert 20 <= opened < 32
    assert session.run("import resource; result = resource.getrlimit(resource.RLIMIT_CORE)")["result"] == [0, 0]
    assert session.worker.alive()


@pytest.mark.slow
@pytest.mark.parametrize("mode", MODES)
def test_cpu_limit_kills_a_busy_loop(start, mode):
    session = start(mode, cpu_seconds=1)
    with pytest.raises((EOFError, ConnectionResetError)):
        session.run("while True: pass", timeout=30)
    assert session.worker.wait(10) == -9  # RLIMIT_CPU with soft = hard: SIGKILL


@pytest.mark.parametrize("mode", MODES)
def test_fork_bomb_is_bounded(start, mode):
    if mode == "process" and not _uid_dropped_in_process_mode():
        pytest.skip("process mode without a uid drop: RLIMIT_NPROC does not bind root or counts the whole user")
    session = start(mode, max_processes=8)
    reply = session.run("""
        import os, time
        children = 0
        try:
            for _ in range(50):
                if os.fork() == 0:
                    time.sleep(60)
                    os._exit(0)
                children += 1
        except BlockingIOError:
            pass
        result = children
        """)
    assert 0 < reply["result"] < 8


# --- exit status and kill ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_exit_status_and_signal_death_look_the_same_in_both_modes(start, mode):
    for code, status in (("import os; os._exit(3)", 3),
                         ("import os, signal; os.kill(os.getpid(), signal.SIGSEGV)", -11)):
        session = start(mode)
        session.send(code)
        assert session.worker.wait(10) == status
        assert not session.worker.alive()
        session.worker.kill()  # a zygote forks one worker at a time
        assert session.worker.wait(0) == status


@pytest.mark.parametrize("mode", MODES)
def test_kill_removes_children_and_escaped_setsid_daemons(start, mode):
    marker = f"sandbox-test-{os.getpid()}-{time.monotonic_ns()}"
    session = start(mode)
    reply = session.run(f"""
        import os, sys, time
        sleeper = [sys.executable, "-c", "import time; time.sleep(300)", "{marker}"]
        if os.fork() == 0:                      # a plain child
            os.execv(sys.executable, sleeper)
        if os.fork() == 0:                      # a setsid double-fork daemon
            os.setsid()
            if os.fork() == 0:
                os.execv(sys.executable, sleeper)
            os._exit(0)
        result = "spawned"
        """)
    assert reply["result"] == "spawned"
    _wait_until(lambda: len(_processes_with(marker)) == 2)  # both exist before the kill: the check below can fail
    started = time.monotonic()
    session.worker.kill()
    assert time.monotonic() - started < 5  # the daemon still holds the output pipe: nothing may hang on it
    assert _processes_with(marker) == []
    assert not session.worker.alive()
    if session.worker.host_uid is not None:
        assert [info for info in procs.live_processes() if info.uid == session.worker.host_uid] == []
    session.worker.kill()  # idempotent


@WARM
def test_only_a_submission_that_mentions_scipy_is_forked_from_a_zygote_with_scipy(wire_dir, tmp_path):
    """Every module a zygote has imported makes each of its forks dearer, so scipy is preloaded only
    for submissions whose source mentions it (the stand-in worker never imports the submission:
    what it finds loaded is the zygote's)."""
    found = {}
    for name, text in (("plain", "X = 1\n"), ("scipy", "from scipy.stats import norm\n")):
        path = tmp_path / name / "gates.py"
        path.parent.mkdir()
        path.write_text(text)
        ours, theirs = socket.socketpair()
        worker = start_worker(wire_dir / "worker.py", path, "gates", theirs.fileno(), mode="bwrap", warm=True)
        theirs.close()
        try:
            assert isinstance(worker, WarmWorker)
            session = Session(worker, ours, _receive(ours, 20.0))
            found[name] = session.run("import sys; result = sorted(m for m in ('numpy', 'scipy.special', "
                                      "'scipy.stats') if m in sys.modules)")["result"]
        finally:
            worker.kill()
            ours.close()
    assert found == {"plain": ["numpy"], "scipy": ["numpy", "scipy.special", "scipy.stats"]}


@WARM
def test_the_zygote_sweeps_a_warm_workers_uid_and_marks_its_lease_clean(start, monkeypatch):
    """The zygote kills the escaped daemon itself, so the trusted side needs neither its own
    `kill -1` as the uid nor a /proc scan, and the uid's next lease skips its scan."""
    marker = f"sandbox-sweep-{os.getpid()}-{time.monotonic_ns()}"
    session = start("warm")
    assert session.run(f"""
        import os, sys
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(300)", "{marker}"])
            os._exit(0)
        result = "spawned"
        """)["result"] == "spawned"
    _wait_until(lambda: len(_processes_with(marker)) == 1)
    trusted_sweeps = []
    monkeypatch.setattr(uids, "kill_uid", lambda *args: trusted_sweeps.append(args) or [])
    session.worker.kill()
    assert trusted_sweeps == [] and _processes_with(marker) == []
    assert [info for info in procs.live_processes() if info.uid == session.worker.host_uid] == []
    scans = []
    monkeypatch.setattr(uids, "processes_of", lambda uid: scans.append(uid) or [])
    lease = uids.lease_uid()  # the lowest free uid: the one just released
    try:
        assert lease.uid == session.worker.host_uid and scans == []
    finally:
        lease.release()


@pytest.mark.skipif(not IS_ROOT, reason="uid leases need root")
def test_a_lease_not_released_clean_is_scanned_and_its_leftovers_killed():
    """A release without `clean` (a cold worker's, or a crashed grader's lease, whose file was
    emptied when leased) makes the next lease of the uid find and kill what it left."""
    lease = uids.lease_uid()
    uid = lease.uid
    assert (uids._lock_dir() / str(uid)).read_bytes() == b""  # marked in use
    leftover = subprocess.Popen(["sleep", "300"], user=uid, group=uid, extra_groups=[])
    lease.release()
    again = uids.lease_uid()
    try:
        assert again.uid == uid
        assert leftover.wait(5) == -9
    finally:
        again.release()


@pytest.mark.parametrize("mode", MODES)
def test_huge_output_is_capped_without_blocking(start, mode):
    session = start(mode, output_bytes=4096)
    reply = session.run("""
        import sys
        chunk = b"y" * (1 << 20)
        for _ in range(200):
            sys.stdout.buffer.write(chunk)
        sys.stdout.flush()
        result = "written"
        """, timeout=60)
    assert reply["result"] == "written"
    session.worker.kill()  # the output thread reads to the end of the pipe
    text = session.worker.output()
    assert text.startswith("y" * 4096) and "209711104 more bytes discarded" in text
    assert len(text) < 4096 + 100


def test_process_mode_scratch_is_private_and_removed(start):
    session = start("process")
    scratch = session.worker.scratch
    assert scratch.is_dir() and (scratch / "gates.py").is_file()
    assert oct(scratch.stat().st_mode & 0o777) == "0o700"
    session.run("open('left_behind.txt', 'w').write('x')")
    session.worker.kill()
    assert not scratch.exists()


def test_describe_says_process_mode_is_weaker():
    assert "isolation is weaker" in describe("process")
    if sandbox_available("bwrap"):
        assert "no network" in describe("bwrap")


# --- the other identities: root with an interpreter any uid may run, and a grader that is not root ---------------

PROBE_WORKER = """
import ctypes, json, os, socket, sys, time
argv = sys.argv
marker = open(argv[argv.index("--file") + 1]).read().strip()
uid = os.getuid()
middle = os.fork()
if middle == 0:                                      # a setsid double-fork daemon
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(300)", marker])
    os._exit(0)
os.waitpid(middle, 0)                                # the daemon exists before the fork bomb takes every slot
children = 0
try:                                                 # a fork bomb
    for _ in range(50):
        if os.fork() == 0:
            time.sleep(300)
            os._exit(0)
        children += 1
except BlockingIOError:
    pass
nested_userns = ctypes.CDLL(None, use_errno=True).unshare(0x10000000) == 0   # CLONE_NEWUSER
facts = {"uid": uid, "children": children, "nested_userns": nested_userns}
socket.socket(fileno=int(argv[argv.index("--fd") + 1])).sendall(json.dumps(facts).encode() + b"\\n")
time.sleep(300)
"""

PROBE_HARNESS = """
import json, socket, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from autograder.sandbox import Limits, procs, start_worker

def daemons(marker):
    found = []
    for info in procs.live_processes():
        try:
            if marker.encode() in (procs.PROC / str(info.pid) / "cmdline").read_bytes():
                found.append(info.pid)
        except OSError:
            pass
    return found

mode, folder = sys.argv[1], Path(sys.argv[2])
marker = (folder / "gates.py").read_text().strip()
ours, theirs = socket.socketpair()
worker = start_worker(folder / "worker.py", folder / "gates.py", "gates", theirs.fileno(), mode=mode,
                      limits=Limits(max_processes=8))
theirs.close()
ours.settimeout(30)
facts = json.loads(ours.makefile().readline())
deadline = time.monotonic() + 10
while not daemons(marker) and time.monotonic() < deadline:
    time.sleep(0.02)
facts["daemon_before_kill"] = len(daemons(marker))
worker.kill()
facts.update(mode=worker.mode, host_uid=worker.host_uid, daemon_after_kill=len(daemons(marker)),
             uid_processes_after_kill=len([i for i in procs.live_processes() if i.uid == worker.host_uid]))
print(json.dumps(facts))
"""

SYSTEM_PYTHON = "/usr/bin/python3"


@pytest.mark.slow
@pytest.mark.skipif(not IS_ROOT or not os.access(SYSTEM_PYTHON, os.X_OK) or not sandbox_available("bwrap"),
                    reason="needs root, bubblewrap and a system Python that any uid may run")
def test_uid_drop_in_process_mode_and_bwrap_for_a_grader_that_is_not_root():
    def harness(mode: str, folder: str, **identity) -> dict:
        run = subprocess.run([SYSTEM_PYTHON, f"{folder}/harness.py", mode, folder, str(REPO)], cwd=folder,
                             capture_output=True, text=True, timeout=120, **identity)
        assert run.returncode == 0, run.stderr
        return json.loads(run.stdout)

    with tempfile.TemporaryDirectory() as folder:
        os.chmod(folder, 0o755)
        Path(folder, "worker.py").write_text(PROBE_WORKER)
        Path(folder, "harness.py").write_text(PROBE_HARNESS)
        Path(folder, "gates.py").write_text(f"sandbox-daemon-{os.getpid()}-{time.monotonic_ns()}\n")

        as_root = harness("process", folder)  # root, and an interpreter a leased uid may run
        assert as_root["mode"] == "process" and as_root["host_uid"] >= uids.UID_BASE
        assert as_root["uid"] == as_root["host_uid"]
        assert 0 < as_root["children"] < 8
        assert as_root["daemon_before_kill"] == 1 and as_root["daemon_after_kill"] == 0
        assert as_root["uid_processes_after_kill"] == 0

        lease = uids.lease_uid()  # a uid for the grader that is not root
        try:
            not_root = harness("bwrap", folder, user=lease.uid, group=lease.uid, extra_groups=[])
        finally:
            uids.kill_uid(lease.uid)
            lease.release()
        assert not_root["mode"] == "bwrap" and not_root["uid"] == bubblewrap.SANDBOX_UID
        assert 0 < not_root["children"] < 8
        assert not_root["nested_userns"] is False
        assert not_root["daemon_before_kill"] == 1 and not_root["daemon_after_kill"] == 0
