"""The trusted client: remote calls, callbacks, isolation, deadlines, restarts after faults."""
import multiprocessing
import os
import textwrap
import threading
import time
from functools import partial

import numpy as np
import pytest

from autograder.checks import CheckFailed
from autograder.checks.convergence import QUADRATIC, ROSENBROCK, SADDLE, run_in_worker, run_optimizer
from autograder.sandbox import Limits, affinity, bubblewrap, sandbox_available
from autograder.remote import (
    CallResult, RemoteObject, StudentCrash, StudentException, StudentFault, StudentTimeout, StudentCode,
    SubmissionImportError)

SOURCE = textwrap.dedent("""
    import numpy as np

    def sig(z):
        return 1 / (1 + np.exp(-z))

    def boom(z):
        raise ValueError("nope")

    def hang():
        while True:
            pass

    def mutate(x):
        x += 1
        return x

    def noisy(z):
        return np.exp(z) / np.exp(z)

    def use_global_rng():
        return np.random.rand()

    def twice(f, a):
        return f(a) + f(a + 1)

    def uses_helper(x):
        return helper(x) * 2

    def helper(x):
        return 1.0

    def with_line_search(line_search):
        return line_search(lambda a: (a - 0.3) ** 2)

    def make_gate():
        return Gate()

    def forward_with_gate(x):
        gate = Gate()
        return gate.forward(x) + 1

    class Gate:
        def forward(self, x):
            return x

    class Counter:
        def __init__(self, start):
            self.t = start

        def step(self, w, g):
            self.t += 1
            return w - 0.1 * g

    def die():
        import os
        os._exit(3)

    def printer():
        print("hello from the student")
        return 1

    CALLS = []

    def numbered(i, delay=0.0):
        import time
        time.sleep(delay)
        CALLS.append(i)
        if i == 2:
            raise ValueError("two")
        return i * 10

    def calls_made():
        made = list(CALLS)
        CALLS.clear()
        return made

    class KeepsGradient:
        def __init__(self):
            self.v = None

        def step(self, w, g):
            if self.v is None:
                self.v = g  # the caller's g becomes the state
            else:
                self.v *= 0.5
            return w - self.v

    def same(x):
        return x
""")


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    path = tmp_path_factory.mktemp("student") / "mod.py"
    path.write_text(SOURCE)
    with StudentCode(path, "mod", limits=Limits(call_seconds=2.0)) as code:
        yield code


def test_values_come_back_as_plain_data(student):
    got = student.sig(np.array([0.0, 1.0]))
    assert type(got) is np.ndarray
    np.testing.assert_allclose(got, [0.5, 1 / (1 + np.exp(-1))])
    assert student.has("sig") and not student.has("nonexistent")


def test_student_exceptions_name_the_line(student):
    with pytest.raises(StudentException, match=r"ValueError: nope \(mod.py, line 8, in boom") as info:
        student.boom(1.0)
    assert info.value.lineno == 8


def test_details_report_mutation_warnings_and_global_rng(student):
    x = np.zeros(3)
    result = student.call("mutate", x, details=True)
    assert isinstance(result, CallResult) and x.tolist() == [0.0, 0.0, 0.0]
    assert result.args_after[0].tolist() == [1.0, 1.0, 1.0]
    assert "overflow" in " ".join(student.call("noisy", np.array([1000.0]), details=True).fp_warnings)
    assert student.call("sig", 0.0, details=True).fp_warnings == []
    assert student.call("use_global_rng", details=True).global_rng_used
    assert not student.call("sig", 0.0, details=True).global_rng_used


def test_details_send_back_only_the_inputs_a_call_changed(student):
    """Unchanged arrays and plain values are ours again (not sent back); a changed array is the worker's."""
    x, w, g = np.zeros(3), np.ones(2), np.full(2, 2.0)
    changed = student.call("mutate", x, details=True)
    assert changed.args_after[0] is not x and changed.args_after[0].tolist() == [1.0, 1.0, 1.0]
    kept = student.Counter(5).call("step", w, g, details=True)
    assert kept.args_after[0] is w and kept.args_after[1] is g
    assert student.call("numbered", 3, delay=0.0, details=True).kwargs_after == {"delay": 0.0}


