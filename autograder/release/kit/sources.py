"""The student kit's source tree, staged from the grader's own modules at release.

What is copied: the modules a visible check needs on the trusted side (check primitives, the
worker and its protocol, the sandbox launcher, the trusted client, the pytest plugin and runner,
results, submission loading, the terminal/GitHub/JUnit reports, the notebook helper), with the
package name `autograder` rewritten to `nnopt_kit`, plus the kit's own modules in `kit/nnopt_kit/`
(the `check` command and the recorded-reference replay). Nothing else: no `autograder.reference`,
no `solutions/`, no hidden suite, no batch grading, no `--show-hidden`.

Each suite is copied as `test_visible.py` and the helper modules it imports, *pruned*
(`prune_module`): only the top-level definitions reachable from the visible checks stay, and the
helpers named in `RECORDED` (they compute the reference, known mistakes or near-answer variants)
are replaced by stubs that replay their recorded results (`nnopt_kit.replay.helper`).
"""
from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

from autograder.reference import ASSIGNMENTS

KIT_PACKAGE = "nnopt_kit"

# Grader modules the kit ships (paths under autograder/), copied with the package renamed.
SHIPPED_MODULES = (
    "checks/__init__.py", "checks/agreement.py", "checks/contract.py", "checks/convergence.py",
    "checks/gradient.py", "checks/minimizers.py", "checks/mistakes.py", "checks/statistics.py",
    "wire/protocol.py", "wire/endpoint.py", "wire/worker.py", "wire/facts.py", "wire/isolation.py",
    "wire/objectives.py", "sandbox/zygote.py",
    "sandbox/__init__.py", "sandbox/affinity.py", "sandbox/bubblewrap.py", "sandbox/launch.py",
    "sandbox/limits.py", "sandbox/memory.py", "sandbox/output.py", "sandbox/portable.py", "sandbox/procs.py",
    "sandbox/running.py",
    "sandbox/uids.py", "sandbox/warm.py",
    "remote/__init__.py", "remote/batched.py", "remote/budget.py", "remote/calls.py", "remote/errors.py",
    "remote/lazy.py", "remote/proxies.py", "remote/stream.py", "remote/student.py", "remote/supervisor.py",
    "results.py", "submission.py", "notebook.py", "speed.py",
    "runtime/__init__.py", "runtime/plugin.py", "runtime/runner.py", "runtime/session.py",
    "reports/__init__.py", "reports/common.py", "reports/terminal.py", "reports/github.py", "reports/junit.py",
    "suites/__init__.py",
)
# Data files the shipped checks read (sampling-theory quantile tables, no reference values).
SHIPPED_DATA = ("suites/initializers/quantiles.json",)

# Suite helpers whose code stays with the instructor: they hold reference formulas, known-mistake
# formulas or near-answer variants. The kit replays what they returned for the visible checks'
# inputs. Keyed by assignment, then module (file stem) -> function or class names (a class: its
# construction is replayed, then each method call on the object, in order).
RECORDED = {
    "gates": {"mistakes": ("forward_mistakes", "backward_mistakes", "max_tie_mistakes", "relu_at_zero_mistakes",
                           "neuron_value_mistakes", "neuron_gradient_mistakes")},
    "activations": {"mistakes": ("mistakes_at",)},
    "initializers": {"cases": ("normal_std", "uniform_bound", "fans", "reference_statistics"),
                     "mistakes": ("normal_std_mistakes", "uniform_bound_mistakes", "gain_table_mistakes")},
    "optimizers": {"mistakes": ("optimizer_mistakes", "default_mistakes", "schedule_mistakes", "plateau_mistakes")},
    "line_search": {},
    "quasi_newton": {"mistakes": ("update_mistakes", "lbfgs_mistakes")},
}

