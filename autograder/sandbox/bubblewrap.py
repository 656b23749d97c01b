"""The bubblewrap command line that runs one worker.

Inside the sandbox the worker sees, read-only: /usr (and the /bin, /lib… links), the
dynamic loader's cache, the Python installation (with any installed `autograder` or
`solutions` package masked) and the worker's own folder at /wire; read-write: a
private tmpfs /scratch (its cwd and HOME, holding a copy of the submission) and a
private tmpfs /tmp, both size-capped. Nothing else of the host exists there: no
repository, no `solutions/`, no other student, no output folder. It has no network
(only its own `lo`), its own pid/ipc/uts/cgroup namespaces, a new session, a cleared
environment, and dies with its parent.

Identity: run as root, bwrap keeps the host user namespace and the command drops to
a leased unprivileged uid with `setpriv` (no capabilities, no_new_privs), so the worker
is unprivileged on the host too and RLIMIT_NPROC counts its processes only. Run as
another user, bwrap creates a user namespace (uid 65534 inside) and forbids nested
ones. rlimits are set by `prlimit` right before Python starts, inside the sandbox, so
the NPROC count is the sandbox's own.
"""
from __future__ import annotations

import functools
import os
import shutil
import site
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path, PurePosixPath

from autograder import speed
from autograder.sandbox.limits import Limits

SCRATCH = PurePosixPath("/scratch")
WIRE = PurePosixPath("/wire")
SANDBOX_UID = 65534  # uid seen inside the sandbox when bwrap creates a user namespace
MASKED_PACKAGES = ("autograder", "solutions")
WORKER_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": str(SCRATCH),
    "TMPDIR": "/tmp",
    "LANG": "C.UTF-8",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONHASHSEED": "0",
    **speed.worker_environment(),  # one BLAS thread, glibc's malloc settings
}
_ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d")


def bwrap_path() -> str | None:
    return shutil.which("bwrap") if sys.platform.startswith("linux") else None


def _under(path: Path, roots) -> bool:
    return any(path == root or root in path.parents for root in roots)


def python_roots() -> list[Path]:
    """The installation folders the interpreter needs, outside /usr (which is bound anyway)."""
    candidates = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)}
    candidates.add(Path(os.path.realpath(sys.executable)).parent.parent)
    outside_usr = [p for p in candidates if not _under(p, [Path("/usr")])]
    return sorted(p for p in outside_usr if not _under(p, [q for q in outside_usr if q != p]))


