"""A notebook grades exactly like its code saved as NAME.py (autograder/notebook.py).

Each style below turns an assignment's reference solution into the cells of a notebook shaped
as students write them: helpers in their own cells, lowercase helpers and tables filled later,
default-argument constants, helper-class instances, redefinitions whose last one is correct,
magics, plotting/printing/timing cells, experiments, `from numpy import *`, functions made by
assignment or inside a loop, `global` set-up functions, decorators. The same cells saved as a
`.py` (magics removed, `%%time` cells unwrapped, as nbconvert's script export would run them)
must get the same per-check results, and both full marks: they are correct code. Experiments
must not run in grading: an endless or sleeping experiment cell still grades in full.
"""
from __future__ import annotations

import ast
import math
import re

import nbformat
import numpy as np
import pytest
from harness import ROOT, grade, stub_of

from autograder import notebook, submission

ASSIGNMENTS = ("gates", "activations", "optimizers", "quasi_newton")


def reference(assignment: str) -> str:
    return (ROOT / "solutions" / f"{assignment}.py").read_text()


def statements(source: str) -> list[str]:
    """The top-level statements of `source` (its module docstring left out), each as text."""
    tree = ast.parse(source)
    lines = source.split("\n")
    body = tree.body[1:] if isinstance(tree.body[0], ast.Expr) else tree.body
    texts = []
    for node in body:
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        texts.append("\n".join(lines[first - 1:node.end_lineno]))
    return texts


def routed(source: str, replacement: str) -> str:
    """`source` with every `np.asarray(` call written as `replacement(` (each reference has some)."""
    assert "np.asarray(" in source
    return source.replace("np.asarray(", f"{replacement}(")


def definitions(source: str) -> list[str]:
    return [s for s in statements(source) if not s.startswith(("import ", "from "))]


def imports(source: str) -> list[str]:
    return [s for s in statements(source) if s.startswith(("import ", "from "))]


# --- the styles: reference source -> code cells -------------------------------------------------

def one_cell_per_definition(source):
    cells = ["\n".join(imports(source))]
    for text in definitions(source):
        name = next(iter(notebook.cell_statements(text, "").pop().binds))
        cells += [text, f"print({name})\n{name}"]
    return cells


def lowercase_helpers_cell_first(source):
    """Lowercase helpers (a NumPy alias, a vectorised math function, an annotated helper) in a
    cell of their own above the functions that use them."""
    helpers = ("from __future__ import annotations\nimport math\n" + "\n".join(imports(source)) + "\n"
               "asarray = np.asarray\n_erf = np.vectorize(math.erf)\nzeros_like = np.zeros_like\n\n"
               "def _as_float(x) -> np.ndarray:\n    return asarray(x, dtype=np.float64)\n")
    return [helpers] + definitions(routed(source.replace("np.zeros_like(", "zeros_like("), "asarray"))


def table_filled_after_the_functions(source):
    """A lookup table created empty, used by the functions, and filled by later statements."""
    cells = ["\n".join(imports(source)) + "\nops = {}"] + definitions(routed(source, 'ops["asarray"]'))
    return cells + ['ops["asarray"] = np.asarray\nops.update(zeros_like=np.zeros_like)\nprint(sorted(ops))']


def default_argument_constant(source):
    """A helper whose default argument names a lowercase constant (NameError at import if lost)."""
    helper = ("to_array = np.asarray\n\n"
              "def _arr(*args, _convert=to_array, **kwargs):\n    return _convert(*args, **kwargs)\n")
    return ["\n".join(imports(source)), helper] + definitions(routed(source, "_arr"))


def helper_class_instance(source):
    """An instance of a helper class, configured by a method call in another cell."""
    helper = ("class _ArrayOps:\n    def setup(self, module):\n        self.module = module\n\n"
              "    def asarray(self, *args, **kwargs):\n        return self.module.asarray(*args, **kwargs)\n\n\n"
              "ops = _ArrayOps()")
    return ["\n".join(imports(source)), helper, "ops.setup(np)"] + definitions(routed(source, "ops.asarray"))


def redefinitions_last_correct(source):
    """First attempts (the stubs, and an earlier correct one), then the final correct cells."""
    return (["\n".join(imports(source))] + definitions(stub_of(source)) + definitions(source)
            + definitions(stub_of(source))[:1] + definitions(source)[:1])