def test_details_watch_an_objects_earlier_inputs_and_report_a_returned_input(student):
    """A method changing an array an earlier call of the same object received is reported with that call
    (index from 0) and argument; a function returning its argument itself names it; a control that keeps
    nothing by reference reports nothing."""
    w, g = np.zeros(2), np.ones(2)
    keeper = student.KeepsGradient()
    first = keeper.call("step", w, g, details=True)
    assert first.earlier_changed == [] and first.args_after[1] is g
    second = keeper.call("step", w, np.full(2, 3.0), details=True)
    assert [(call, where) for call, where, _ in second.earlier_changed] == [(0, 1)]
    assert second.earlier_changed[0][2].tolist() == [0.5, 0.5]
    control = student.Counter(0)
    for _ in range(3):
        assert control.call("step", w, g, details=True).earlier_changed == []
    assert student.call("same", w, details=True).returned_input == 0
    assert student.call("sig", w, details=True).returned_input is None


def test_remote_objects_keep_state_and_map_in_one_round_trip(student):
    counter = student.Counter(5)
    assert isinstance(counter, RemoteObject) and counter.type_name == "Counter"
    np.testing.assert_allclose(counter.step(np.ones(2), np.ones(2)), [0.9, 0.9])
    results = counter.map("step", [(np.ones(2), np.full(2, k)) for k in range(3)])
    assert [r.tolist() for r in results] == [[1.0, 1.0], [0.9, 0.9], [0.8, 0.8]]
    assert counter.get("t") == 9
    with pytest.raises(TypeError, match="Gate object where an array"):
        np.asarray(student.make_gate(), dtype=float)


def test_a_maps_argument_tuples_travel_as_stacked_columns(student, monkeypatch):
    """Four or more like argument tuples go out as one array per position, not array by array."""
    from autograder.remote import calls as student_module

    headers = []
    real_frame_parts = student_module.protocol.frame_parts

    def spy(message, register=None):
        parts = real_frame_parts(message, register)
        headers.append(bytes(parts[0]))
        return parts

    monkeypatch.setattr(student_module.protocol, "frame_parts", spy)
    counter = student.Counter(5)
    results = counter.map("step", [(np.ones(2), np.full(2, k)) for k in range(4)])
    assert [r.tolist() for r in results] == [[1.0, 1.0], [0.9, 0.9], [0.8, 0.8], [0.7, 0.7]]
    assert b'"arglist":{"$z":' in headers[-1]


CONSTRUCT_SOURCE = textwrap.dedent("""
    class Gate:
        def __init__(self, scale):
            self.scale, self.x = scale, None

        def forward(self, x):
            self.x = x
            return self.scale * x

        def backward(self, dout):
            return (self.scale * dout,)

        def boom(self, dout):
            raise ValueError("no backward yet")

        def hang(self, dout):
            while True:
                pass
""")


def test_construct_makes_the_object_and_its_calls_in_one_round_trip(tmp_path):
    """`construct`: the constructor, then each call in order; an error stops the sequence and is raised
    where its result (or a later one) is read; a hang poisons the class and every method named."""
    path = tmp_path / "gates.py"
    path.write_text(CONSTRUCT_SOURCE)
    with StudentCode(path, "gates", limits=Limits(call_seconds=1.0)) as code:
        made = code.construct("Gate", (2.0,), [("forward", (np.ones(2),)), ("backward", (np.full(2, 3.0),))])
        assert made.result(0).tolist() == [2.0, 2.0] and made.result(1)[0].tolist() == [6.0, 6.0]
        assert made.obj.get("x").tolist() == [1.0, 1.0]  # one object: forward's state is kept
        failed = code.construct("Gate", (2.0,), [("forward", (1.0,)), ("boom", (1.0,)), ("backward", (1.0,))])
        assert failed.result(0) == 2.0
        for index in (1, 2):
            with pytest.raises(StudentException, match="no backward yet"):
                failed.result(index)
        with pytest.raises(StudentTimeout):
            code.construct("Gate", (2.0,), [("forward", (1.0,)), ("hang", (1.0,))])
        with pytest.raises(StudentTimeout, match="other checks are skipped"):
            code.construct("Gate", (1.0,), [("forward", (1.0,))])


