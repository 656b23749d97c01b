"""Unit tests of the report writers on synthetic results (no grading involved)."""
from __future__ import annotations

import csv
import io
import json
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from autograder.checks.statistics import weight_histogram
from autograder.reports import figures
from autograder.reports.feedback import write_feedback
from autograder.reports.github import annotations, locate_unit, write_github
from autograder.reports.junit import write_junit
from autograder.reports.summary import check_statistics, write_summary
from autograder.reports.terminal import render_terminal
from autograder.results import CheckResult, SubmissionResult

HIDDEN_SECRET = "hidden input z=0.123456 gave 7"


def sample_artifacts() -> dict[str, dict]:
    """One artifact of every kind of docs/checks.md, shaped like the suites' data."""
    rng = np.random.default_rng(1)
    bins = np.linspace(-1, 1, 21).tolist()

    def layer_stats(scale: float) -> dict:
        layers = [np.tanh(rng.normal(0, scale * 0.8 ** k, 500)) for k in range(10)]
        return {"mean": [float(h.mean()) for h in layers], "std": [float(h.std()) for h in layers],
                "hist": [np.histogram(h, bins=bins)[0].tolist() for h in layers], "bins": bins}

    path = [[-1.2 + 0.02 * k, 1.0 - 0.01 * k] for k in range(40)]
    rosen = [(1 - x) ** 2 + 100 * (y - x * x) ** 2 for x, y in path]
    return {
        "layer_stats": {"kind": "layer_stats", "initializer": "xavier_normal", "activation": "tanh",
                        "student": layer_stats(0.3), "reference": layer_stats(1.0)},
        "trajectory": {"kind": "trajectory", "function": "Rosenbrock", "optimizer": "Adam",
                       "student": path[::2] + [[float("nan"), 0.0]], "reference": path,
                       "student_loss": rosen[::2], "reference_loss": rosen},
        "gradient_error": {"kind": "gradient_error", "unit": "tanh_grad",
                           "errors": [1e-10, 3e-9, 0.0, 2e-3, float("inf")], "threshold": 1e-6},
        "golden_section": {"kind": "golden_section", "brackets": [[0.0, 2.0 * 0.618 ** k] for k in range(25)],
                           "evaluations": 50, "bound": 27},
        "bfgs_path": {"kind": "bfgs_path", "student": path[::5], "reference": path[::3]},
        "weight_histogram": {"kind": "weight_histogram", "unit": "lecun_normal",
                             **weight_histogram(rng.normal(0.0, 0.2, (30, 70)), distribution="normal",
                                                parameter=0.1, what="lecun_normal(30, 70, rng)")},
    }


def check(name, unit, status="passed", score=None, max_score=2.0, output="", **extra) -> CheckResult:
    score = (max_score if status == "passed" else 0.0) if score is None else score
    return CheckResult(name=name, check_id=f"test_visible.py::test_{name.replace(' ', '_')}", score=score,
                       max_score=max_score, status=status, output=output, unit=unit, **extra)


def sample_results() -> list[SubmissionResult]:
    art = sample_artifacts()
    alice = SubmissionResult(student="alice", assignment="activations", seconds=3.5, checks=[
        check("sigmoid agrees", "sigmoid", artifacts=[art["gradient_error"]]),
        check("tanh_grad gradient", "tanh_grad", "failed",
              output="tanh_grad differs from central differences at z=0.5: expected 0.786, got 0.5\n"
                     "Likely mistake: returning a instead of 1 - a**2.",
              kind="gradient", artifacts=[art["gradient_error"]]),
        check("layer statistics", "tanh", "failed", score=1.0,
              output="std of layer 10 is 0.012, expected 0.25", artifacts=[art["layer_stats"]]),
        check("adam path", "Adam.step", "failed", output="diverged after 3 steps: got 0.31",
              artifacts=[art["trajectory"], art["golden_section"], art["bfgs_path"]]),
        check("hidden stability", "softplus", "failed", output=HIDDEN_SECRET, visibility="hidden",
              artifacts=[art["gradient_error"]]),
    ])
    bob = SubmissionResult(student="bob", assignment="activations", seconds=0.4, status="import_error",
                           output="SyntaxError: invalid syntax (activations.py, line 3)", checks=[
        check(c.name, c.unit, "failed", output="SyntaxError: invalid syntax (activations.py, line 3)",
              max_score=c.max_score)
        for c in alice.checks])
    carol = SubmissionResult(student="carol", assignment="activations", seconds=9.0, checks=[
        check("sigmoid agrees", "sigmoid"),
        check("tanh_grad gradient", "tanh_grad", "failed",
              output="tanh_grad differs from central differences at z=1.5: expected 0.18, got 0.9"),
        check("layer statistics", "tanh"),
        check("adam path", "Adam.step", "failed", output="StudentTimeout: Adam.step timed out after 2 s"),
        check("hidden stability", "softplus", visibility="hidden"),
    ])
    return [alice, bob, carol]


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


