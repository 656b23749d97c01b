"""The worker's speed settings (`speed.worker_environment`) reach a real worker in every sandbox mode:
its OpenBLAS runs one thread, and glibc's malloc settings are in its environment (not the
portable worker's). The control: the same probe, in a process started without them, sees
OpenBLAS's default thread count."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from autograder import sandbox, speed
from autograder.sandbox import memory
from autograder.remote import StudentCode

PROBE = textwrap.dedent('''\
    import ctypes
    import os

    import numpy


    def blas_threads():
        """OpenBLAS's thread count in this process, read from the loaded library; None if not found."""
        with open("/proc/self/maps") as maps:
            paths = sorted({line.split()[-1] for line in maps if "openblas" in line.lower() and ".so" in line})
        for path in paths:
            library = ctypes.CDLL(path)
            for symbol in ("openblas_get_num_threads", "openblas_get_num_threads64_",
                           "scipy_openblas_get_num_threads64_", "scipy_openblas_get_num_threads"):
                if hasattr(library, symbol):
                    return getattr(library, symbol)()
        return None


    def environment(names):
        return {name: os.environ.get(name) for name in names}
    ''')

MODES = [("bwrap", False), ("bwrap", True), ("process", False), ("portable", False)]


@pytest.fixture(scope="module")
def probe_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("speed") / "probe.py"
    path.write_text(PROBE)
    return path


def _default_blas_threads(probe_file) -> int | None:
    env = {key: value for key, value in os.environ.items() if key not in speed.BLAS_THREAD_VARIABLES}
    done = subprocess.run([sys.executable, "-c", f"exec(open({str(probe_file)!r}).read()); print(blas_threads())"],
                          env=env, capture_output=True, text=True, check=True)
    found = done.stdout.strip()
    return None if found == "None" else int(found)


@pytest.mark.parametrize("mode, warm", MODES, ids=["bwrap-cold", "bwrap-warm", "process", "portable"])
def test_the_worker_runs_one_blas_thread_with_the_malloc_settings(probe_file, mode, warm):
    if not sandbox.sandbox_available(mode):
        pytest.skip(f"sandbox mode {mode} is not available here")
    if warm and os.geteuid() != 0:
        pytest.skip("warm workers: bwrap as root only")
    default = _default_blas_threads(probe_file)
    if default is None or default < 2:
        pytest.skip("no OpenBLAS with more than one thread here: the control cannot tell")
    with StudentCode(probe_file, "probe", mode=mode, warm=warm) as code:
        code.start()
        assert code.blas_threads() == 1, f"OpenBLAS's default here is {default} threads"
        seen = code.environment([*speed.BLAS_THREAD_VARIABLES, *memory.ENVIRONMENT])
    assert {name: seen[name] for name in speed.BLAS_THREAD_VARIABLES} == speed.ONE_BLAS_THREAD
    malloc = {name: seen[name] for name in memory.ENVIRONMENT}
    assert malloc == (dict.fromkeys(memory.ENVIRONMENT) if mode == "portable" else memory.ENVIRONMENT)