def magics(source):
    """Line magics, shell escapes, `%%time` cells that define, `%%bash` and `%timeit` cells."""
    cells = ["%matplotlib inline\n%load_ext autoreload\n%autoreload 2\n" + "\n".join(imports(source)),
             "!pip --version\nfiles = !ls"]
    for index, text in enumerate(definitions(source)):
        cells.append(f"%%time\n{text}" if index % 3 == 0 else f"%who\n{text}" if index % 3 == 1 else text)
    return cells + ["%%bash\necho done", "%timeit np.zeros(3)", "%%capture\nscratch = np.ones(2)"]


def plots_prints_and_timing(source):
    """Plotting, printing and timing cells; a cell that defines a needed helper and also plots."""
    setup = ("import time\nimport matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
             + "\n".join(imports(source)))
    helper_and_plot = "asarray = np.asarray\nplt.plot([0, 1], [1, 0])\nplt.title('a helper and a plot')\nplt.show()"
    plot_helper = "def plot_curve(x, y):\n    plt.plot(x, y)\n    plt.show()"
    experiment = ("start = time.perf_counter()\nz = np.linspace(-3.0, 3.0, 50)\nplot_curve(z, np.tanh(z))\n"
                  "print(f'{time.perf_counter() - start:.3f} s')")
    return [setup, helper_and_plot, plot_helper] + definitions(routed(source, "asarray")) + [experiment]


def experiments_with_shared_names(source):
    """An experiment whose variables have the names of the functions' locals and parameters."""
    experiment = ("history = []\nfor step in range(200):\n    x = np.random.default_rng(step).normal(size=3)\n"
                  "    B = np.outer(x, x)\n    z = x\n    history.append(float(np.sum(B)))\n"
                  "out = history[-1]\nprint(len(history), out)")
    return ["\n".join(imports(source))] + definitions(source) + [experiment]


def star_import(source):
    return ["\n".join(imports(source)) + "\nfrom numpy import *"] + definitions(routed(source, "asarray"))


def assigned_and_looped_definitions(source):
    """Functions bound by assignment to a lambda; classes defined inside a loop."""
    cells = ["\n".join(imports(source))]
    for text in definitions(source):
        function = re.match(r"def (\w+)\(", text)
        if function:
            name = function.group(1)
            cells.append(text.replace(f"def {name}(", f"def _{name}_impl(", 1)
                         + f"\n\n\n{name} = lambda *args, **kwargs: _{name}_impl(*args, **kwargs)")
        else:
            cells.append("for _attempt in range(1):\n" + "\n".join("    " + line for line in text.split("\n")))
    return cells


def global_set_up(source):
    """A function that assigns a `global` table, called in a cell of its own."""
    set_up = ("_config = None\n\ndef _configure():\n    global _config\n    _config = {'asarray': np.asarray}\n")
    return ["\n".join(imports(source)), set_up, "_configure()"] + definitions(routed(source, "_config['asarray']"))


def decorated(source):
    """Every definition decorated by a helper that records it in a lowercase registry."""
    decorator = "registry = []\n\ndef _registered(obj):\n    registry.append(obj.__name__)\n    return obj\n"
    decorated_cells = [f"@_registered\n{text}" if text.startswith(("def ", "class ")) else text
                       for text in definitions(source)]
    return ["\n".join(imports(source)), decorator] + decorated_cells + ["print(registry)"]


STYLES = (one_cell_per_definition, lowercase_helpers_cell_first, table_filled_after_the_functions,
          default_argument_constant, helper_class_instance, redefinitions_last_correct, magics,
          plots_prints_and_timing, experiments_with_shared_names, star_import,
          assigned_and_looped_definitions, global_set_up, decorated)


# --- the notebook and its .py ------------------------------------------------------------------