# --- figures ---------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(figures.FIGURE_KINDS))
def test_every_artifact_kind_draws_a_small_png(kind):
    width, height = png_size(figures.render(sample_artifacts()[kind]))
    assert 300 <= width <= 1200 and 200 <= height <= 700


def test_unknown_kind_has_no_figure():
    assert figures.render({"kind": "not_a_kind"}) is None


def test_trajectory_takes_contour_data_for_unnamed_functions():
    grid = np.linspace(-1, 1, 25)
    contour = {"xs": grid.tolist(), "ys": grid.tolist(), "zs": np.subtract.outer(grid ** 2, grid ** 2).tolist()}
    png = figures.render({"kind": "trajectory", "function": "saddle", "optimizer": "SGD", "contour": contour,
                          "student": [[0.5, 0.01], [0.4, 0.3]], "reference": [[0.5, 0.01], [0.3, 0.0]]})
    assert png_size(png)[0] > 0


def test_test_functions_are_the_suites_objectives():
    assert figures.objective_named("rosenbrock").minima == ((1.0, 1.0),)
    assert figures.objective_named("Saddle").f(np.array([1.0, 0.0])) == -0.25
    assert figures.objective_named("no such function") is None


def test_score_histogram_is_a_png():
    assert png_size(figures.score_histogram([0, 5, 5, 10], 10))[0] > 0


def test_importing_the_writers_does_not_import_matplotlib():
    code = ("import sys; import autograder.reports.terminal, autograder.reports.feedback, "
            "autograder.reports.summary, autograder.reports.github, autograder.reports.junit; "
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.stdout.strip() == "False"


# --- terminal --------------------------------------------------------------------------------

def test_terminal_report_lists_checks_and_masks_hidden_messages():
    alice = sample_results()[0]
    text = render_terminal(alice, color=False)
    assert "\033[" not in text
    assert "Score: 3/10 points, 1 of 5 checks passed" in text
    assert "\nPART  1/2  layer statistics\n" in text
    assert "expected 0.786, got 0.5" in text
    assert HIDDEN_SECRET not in text and "Hidden check" in text
    assert text.rstrip().endswith("4 checks failed.")


def test_terminal_wraps_long_messages_and_cuts_very_long_ones():
    words = " ".join(f"word{i}" for i in range(400))
    result = SubmissionResult(student="", assignment="gates", checks=[check("long", None, "failed", output=words)])
    lines = render_terminal(result, color=False).splitlines()
    message = [line for line in lines if line.startswith("      ")]
    assert all(len(line) <= 106 for line in message)
    assert len(message) == 21 and message[-1].strip().startswith("… (")


def test_terminal_colours_only_when_asked():
    alice = sample_results()[0]
    assert "\033[31;1mFAIL\033[0m" in render_terminal(alice, color=True)


def test_terminal_reports_an_import_error():
    text = render_terminal(sample_results()[1], color=False)
    assert "[import_error] SyntaxError: invalid syntax (activations.py, line 3)" in text
    assert "could not be graded normally (import_error)" in text
    assert text.count("SyntaxError") == 1  # every check failed with it: said once


# --- feedback --------------------------------------------------------------------------------

def test_feedback_draws_failed_checks_figures_and_hides_hidden_checks(tmp_path):
    write_feedback(sample_results()[0], tmp_path)
    page = (tmp_path / "feedback.html").read_text()
    markdown = (tmp_path / "feedback.md").read_text()
    # failing visible checks carry 1 + 1 + 3 artifacts; the passing and the hidden check draw nothing
    assert page.count('<img src="data:image/png;base64,') == 5
    assert len(list((tmp_path / "figures").glob("*.png"))) == 5
    for target in re.findall(r"!\[[^]]*\]\((figures/[^)]+)\)", markdown):
        assert (tmp_path / target).is_file()
    assert HIDDEN_SECRET not in page and HIDDEN_SECRET not in markdown
    assert "hidden stability" in page and "Hidden check" in page
    assert "src=\"http" not in page and "<script" not in page


@pytest.mark.parametrize("choice, images", [("none", 0), ("all", 6)])
def test_feedback_figure_choice(tmp_path, choice, images):
    write_feedback(sample_results()[0], tmp_path, figures=choice)
    assert (tmp_path / "feedback.html").read_text().count("<img ") == images


def test_feedback_show_hidden_reveals_message_and_figure(tmp_path):
    write_feedback(sample_results()[0], tmp_path, figures="none", show_hidden=True)
    assert HIDDEN_SECRET in (tmp_path / "feedback.html").read_text()
    assert HIDDEN_SECRET in (tmp_path / "feedback.md").read_text()


def test_feedback_rejects_unknown_figure_choice(tmp_path):
    with pytest.raises(ValueError):
        write_feedback(sample_results()[0], tmp_path, figures="some")


def test_feedback_survives_malformed_artifact_and_escapes_html(tmp_path):
    result = SubmissionResult(student="dave", assignment="line_search", checks=[
        check("<b>golden</b>", "golden_section_search", "failed", output="got <script>alert(1)</script>",
              artifacts=[{"kind": "golden_section", "brackets": "not a list"}])])
    write_feedback(result, tmp_path)
    page = (tmp_path / "feedback.html").read_text()
    assert "golden_section figure could not be drawn" in page
    assert "<script>" not in page and "&lt;script&gt;" in page and "&lt;b&gt;golden" in page


# --- summary ---------------------------------------------------------------------------------

def test_check_statistics_numbers():
    stats = {s.name: s for s in check_statistics(sample_results())}
    # bob's import error is left out: the statistics cover alice and carol
    tanh = stats["tanh_grad gradient"]
    assert tanh.n == 2 and tanh.fail_rate == 1.0 and tanh.mean_score == 0.0
    # alice's and carol's messages differ only in their numbers: one group of two
    assert tanh.most_common_count == 2
    assert tanh.most_common_message.startswith("tanh_grad differs from central differences at z=0.5")
    layer = stats["layer statistics"]
    assert layer.fail_rate == 0.5 and layer.mean_score == 1.5  # alice partial 1/2, carol 2/2
    assert stats["sigmoid agrees"].fail_rate == 0.0 and stats["sigmoid agrees"].most_common_message == ""


def test_summary_files(tmp_path):
    write_summary(sample_results(), tmp_path)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "summary.csv").read_text())))
    assert list(rows[0]) == ["check_id", "name", "unit", "max_score", "n", "fail_rate", "mean_score",
                             "most_common_message", "grader_errors"]
    by_name = {r["name"]: r for r in rows}
    assert len(rows) == 5
    assert by_name["layer statistics"]["fail_rate"] == "0.5000"
    assert by_name["layer statistics"]["mean_score"] == "1.5000"
    assert by_name["adam path"]["most_common_message"] == "diverged after 3 steps: got 0.31"
    assert by_name["adam path"]["unit"] == "Adam.step"
    page = (tmp_path / "summary.html").read_text()
    assert page.count('<img src="data:image/png;base64,') == 1
    attention = page.split('<h2 id="attention">')[1].split("<h2")[0]
    assert "bob" in attention and "import_error" in attention
    assert "carol" in attention and "timeout in 1 check" in attention and "alice" not in attention
    slowest = page.split('<h2 id="slowest">')[1]
    assert slowest.index("carol") < slowest.index("alice") < slowest.index("bob")