def test_callbacks_run_on_the_trusted_side(student):
    seen = []
    assert student.twice(lambda a: seen.append(a) or 2 * a, 1.0) == 6.0
    assert seen == [1.0, 2.0]


USES_SOURCE = textwrap.dedent("""
    import functools
    import math
    import numpy as np
    from scipy.special import erf

    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    def _helper(z):
        return sigmoid(z) * z

    def silu(z):                       # through a helper of the module
        return _helper(z)

    def tanh_by_sigmoid(z):            # inside a lambda
        return (lambda u: 2 * sigmoid(2 * u) - 1)(z)

    class Gate:
        def forward(self, z):
            return relu(z)

    def relu(z):
        return np.maximum(z, 0)

    def through_class(z):
        return Gate().forward(z)

    vectorized = np.vectorize(lambda z: sigmoid(z))
    partial_tanh = functools.partial(tanh_by_sigmoid)

    @functools.lru_cache
    def cached(z):
        return relu(z)

    TABLE = {"act": silu}

    def through_table(z):
        return TABLE["act"](z)

    def library_only(z):
        return erf(z) + math.erf(z) + np.tanh(z)

    def dynamic(z):
        return globals()["sigmoid"](z)

    frompyfunc = np.frompyfunc(lambda z: sigmoid(z), 1, 1)

    LOOKUP = [float(k) for k in range(5000)]

    def through_big_table(k):
        return LOOKUP[k]
""")


def test_uses_names_what_a_function_may_read_at_call_time(tmp_path):
    """`StudentCode.uses` (isolation.names_used): the names in every piece of code that calling a
    function may run with the module's globals, through helpers, classes, wrappers and tables;
    None (isolate everything) when globals are reached dynamically or through unreadable code."""
    path = tmp_path / "mod.py"
    path.write_text(USES_SOURCE)
    with StudentCode(path, "mod", mode="process") as student:
        def uses(name):
            found = student.uses(name)
            return None if found is None else found & {"sigmoid", "relu", "silu", "tanh_by_sigmoid", "erf"}
        assert uses("sigmoid") == set()
        assert uses("silu") == {"sigmoid"}
        assert uses("tanh_by_sigmoid") == {"sigmoid"}
        assert uses("through_class") == {"relu"}
        assert uses("vectorized") == {"sigmoid"}
        assert uses("partial_tanh") == {"sigmoid"}
        assert uses("cached") == {"relu"}
        assert uses("through_table") == {"sigmoid"}  # the table holds silu itself: only its own reads count
        assert uses("library_only") == {"erf"}  # named, so isolated if it were a unit; nothing followed
        assert uses("dynamic") is None
        assert uses("frompyfunc") is None
        assert uses("through_big_table") is None  # not walked: isolate everything
        assert student.uses("not_defined") == frozenset()


def test_isolate_swaps_module_globals_for_one_call(student):
    assert student.call("uses_helper", 1.0, isolate={"helper": lambda x: 10.0}) == 20.0
    assert student.uses_helper(1.0) == 2.0

    class TrustedGate:
        calls = 0

        def forward(self, x):
            TrustedGate.calls += 1
            return 100 * x

    assert student.call("forward_with_gate", 2.0, isolate={"Gate": TrustedGate}) == 201.0
    assert TrustedGate.calls == 1


def test_nested_calls_trusted_code_calls_the_students_closure(student):
    def grid_line_search(phi):
        return min(np.linspace(0, 1, 11), key=phi)

    assert student.with_line_search(grid_line_search) == pytest.approx(0.3)