# Suite helpers the kit ships as code, reviewed: they call the student, compare, format, or build
# inputs, and ask the reference only through `reference` (replayed). A helper the visible checks
# reach that is in neither list fails tests/test_kit.py until someone classifies it here or in
# RECORDED (a helper holding a reference or known-mistake formula belongs in RECORDED).
REVIEWED_SHIPPED = {
    "gates": {"cases": ("Case", "_build_cases", "ref_forward", "ref_backward", "numerical_gradients"),
              "calls": ("as_gradients", "GateCounter", "method_call"),
              "mistakes": ("shared_state_mistakes",),
              "stability": ("check_stable", "ordinary_case_like", "check_stable_case")},
    "activations": {"cases": ("smooth_points", "base_name"),
                    "calls": ("isolation", "call_value", "call"),
                    "stability": ("keywords", "check_stability", "check_contract")},
    "initializers": {"cases": ("network_input", "call_text"),
                     "distribution": ("distribution_check", "check_distribution", "_histogram_data", "_sample_verdict",
                                      "memo", "network_weights", "in_order", "network_statistics"),
                     "contract": ("contract_check", "rng_state", "check_contract", "_assert_finite_weights",
                                  "_check_rng_contract")},
    "optimizers": {"cases": ("ref_module", "gradient_stream", "_key", "_reference_iterates", "reference_iterates",
                             "teacher_forced", "reference_run", "_reference_run"),
                   "steps": ("step_agrees", "first_mismatch", "call_text", "validate_outputs", "check_stream",
                             "diagnose", "check_convergence"),
                   "state": ("shares_state", "same_output", "raise_with_shared_state_diagnosis",
                             "plateau_shares_state"),
                   "contract": ("step_details", "check_contract"),
                   "schedules": ("check_schedule", "same_rate", "as_rate", "check_plateau")},
    "line_search": {"cases": ("Case",),
                    "searches": ("search", "Searches", "searches", "assert_evaluation_counts")},
    "quasi_newton": {"cases": ("agreement_tol", "_update_cases", "_guard_cases", "_lbfgs_cases", "QuadraticSetup",
                               "_quadratic_setup"),
                     "contract": ("calls_watched", "assert_update_leaves_inputs_unchanged"),
                     "mistakes": ("empty_history_mistakes",)},
}

_MODULE_PATH = re.compile(r"\bautograder(?=\.[a-z_])")
_RENAMES = ((re.compile(r"\bfrom autograder import\b"), f"from {KIT_PACKAGE} import"),
            (re.compile(r"^import autograder\b", re.M), f"import {KIT_PACKAGE}"),
            (re.compile(r"python -m autograder\b"), f"python -m {KIT_PACKAGE}"))


def rename_package(text: str) -> str:
    """`text` with the grader's package name replaced by the kit's in imports and module paths."""
    text = _MODULE_PATH.sub(KIT_PACKAGE, text)
    for pattern, replacement in _RENAMES:
        text = pattern.sub(replacement, text)
    return text


# --------------------------------------------------------------------------- pruning