# --- GitHub ------------------------------------------------------------------------------------

STUDENT_SOURCE = '''import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def tanh_grad(z):
    return np.tanh(z)


class Adam:
    def __init__(self, lr=1e-3):
        self.lr = lr

    def step(self, w, g):
        return w - self.lr * g


def tanh(z):
    return np.tanh(z)
'''


def parse_commands(text: str) -> list[dict]:
    out = []
    for line in text.splitlines():
        match = re.match(r"::(error|warning) (.*?)::(.*)$", line)
        assert match, line
        props = dict(p.split("=", 1) for p in match.group(2).split(","))
        out.append({"level": match.group(1), **props, "message": match.group(3)})
    return out


def test_annotations_point_at_the_failing_units_definition(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "activations.py").write_text(STUDENT_SOURCE)
    stream = io.StringIO()
    write_github(sample_results()[:1], {"alice": tmp_path / "activations.py"}, summary_path=None, stream=stream)
    commands = parse_commands(stream.getvalue())
    lines = STUDENT_SOURCE.splitlines()
    by_title = {c["title"].split(" (")[0]: c for c in commands}
    assert set(by_title) == {"tanh_grad gradient", "layer statistics", "adam path", "hidden stability"}
    assert all(c["file"] == "activations.py" for c in commands)
    assert lines[int(by_title["tanh_grad gradient"]["line"]) - 1] == "def tanh_grad(z):"
    assert lines[int(by_title["adam path"]["line"]) - 1] == "    def step(self, w, g):"
    assert lines[int(by_title["layer statistics"]["line"]) - 1] == "def tanh(z):"
    assert by_title["layer statistics"]["level"] == "warning"  # partial credit
    assert by_title["tanh_grad gradient"]["message"].startswith(
        "tanh_grad differs from central differences at z=0.5: expected 0.786, got 0.5%0ALikely mistake")
    assert HIDDEN_SECRET not in stream.getvalue()