def site_dirs() -> list[Path]:
    paths = set(site.getsitepackages())
    paths.update(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    return sorted(Path(p) for p in paths if os.path.isdir(p))


def _mask_args(site_dirs_: list[Path]) -> list[str]:
    """Hide installed copies of the grader or the solutions: an empty tmpfs over a package
    folder, /dev/null over a module file (unreadable there: bwrap mounts binds nodev)."""
    args = []
    for folder in site_dirs_:
        for name in MASKED_PACKAGES:
            package, module = folder / name, folder / f"{name}.py"
            if package.is_dir():
                args += ["--tmpfs", str(package)]
            if module.is_file():
                args += ["--ro-bind", "/dev/null", str(module)]
    return args


def _system_args() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        top = Path("/") / name
        if top.is_symlink():
            args += ["--symlink", os.readlink(top), str(top)]
        elif top.is_dir():
            args += ["--ro-bind", str(top), str(top)]
    for path in _ETC_FILES:
        args += ["--ro-bind-try", path, path]
    return args


def _python_args(roots: list[Path]) -> list[str]:
    """Bind each installation root read-only at its own path; its parent folders are
    created world-traversable (bwrap would make them 0700)."""
    args, made = [], set()
    for root in roots:
        for parent in reversed(root.parents[:-1]):
            if parent not in made:
                made.add(parent)
                args += ["--perms", "0755", "--dir", str(parent)]
        args += ["--ro-bind", str(root), str(root)]
    return args


def _sandbox_options(*, bwrap: str, wire_dir: Path, limits: Limits, roots: list[Path], sites: list[Path],
                     identity: list[str], files: list[str]) -> list[str]:
    """bwrap and every option up to the command: namespaces, `identity`, binds, tmpfs, `files`, env."""
    argv = [bwrap, "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--hostname", "sandbox", "--die-with-parent", "--new-session", *identity]
    argv += _system_args()
    argv += ["--proc", "/proc", "--dev", "/dev"]
    argv += ["--perms", "1777", "--size", str(limits.scratch_bytes), "--tmpfs", "/tmp"]
    argv += ["--perms", "0777", "--size", str(limits.scratch_bytes), "--tmpfs", str(SCRATCH)]
    argv += files
    argv += _python_args(roots)
    argv += _mask_args(sites)
    argv += ["--ro-bind", str(wire_dir), str(WIRE)]
    argv += ["--chdir", str(SCRATCH), "--clearenv"]
    for key, value in WORKER_ENV.items():
        argv += ["--setenv", key, value]
    return argv


def bwrap_argv(*, bwrap: str, wire_dir: Path, worker_name: str, submission_fd: int, submission_name: str,
               module_name: str, channel_fd: int, limits: Limits, drop_to_uid: int | None,
               roots: list[Path], sites: list[Path], command: list[str] | None = None) -> list[str]:
    """The full command line: bwrap options, then [setpriv …] prlimit … python -I /wire/worker.py …
    (or prlimit … `command`, which the probe uses)."""
    if drop_to_uid is None:
        identity = ["--unshare-user", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID), "--disable-userns"]
    else:
        identity = ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    argv = _sandbox_options(bwrap=bwrap, wire_dir=wire_dir, limits=limits, roots=roots, sites=sites,
                            identity=identity,
                            files=["--perms", "0644", "--file", str(submission_fd), str(SCRATCH / submission_name)])
    argv.append("--")
    if drop_to_uid is not None:
        argv += ["setpriv", f"--reuid={drop_to_uid}", f"--regid={drop_to_uid}", "--clear-groups",
                 "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]
    argv += ["prlimit", *limits.prlimit_args(), "--"]
    argv += command or [sys.executable, "-I", str(WIRE / worker_name), "--fd", str(channel_fd),
                        "--module", module_name, "--file", str(SCRATCH / submission_name)]
    return argv


ZYGOTE_CAPS = ("CAP_SETUID", "CAP_SETGID", "CAP_SYS_ADMIN", "CAP_KILL", "CAP_SETPCAP")
ZYGOTE_SCRIPT = Path(__file__).resolve().parent / "zygote.py"  # privileged: not in the worker's folder
ZYGOTE = PurePosixPath("/zygote/zygote.py")  # where the zygote's sandbox has it, read-only


def zygote_argv(*, bwrap: str, wire_dir: Path, control_fd: int, limits: Limits, roots: list[Path],
                sites: list[Path], preload: tuple[str, ...] = ()) -> list[str]:
    """A sandbox like a worker's (as root) running `python -I /zygote/zygote.py`, which keeps only
    the capabilities it needs to isolate and drop each forked worker (see sandbox/zygote.py),
    imports `preload` before it forks any, and forks workers that serve with /wire/worker.py."""
    identity = [arg for cap in ZYGOTE_CAPS for arg in ("--cap-add", cap)]
    argv = _sandbox_options(bwrap=bwrap, wire_dir=wire_dir, limits=limits, roots=roots, sites=sites,
                            identity=identity, files=["--ro-bind", str(ZYGOTE_SCRIPT), str(ZYGOTE)])
    return argv + ["--", sys.executable, "-I", str(ZYGOTE), "--control-fd", str(control_fd), "--wire", str(WIRE),
                   "--preload", ",".join(preload)]


@functools.lru_cache(maxsize=None)
def probe(as_root: bool) -> str | None:
    """Start the interpreter once in a sandbox built like a worker's; None if it works, else why not (cached).

    `python -I -S -c pass` (no site import, so much quicker than a worker script) still needs
    every mount, the uid drop, the rlimits and the interpreter's own files."""
    from autograder.sandbox import uids  # leasing needs root: imported only then

    bwrap = bwrap_path()
    if bwrap is None:
        return "bubblewrap (bwrap) is not installed" if sys.platform.startswith("linux") else "not Linux"
    lease = uids.lease_uid() if as_root else None
    with tempfile.TemporaryDirectory(prefix="autograder-probe-") as folder:
        (Path(folder) / "probe.py").write_text("")
        os.chmod(folder, 0o755)
        submission_fd = os.open(Path(folder) / "probe.py", os.O_RDONLY)
        try:
            argv = bwrap_argv(bwrap=bwrap, wire_dir=Path(folder), worker_name="probe.py",
                              submission_fd=submission_fd, submission_name="probe.py", module_name="probe",
                              channel_fd=submission_fd, limits=Limits(), drop_to_uid=lease.uid if lease else None,
                              roots=python_roots(), sites=site_dirs(),
                              command=[sys.executable, "-I", "-S", "-c", "pass"])
            run = subprocess.run(argv, pass_fds=[submission_fd], stdin=subprocess.DEVNULL, capture_output=True,
                                 timeout=30, check=False)
        finally:
            os.close(submission_fd)
            if lease:
                lease.release()
    if run.returncode != 0:
        return f"bwrap failed (exit {run.returncode}): {run.stderr.decode(errors='replace').strip()[-500:]}"
    return None