def test_a_hang_times_out_is_poisoned_and_the_rest_still_works(student):
    with pytest.raises(StudentTimeout, match="did not return within 0.5 s"):
        student.call("hang", timeout=0.5)
    with pytest.raises(StudentTimeout, match="other checks are skipped"):
        student.hang()
    assert student.sig(0.0) == 0.5


def test_a_crash_restarts_the_worker_and_old_objects_are_stale(student):
    counter = student.Counter(0)
    with pytest.raises(StudentCrash):
        student.die()
    assert student.sig(0.0) == 0.5
    with pytest.raises(StudentCrash, match="lost when the student's process was restarted"):
        counter.step(1.0, 1.0)


def test_output_is_captured(student):
    assert student.printer() == 1
    deadline = time.monotonic() + 5
    while "hello from the student" not in student.output() and time.monotonic() < deadline:
        time.sleep(0.01)  # the pipe is drained by a background thread
    assert "hello from the student" in student.output()


def test_a_stream_yields_each_calls_result_in_order(student):
    student.calls_made()
    with student.stream(partial(student.numbered, i) for i in (0, 1, 3)) as results:
        assert list(results) == [0, 10, 30]
    assert student.calls_made() == [0, 1, 3]


def test_a_stream_raises_the_first_failure_in_its_place_and_calls_nothing_after_it(student):
    student.calls_made()
    got = []
    with pytest.raises(StudentException, match="ValueError: two"):
        with student.stream(partial(student.numbered, i) for i in range(5)) as results:
            got.extend(results)
    assert got == [0, 10] and student.calls_made() == [0, 1, 2]


def test_leaving_a_stream_early_stops_its_helper_after_the_current_call(student):
    student.calls_made()
    threads = threading.active_count()
    with student.stream(partial(student.numbered, i, 0.2) for i in (3, 4, 5, 6, 7)) as results:
        assert next(results) == 30
    assert threading.active_count() == threads  # the helper is gone: the channel is ours alone
    made = student.calls_made()
    assert made[0] == 3 and len(made) <= 3


@pytest.mark.parametrize("source, message", [
    ("def f(:\n    pass\n", r"SyntaxError: invalid syntax.*line 1"),
    ("import sys\nsys.exit(0)\n", "SystemExit"),
    ("import os\nos._exit(0)\n", "exited while being imported"),
    ("raise KeyboardInterrupt\n", "KeyboardInterrupt"),
    ("while True:\n    pass\n", "took longer than 1 s"),
])
def test_import_failures_fail_every_call_with_one_message(tmp_path, source, message):
    path = tmp_path / "bad.py"
    path.write_text(source)
    with StudentCode(path, "bad", limits=Limits(import_seconds=1.0)) as code:
        for _ in range(2):
            with pytest.raises(SubmissionImportError, match=message):
                code.anything(1)


def test_submission_time_budget_stops_further_calls(tmp_path):
    path = tmp_path / "slow.py"
    path.write_text("import time\ndef nap():\n    time.sleep(0.4)\n    return 1\n")
    with StudentCode(path, "slow", limits=Limits(submission_seconds=1.5, call_seconds=1.0)) as code:
        with pytest.raises(StudentTimeout, match="time budget"):
            for _ in range(10):
                code.nap()


@pytest.mark.skipif(not affinity.available() or len(os.sched_getaffinity(0)) < 2 or os.geteuid() != 0,
                    reason="needs CPU affinity, two CPUs and a leased worker uid")
def test_grader_thread_and_worker_share_one_cpu_until_close(tmp_path):
    path = tmp_path / "probe.py"
    path.write_text("import os\ndef cpus():\n    return sorted(os.sched_getaffinity(0))\n"
                    "def die():\n    os._exit(3)\n")
    before = os.sched_getaffinity(0)
    with StudentCode(path, "probe") as code:
        code.start()
        ours = sorted(os.sched_getaffinity(0))
        assert len(ours) == 1 and code.cpus() == ours
        with pytest.raises(StudentCrash):
            code.die()
        assert code.cpus() == ours  # the restarted worker is pinned again
    assert os.sched_getaffinity(0) == before