def test_annotation_for_undefined_unit_and_syntax_error(tmp_path):
    source = tmp_path / "activations.py"
    source.write_text("def sigmoid(z):\n    return z\n")
    missing = parse_commands("\n".join(annotations(sample_results()[2], source)))
    adam = next(c for c in missing if c["title"].startswith("adam path"))
    assert adam["line"] == "1" and adam["message"].startswith("`Adam.step` is not defined in this file.%0A")
    source.write_text("import numpy as np\n\ndef sigmoid(z)\n    return z\n")
    broken = parse_commands("\n".join(annotations(sample_results()[1], source)))
    assert len(broken) == 1 and broken[0]["line"] == "3" and "import_error" in broken[0]["title"]


def test_annotation_escapes_properties():
    result = SubmissionResult(student="x", assignment="gates", checks=[
        check("a, b: 100%", None, "failed", output="50% off\r\nnext")])
    (command,) = annotations(result, None)
    assert command == "::error title=a%2C b%3A 100%25 (0/2)::50%25 off%0Anext"


def write_notebook(path: Path, cells: list[tuple[str, str]]) -> None:
    """A notebook laid out on disk as nbformat writes it (indent 1, sorted keys, one JSON string per
    source line), without importing nbformat (~1 s)."""
    def cell(kind: str, text: str) -> dict:
        base = {"cell_type": kind, "metadata": {}, "source": text.splitlines(keepends=True)}
        return base | ({"execution_count": None, "outputs": []} if kind == "code" else {})
    notebook = {"cells": [cell(*c) for c in cells], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n")


def test_notebook_annotation_points_at_the_def_line_of_the_cell(tmp_path):
    path = tmp_path / "activations.ipynb"
    write_notebook(path, [
        ("markdown", "Implement `tanh_grad`:\n\ndef tanh_grad(z):"),
        ("code", "%matplotlib inline\nimport numpy as np"),
        ("code", "def tanh_grad(z):\n    return z  # first try"),
        ("code", "x = 1\n\ndef tanh_grad(z):\n    return 1 - np.tanh(z) ** 2"),
    ])
    where = locate_unit(path, "tanh_grad")
    raw = path.read_text().splitlines()
    assert json.loads(raw[where.line - 1].strip().rstrip(",")) == "def tanh_grad(z):\n"
    assert where.note == "code cell 3, line 3"
    # the last definition is the one Python keeps: the line after it holds its body
    assert "1 - np.tanh(z)" in raw[where.line]


def test_notebook_syntax_error_is_located_in_its_cell(tmp_path):
    path = tmp_path / "activations.ipynb"
    write_notebook(path, [("code", "import numpy as np"), ("code", "def sigmoid(z)\n    return z")])
    (command,) = annotations(sample_results()[1], path)
    line = int(parse_commands(command)[0]["line"])
    assert json.loads(path.read_text().splitlines()[line - 1].strip().rstrip(",")) == "def sigmoid(z)\n"
    assert command.endswith("%0A(code cell 2, line 1)")


def test_job_summary_is_appended(tmp_path):
    summary = tmp_path / "step_summary.md"
    summary.write_text("earlier step\n")
    write_github(sample_results(), {}, summary_path=summary, stream=io.StringIO())
    text = summary.read_text()
    assert text.startswith("earlier step\n")
    assert "### ❌ activations (alice): 3/10 points" in text
    assert "| 🟠 partial | layer statistics | 1/2 |" in text
    assert "expected 0.786, got 0.5" in text and HIDDEN_SECRET not in text


# --- JUnit -------------------------------------------------------------------------------------

def test_junit_xml(tmp_path):
    results = sample_results()
    results[2].checks[1].output += " \x00\x1b bad bytes"
    path = tmp_path / "report.xml"
    write_junit(results, path)
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites" and root.get("tests") == "16" and root.get("errors") == "1"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    alice = suites["alice"]
    assert (alice.get("tests"), alice.get("failures"), alice.get("errors")) == ("5", "4", "0")
    cases = {c.get("name"): c for c in alice.findall("testcase")}
    assert cases["sigmoid agrees"].find("failure") is None
    assert cases["tanh_grad gradient"].get("classname") == "activations.tanh_grad"
    failure = cases["tanh_grad gradient"].find("failure")
    assert failure.get("message").startswith("0/2 points: tanh_grad differs") and "Likely mistake" in failure.text
    assert HIDDEN_SECRET not in path.read_text()
    error = suites["bob"].find("testcase[@name='submission']/error")
    assert error.get("type") == "import_error" and "line 3" in error.get("message")
    assert "bad bytes" in suites["carol"].find("testcase[@name='tanh_grad gradient']/failure").text