def _names_in(node) -> set[str]:
    """Every bare name and attribute chain head a node reads (over-approximated: all Name ids)."""
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _defined(node) -> set[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return set()


def _is_docstring(node, index: int) -> bool:
    return index == 0 and isinstance(node, ast.Expr) and isinstance(getattr(node, "value", None), ast.Constant) \
        and isinstance(node.value.value, str)


def used_from(tree: ast.Module, module_path: str, module_name: str) -> set[str]:
    """Names another module takes from `module_path` (`from X import a` or `alias.a` where the
    module is imported as `alias`)."""
    used, aliases = set(), set()
    parent, _, stem = module_path.rpartition(".")
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == module_path:
            used |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module == parent:
            aliases |= {alias.asname or alias.name for alias in node.names if alias.name == stem}
        elif isinstance(node, ast.Import):
            aliases |= {alias.asname for alias in node.names if alias.name == module_path and alias.asname}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            used.add(node.attr)
    return used


def prune_module(source: str, roots: set[str] | None, recorded: tuple, qualifier: str) -> str:
    """`source` with only the top-level statements reachable from `roots` (None: all), recorded
    functions and classes replaced by replay stubs. Imports, the docstring and control-flow statements stay."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    body = tree.body
    refs = {}
    for i, node in enumerate(body):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name in recorded:
            refs[i] = set()
        else:
            refs[i] = _names_in(node)
    always = {i for i, node in enumerate(body)
              if isinstance(node, (ast.Import, ast.ImportFrom)) or _is_docstring(node, i)
              or not (_defined(node) or isinstance(node, ast.Expr))}
    defines = {i: _defined(body[i]) for i in range(len(body))}
    wanted = set(roots) if roots is not None else set().union(*defines.values())
    kept = set(always)
    changed = True
    while changed:
        changed = False
        for i in range(len(body)):
            if i not in kept and defines[i] & wanted:
                kept.add(i)
                changed = True
        for i in kept:
            if not refs[i] <= wanted:
                wanted |= refs[i]
                changed = True
    missing = set(recorded) - set().union(*defines.values())
    if missing:
        raise ValueError(f"{qualifier}: recorded helpers {sorted(missing)} are not defined there")
    out, inserted = [], False
    for i, node in enumerate(body):
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        if not inserted and not _is_docstring(node, i) and not (
                isinstance(node, ast.ImportFrom) and node.module == "__future__"):
            out.append(f"from {KIT_PACKAGE} import replay as _replay\n")
            inserted = True
        if i not in kept:
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name in recorded:
            out.append(f"\n\ndef {node.name}(*args, **kwargs):\n"
                       f"    \"\"\"Recorded at release: the kit replays this helper's results for the visible "
                       f"checks' inputs.\"\"\"\n"
                       f"    return _replay.helper({qualifier + '.' + node.name!r}, args, kwargs)\n")
            continue
        text = "".join(lines[first - 1:node.end_lineno])
        out.append(("\n\n" if isinstance(node, (ast.FunctionDef, ast.ClassDef)) else "") + text
                   + ("" if text.endswith("\n") else "\n"))
    return "".join(out)


def suite_modules(suite_dir: Path) -> dict[str, str]:
    """stem -> source of the suite's modules the kit may ship (never a hidden module)."""
    return {path.stem: path.read_text(encoding="utf-8") for path in sorted(suite_dir.glob("*.py"))
            if not path.name.startswith("test_hidden") and path.stem != "__init__"}


def pruned_suite(assignment: str, suite_dir: Path) -> dict[str, str]:
    """stem -> kit source of the visible suite of `assignment`: test_visible.py whole (recorded
    helpers stubbed), each helper module pruned to what the visible checks reach."""
    modules = suite_modules(suite_dir)
    recorded = RECORDED[assignment]
    package = f"autograder.suites.{assignment}"
    roots: dict[str, set] = {stem: set() for stem in modules}
    result: dict[str, str] = {}
    for _ in range(len(modules) + 2):  # reachability across modules, to a fixed point
        result = {}
        for stem, source in modules.items():
            qualifier = f"{assignment}.{stem}"
            keep = None if stem == "test_visible" else roots[stem]
            if stem != "test_visible" and not keep:
                continue
            result[stem] = prune_module(source, keep, recorded.get(stem, ()), qualifier)
        new_roots = {stem: set(roots[stem]) for stem in modules}
        for text in result.values():
            tree = ast.parse(text)
            for stem in modules:
                new_roots[stem] |= used_from(tree, f"{package}.{stem}", stem)
        if new_roots == roots:
            break
        roots = new_roots
    for stem, names in RECORDED[assignment].items():
        if stem not in modules:
            raise ValueError(f"{assignment}: RECORDED names a module {stem!r} the suite does not have")
    return result


# --------------------------------------------------------------------------- staging

def stage(repo_root: Path, staging: Path) -> Path:
    """Write the kit's package tree (without recordings) under `staging`; returns the package dir."""
    package = staging / KIT_PACKAGE
    if package.exists():
        shutil.rmtree(package)
    grader = repo_root / "autograder"
    for relative in SHIPPED_MODULES:
        target = package / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(rename_package((grader / relative).read_text(encoding="utf-8")), encoding="utf-8")
    for relative in SHIPPED_DATA:
        target = package / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(grader / relative, target)
    own = repo_root / "kit" / KIT_PACKAGE
    for path in sorted(own.glob("*.py")):
        shutil.copyfile(path, package / path.name)
    for assignment in ASSIGNMENTS:
        suite = package / "suites" / assignment
        suite.mkdir(parents=True, exist_ok=True)
        (suite / "__init__.py").write_text("", encoding="utf-8")
        for stem, text in pruned_suite(assignment, grader / "suites" / assignment).items():
            (suite / f"{stem}.py").write_text(rename_package(text), encoding="utf-8")
    (package / "recordings").mkdir(exist_ok=True)
    return package