@pytest.mark.skipif(not affinity.available() or len(os.sched_getaffinity(0)) < 2 or os.geteuid() != 0,
                    reason="needs CPU affinity, two CPUs and a leased worker uid")
def test_a_stream_runs_its_caller_on_the_cpus_it_had_and_pins_it_again(tmp_path):
    path = tmp_path / "probe.py"
    path.write_text("import os\ndef cpus():\n    return sorted(os.sched_getaffinity(0))\n")
    before = os.sched_getaffinity(0)
    with StudentCode(path, "probe") as code:
        code.start()
        pinned = os.sched_getaffinity(0)
        with code.stream([code.cpus, code.cpus]) as results:
            assert os.sched_getaffinity(0) == before
            assert list(results) == [sorted(pinned)] * 2  # the helper calls from the worker's CPU
        assert os.sched_getaffinity(0) == pinned


def _cpus_seen_in_a_pinned_pool_process(path, results):
    """A pool process's life: pinned first, then a thread that starts warm workers and calls them."""
    affinity.pin_process_to(1)
    scans = []
    affinity.pin_thread_with(lambda: scans.append("/proc scan") or [])
    seen = []

    def grade():
        for _ in range(2):  # the second worker comes from the thread's zygote
            with StudentCode(path, "probe", warm=True) as code:
                seen.append(code.cpus())

    thread = threading.Thread(target=grade)
    thread.start()
    thread.join()
    results.put((sorted(os.sched_getaffinity(0)), seen, scans))


@pytest.mark.skipif(not affinity.available() or len(os.sched_getaffinity(0)) < 2 or os.geteuid() != 0,
                    reason="needs CPU affinity, two CPUs and a leased worker uid")
def test_workers_of_a_pinned_pool_process_run_on_its_cpu_without_being_pinned_one_by_one(tmp_path):
    path = tmp_path / "probe.py"
    path.write_text("import os\ndef cpus():\n    return sorted(os.sched_getaffinity(0))\n")
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    child = context.Process(target=_cpus_seen_in_a_pinned_pool_process, args=(path, results))
    child.start()
    process_cpus, seen, scans = results.get(timeout=120)
    child.join()
    assert len(process_cpus) == 1 and seen == [process_cpus, process_cpus] and scans == []


@pytest.fixture
def fresh_probe():
    """No bwrap probe has run in this process yet (and none is left behind)."""
    bubblewrap.probe.cache_clear()
    yield
    bubblewrap.probe.cache_clear()


def test_auto_mode_starts_before_probing_and_falls_back_when_bwrap_cannot_run(tmp_path, monkeypatch, fresh_probe):
    broken = tmp_path / "bwrap"
    runs = tmp_path / "runs"
    broken.write_text(f"#!/bin/sh\necho run >> {runs}\n"
                      "echo 'bwrap: creating new namespace failed: Operation not permitted' >&2\nexit 1\n")
    broken.chmod(0o755)
    monkeypatch.setattr(bubblewrap, "bwrap_path", lambda: str(broken))
    path = tmp_path / "mod.py"
    path.write_text("def double(x):\n    print('doubling')\n    return 2 * x\n")
    with StudentCode(path, "mod") as code:
        assert code.double(21) == 42
        assert code._supervisor.worker.mode == "process"
    assert code.output() == "doubling\n"  # all of the worker's, nothing of the failed sandbox's
    assert "Operation not permitted" in bubblewrap.probe(os.geteuid() == 0)
    assert runs.read_text() == "run\n" * 2  # the worker's start, then the probe; none after