def write_notebook(path, cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# My solutions")] + [nbformat.v4.new_code_cell(c) for c in cells]
    nbformat.validate(nb)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


PYTHON_CELL_MAGICS = ("%%time", "%%capture")


def python_file(cells: list[str]) -> str:
    """The cells as the `.py` a student would save: a `%%time`/`%%capture` cell's code kept, other
    cell magics dropped, magic and shell lines removed (IPython-only syntax)."""
    parts = []
    for cell in cells:
        first, _, body = cell.partition("\n")
        if first.startswith("%%"):
            if first.split()[0] in PYTHON_CELL_MAGICS:
                parts.append(body)
            continue
        parts.append("\n".join(line for line in cell.split("\n")
                               if not line.lstrip().startswith(("%", "!")) and "= !" not in line))
    return "\n\n\n".join(parts) + "\n"


def per_check(result):
    return [(c.check_id, c.status, c.score) for c in result.checks]


@pytest.mark.slow
@pytest.mark.parametrize("style", STYLES, ids=lambda s: s.__name__)
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_a_notebook_grades_like_its_code_as_a_py(tmp_path, assignment, style):
    cells = style(reference(assignment))
    py = python_file(cells)
    compile(py, f"{assignment}.py", "exec")
    as_notebook = submission.load(write_notebook(tmp_path / "nb" / f"{assignment}.ipynb", cells), assignment)
    assert as_notebook.source is not None, as_notebook.error
    notebook_result, py_result = grade(assignment, as_notebook.source), grade(assignment, py)
    assert py_result.status == "ok" and py_result.score == py_result.max_score, py_result.output
    assert notebook_result.status == py_result.status, notebook_result.output
    assert per_check(notebook_result) == per_check(py_result)
    assert "raised when graded" not in notebook_result.stdout + notebook_result.output


def test_the_styles_use_what_the_issue_names():
    """Each style exercises its shape for every assignment (the text it relies on is there)."""
    for assignment in ASSIGNMENTS:
        source = reference(assignment)
        joined = {style.__name__: "\n".join(style(source)) for style in STYLES}
        assert joined["default_argument_constant"].count("_arr(") > 2
        assert 'ops["asarray"](' in joined["table_filled_after_the_functions"]
        assert "ops.asarray(" in joined["helper_class_instance"]
        assert "raise NotImplementedError" in joined["redefinitions_last_correct"]
        assert "%%time\n" in joined["magics"]
        assert " = lambda *args" in joined["assigned_and_looped_definitions"]
        assert "for _attempt" in joined["assigned_and_looped_definitions"] or assignment == "quasi_newton"  # no class


# --- what the closure keeps and drops, statement by statement -----------------------------------

def kept_names(cells, graded):
    namespace = {}
    exec(compile(notebook.source_from_cells(cells, graded), "demo.py", "exec"), namespace)
    return namespace


def test_helpers_of_any_case_tables_instances_and_default_constants_are_kept():
    cells = ["import math\nimport numpy as np",
             "_erf = np.vectorize(math.erf)\nzeros_like = np.zeros_like\nTABLE = {}\neps = 1e-3",
             "class Scaler:\n    def __init__(self):\n        self.k = 1.0\n    def __call__(self, z):\n"
             "        return self.k * z\nscale = Scaler()",
             "def f(z, tol=eps):\n    return TABLE['g'](scale(_erf(z))) + zeros_like(z) + tol",
             "TABLE['g'] = np.tanh\nscale.k = 2.0\nTABLE.update(h=np.exp)",
             "print(f(np.ones(2)))\nexperiment = [f(np.ones(2)) for _ in range(3)]"]
    namespace = kept_names(cells, {"f"})
    assert namespace["f"](np.ones(1) * 0.0)[0] == pytest.approx(1e-3)
    assert namespace["f"](np.ones(1))[0] == pytest.approx(np.tanh(2 * math.erf(1.0)) + 1e-3)
    assert "experiment" not in namespace


def test_methods_attached_to_a_class_later_are_kept():
    cells = ["class Gate:\n    pass", "def _forward(self, x):\n    return 2 * x",
             "Gate.forward = _forward\nsetattr(Gate, 'backward', lambda self, d: (2 * d,))"]
    gate = kept_names(cells, {"Gate"})["Gate"]()
    assert gate.forward(3) == 6 and gate.backward(1) == (2,)


def test_data_changed_by_the_calls_it_is_handed_to_is_kept_experiments_using_functions_are_not():
    cells = ["import numpy as np", "W = np.zeros(3)\nperm = np.arange(4)\nTABLE = {}\nrng = np.random.default_rng(0)",
             "np.copyto(W, [1.0, 2.0, 3.0])\nrng.shuffle(perm)",
             "def fill(table):\n    table['two'] = 2",
             "fill(TABLE)",
             "def f(x, w=W):\n    return x * w.sum() + TABLE['two'] + perm.sum()",
             "def train(model, steps):\n    import time\n    time.sleep(steps)\n    return model",
             "print(W)\ntrain(f, 100)"]
    source = notebook.source_from_cells(cells, {"f"})
    assert "sleep(steps)" not in source and "print(W)" not in source and "train(f" not in source
    assert kept_names(cells, {"f"})["f"](1.0) == 6.0 + 2 + 6


def test_experiments_calling_graded_code_that_reads_helper_objects_are_not_kept():
    """Reading a helper object (a method call, a lookup) in a graded function is not a mutation:
    an experiment that calls the function stays out of the graded module."""
    cells = ["import numpy as np\nimport time",
             "class Ops:\n    def asarray(self, x):\n        return np.asarray(x, dtype=float)\n"
             "ops = Ops()\nTABLE = {'k': 2}",
             "def f(x):\n    return ops.asarray(x).sum() * TABLE.get('k')",
             "for trial in range(3):\n    time.sleep(f([1, 2]))"]
    cells.append("import matplotlib.pyplot as plt\nplt.bar(list(TABLE.keys()), list(TABLE.values()))\n"
                 "print(ops.asarray([1]).sum())")
    source = notebook.source_from_cells(cells, {"f"})
    assert "sleep" not in source and "plt" not in source and "print(ops" not in source
    assert kept_names(cells, {"f"})["f"]([1, 2]) == 6


def test_the_last_redefinition_wins_and_an_earlier_one_stays_where_it_was_used():
    cells = ["def act(z):\n    return -1", "TABLE = {'act': act}", "def act(z):\n    return 1",
             "def f(z):\n    return TABLE['act'](z) + act(z)", "def act(z):\n    return 10"]
    assert kept_names(cells, {"f"})["f"](0) == 9  # as top to bottom: the table holds the first act


def test_functions_and_names_made_in_loops_globals_and_star_imports_are_kept():
    cells = ["from math import *",
             "for name in ['relu']:\n    def relu(z):\n        return max(z, 0.0) + floor(0.5)",
             "count = None\ndef set_up():\n    global count\n    count = 2",
             "set_up()",
             "registry = []\ndef register(f):\n    registry.append(f)\n    return f",
             "def g(z):\n    return relu(z) * count + len(registry)",
             "register(relu)"]
    assert kept_names(cells, {"g"})["g"](3.0) == 7.0


def test_statements_nothing_graded_needs_are_dropped():
    cells = ["import numpy as np\nimport time\nimport matplotlib.pyplot as plt",
             "def f(x):\n    z = x + 1\n    return z",
             "z = np.arange(10**9)  # an experiment named like a local",
             "x = 3\nwhile True:\n    time.sleep(30)",
             "plt.plot([1, 2])\nnp.random.seed(0)\nlosses = []\nlosses.append(f(2))\nprint(losses)"]
    source = notebook.source_from_cells(cells, {"f"})
    for experiment in ("10**9", "sleep", "plt", "seed", "losses", "matplotlib", "import time"):
        assert experiment not in source
    assert kept_names(cells, {"f"})["f"](1) == 2


def test_a_kept_statement_that_raises_in_grading_costs_only_what_needs_it(capsys):
    cells = ["import numpy as np", "data = np.load('/nonexistent/weights.npy')",
             "def uses_data():\n    return data", "def f(x):\n    return x"]
    namespace = kept_names(cells, {"f", "uses_data"})
    assert namespace["f"](2) == 2
    with pytest.raises(NameError):
        namespace["uses_data"]()
    assert "code cell 2, line 1: FileNotFoundError" in capsys.readouterr().err


@pytest.mark.slow
def test_a_helper_that_fails_in_grading_costs_only_the_units_that_need_it(tmp_path):
    """A data file present on the student's machine but not in the sandbox: `relu` needs it and
    fails its checks, the other units keep their points, and the output says which cell failed."""
    cells = ["import numpy as np", "data = np.load('weights.npy')",
             "def relu(z):\n    return np.maximum(z, 0.0) + 0.0 * len(data)",
             reference("activations").replace("def relu(", "def _first_relu(")]
    result = grade("activations", submission.load(write_notebook(tmp_path / "activations.ipynb", cells),
                                                  "activations").source)
    lost = {c.check_id for c in result.checks if c.status != "passed"}
    assert result.status == "ok" and lost and all("[relu]" in check for check in lost), lost
    assert "code cell 2, line 1: FileNotFoundError" in result.stdout


def test_multi_line_strings_keep_their_text_under_the_guard():
    cells = ['def f():\n    """first\nsecond"""\n    return """a\n  b\nc"""', "TEXT = '''x\n\ty'''"]
    namespace = kept_names(cells, {"f", "TEXT"})
    assert namespace["f"]() == "a\n  b\nc" and namespace["f"].__doc__ == "first\nsecond"
    assert namespace["TEXT"] == "x\n\ty"


# --- experiments do not run in grading ---------------------------------------------------------

ENDLESS_EXPERIMENTS = ["import time\nfor epoch in range(3):\n    time.sleep(30)",
                       "weights = np.zeros(3)\nwhile True:\n    weights = weights - 0.1 * weights"]


@pytest.mark.slow
def test_a_long_experiment_cell_does_not_slow_grading_down(tmp_path):
    """With the experiments run, importing the submission would exceed the worker's import
    deadline and score 0; dropped, the notebook gets full marks."""
    cells = ["import numpy as np"] + definitions(reference("gates")) + ENDLESS_EXPERIMENTS
    sub = submission.load(write_notebook(tmp_path / "gates.ipynb", cells), "gates")
    assert "sleep" not in sub.source and "while True" not in sub.source
    result = grade("gates", sub.source)
    assert result.status == "ok" and result.score == result.max_score, result.output


def test_the_experiment_check_fails_when_every_statement_is_kept(monkeypatch, tmp_path):
    """Control: a module builder that keeps everything (today's mistake, reversed) puts the
    endless experiment in the graded source, which the test above rejects."""
    monkeypatch.setattr(notebook.NotebookModule, "kept", lambda self: list(self.statements))
    cells = ["import numpy as np"] + definitions(reference("gates")) + ENDLESS_EXPERIMENTS
    sub = submission.load(write_notebook(tmp_path / "gates.ipynb", cells), "gates")
    assert "sleep" in sub.source and "while True" in sub.source


def test_definitions_only_closure_loses_lowercase_helpers(monkeypatch, capsys):
    """Control: keeping only defs and imports (the old rule, without its UPPER_CASE constants) loses
    a lowercase default-argument constant: the helper fails to define (unguarded, the NameError at
    import zeroed whole notebooks), so every function using it would fail."""
    cells = default_argument_constant(reference("gates"))
    monkeypatch.setattr(notebook.NotebookModule, "kept", lambda self: [
        s for s in self.statements if s.definition or s.imported])
    namespace = {}
    exec(compile(notebook.source_from_cells(cells, notebook.graded_names("gates")), "gates.py", "exec"), namespace)
    assert "_arr" not in namespace and "NameError: name 'to_array' is not defined" in capsys.readouterr().err
    monkeypatch.undo()
    assert "_arr" in kept_names(cells, notebook.graded_names("gates"))


def test_the_kernel_history_builds_the_same_module_as_the_notebook_file(tmp_path):
    """Inside Jupyter, `In` holds the cells as IPython rewrote them (magics as `get_ipython()`
    calls); the module built from it equals the one built from the .ipynb."""
    from IPython.core.inputtransformer2 import TransformerManager

    cells = magics(reference("activations")) + ["from autograder.notebook import unit_score\n"
                                                "unit_score('activations', 'relu', globals())"]
    history = [""] + [TransformerManager().transform_cell(cell) for cell in cells]
    from_kernel = notebook.kernel_source({"In": history}, "activations")
    from_file = submission.load(write_notebook(tmp_path / "activations.ipynb", cells), "activations").source
    strip = lambda source: re.sub(r"notebook_statement_failed\('[^']*'", "", source)  # noqa: E731 (cell labels)
    assert strip(from_kernel) == strip(from_file)
    assert "def relu(" in from_kernel and "unit_score" not in from_kernel and "run_cell_magic" not in from_kernel