@pytest.mark.skipif(not sandbox_available("bwrap"), reason="bubblewrap unavailable")
def test_auto_mode_unprobed_an_exit_at_import_is_the_submissions_fault(tmp_path, fresh_probe):
    path = tmp_path / "mod.py"
    path.write_text("import os\nos._exit(3)\n")
    with StudentCode(path, "mod") as code:
        code.launch()
        assert bubblewrap.probe.cache_info().currsize == 0  # started without waiting for the probe
        with pytest.raises(SubmissionImportError, match="exited while being imported"):
            code.start()
    assert bubblewrap.probe.cache_info().currsize == 1 and bubblewrap.probe(os.geteuid() == 0) is None


OPTIMIZERS = textwrap.dedent("""
    import numpy as np

    class Momentum:
        def __init__(self, lr, mu=0.9):
            self.lr, self.mu, self.v = lr, mu, None

        def step(self, w, g):
            self.v = g if self.v is None else self.mu * self.v + g
            return w - self.lr * self.v

    class SharedBuffer:
        '''Returns the same array object every step (updated in place).'''
        def __init__(self, lr):
            self.lr, self.w = lr, None

        def step(self, w, g):
            if self.w is None:
                self.w = w.copy()
            self.w -= self.lr * g
            return self.w

    class Diverges:
        def __init__(self, lr):
            self.lr = lr

        def step(self, w, g):
            return w + self.lr * g

    class WrongShape:
        def __init__(self, lr):
            self.k = 0

        def step(self, w, g):
            self.k += 1
            return w if self.k < 3 else [1.0, 2.0, 3.0]
""")


@pytest.fixture(scope="module")
def optimizers(tmp_path_factory):
    path = tmp_path_factory.mktemp("optimizers") / "opt.py"
    path.write_text(OPTIMIZERS)
    with StudentCode(path, "opt") as code:
        yield code


@pytest.mark.parametrize("name, function, lr, steps", [
    ("Momentum", QUADRATIC, 0.005, 150), ("Momentum", ROSENBROCK, 0.0005, 300), ("Momentum", SADDLE, 0.1, 100),
    ("SharedBuffer", QUADRATIC, 0.01, 50), ("Diverges", ROSENBROCK, 0.1, 40), ("WrongShape", SADDLE, 0.1, 10),
])
def test_a_run_in_the_worker_is_the_run_of_one_round_trip_per_step(optimizers, name, function, lr, steps):
    in_worker = run_in_worker(getattr(optimizers, name)(lr), function, (-1.2, 0.8), steps)
    step_by_step = run_optimizer(getattr(optimizers, name)(lr).step, function, (-1.2, 0.8), steps)
    assert in_worker == step_by_step
    assert len(in_worker.path) >= 3 and (in_worker.error != "") == (name in ("Diverges", "WrongShape"))


def test_a_run_in_the_worker_with_altered_gradients_fails(tmp_path):
    path = tmp_path / "opt.py"
    path.write_text(OPTIMIZERS + textwrap.dedent("""
        import sys
        sys.modules["objectives"].GRADIENTS["quadratic"] = lambda v: np.zeros(2)
    """))
    with StudentCode(path, "opt") as code, pytest.raises(CheckFailed, match="gradients .* were altered"):
        run_in_worker(code.Momentum(0.01), QUADRATIC, (1.0, 1.0), 20)


def test_a_worker_that_answers_a_map_with_fewer_results_fails_the_call(tmp_path):
    """Checks zip their cases with the results: a short list would otherwise compare nothing."""
    path = tmp_path / "opt.py"
    path.write_text(OPTIMIZERS + textwrap.dedent("""
        import sys
        for module in list(sys.modules.values()):  # the worker's own module, however it was started
            if hasattr(module, "Channel") and hasattr(module.Channel, "dispatch"):
                real = module.Channel.dispatch
                module.Channel.dispatch = lambda self, message, real=real: (
                    ([], {}) if message["op"] == "map" else real(self, message))
    """))
    with StudentCode(path, "opt") as code:
        with pytest.raises(StudentFault, match=r"called 3 times in one request, and 0 results came back"):
            code.Momentum(0.1).map("step", [(np.ones(2), np.ones(2))] * 3)
