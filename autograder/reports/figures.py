"""Figures for check artifacts (docs/checks.md, "Artifact kinds"), as PNG bytes.

matplotlib is imported inside the drawing functions (the grader's slowest import), and only its
object API is used (`Figure` + the Agg canvas): no pyplot, no global backend state.
Non-finite values a student's code produced (NaN, inf) never break a figure: they are left
out of lines or marked, and counted on the figure; a diverging path runs off a view framed
by the reference. PNGs are 100 dpi, quantized to 64 colours (a third of the bytes).
Drawing time goes to text: log axes get plain "1e-05" labels instead of mathtext's 10^k
(whose parser took half of a figure's time) and no minor ticks, and titles a fixed position.

Contours of a path's test function come from the artifact's `contour` data
(`{"xs": [...], "ys": [...], "zs": [[...]]}`, `zs[i][j]` at `(xs[j], ys[i])`) when it has
some; otherwise the artifact's `function` is looked up by name (case-insensitive) among the
suites' test functions, the `Objective`s of `autograder.checks.convergence` (Rosenbrock,
ill-conditioned quadratic, saddle, ...), so formulas live in one place. A function known
neither way is drawn as paths without contours.
"""
from __future__ import annotations

import functools
import io
import math

import numpy as np

DPI = 100
STYLE = {"axes.titley": 1.0}  # automatic title placement measures every tick label first
STUDENT = "#d62728"
REFERENCE = "#1f77b4"
GOLDEN_RATIO = (1 + math.sqrt(5)) / 2


def _styled(draw):
    """`draw` with `STYLE` in effect (matplotlib reads rcParams as a figure is built)."""
    @functools.wraps(draw)
    def styled(*args, **kwargs):
        from matplotlib import rc_context

        with rc_context(STYLE):
            return draw(*args, **kwargs)
    return styled


@_styled
def render(artifact: dict) -> bytes | None:
    """PNG bytes of the figure for one artifact, or None when its kind has no figure."""
    draw = _DRAWERS.get(artifact.get("kind"))
    return draw(artifact) if draw else None


@_styled
def score_histogram(scores: list[float], max_score: float) -> bytes:
    """Histogram of total scores on [0, max_score]."""
    fig, ax = _figure(6.0, 2.8)
    fig.subplots_adjust(left=0.1, right=0.97, bottom=0.17, top=0.89)
    top = max(max_score, max(scores, default=0.0), 1e-9)
    bins = np.linspace(0.0, top, min(20, max(5, len(scores))) + 1)
    ax.hist(scores, bins=bins, color=REFERENCE, edgecolor="white")
    ax.set_xlim(0.0, top)
    ax.set_xlabel("score")
    ax.set_ylabel("submissions")
    ax.yaxis.get_major_locator().set_params(integer=True)
    mean = float(np.mean(scores)) if scores else float("nan")
    ax.set_title(f"{len(scores)} submissions, mean {mean:.2f} / {max_score:g}")
    return _png(fig)


def layer_stats(artifact: dict) -> bytes:
    """Mean and std of activations by layer, plus one histogram per layer, student vs reference."""
    student, reference = artifact.get("student", {}), artifact.get("reference", {})
    n_layers = max(len(reference.get("mean", [])), len(student.get("mean", [])), 1)
    ncols = min(n_layers, 5)
    nrows = math.ceil(n_layers / ncols)
    fig = _blank_figure(3.4 + 1.6 * ncols, 1.0 + 1.6 * max(nrows, 2))
    grid = fig.add_gridspec(2 * max(nrows, 2), 2 + ncols, width_ratios=[1.2, 1.2] + [1.0] * ncols,
                            left=0.06, right=0.99, bottom=0.11, top=0.88, wspace=0.3, hspace=2.2)
    half = max(nrows, 2)
    for row, stat in ((slice(0, half), "mean"), (slice(half, 2 * half), "std")):
        ax = fig.add_subplot(grid[row, 0:2])
        for data, color, label in ((reference, REFERENCE, "reference"), (student, STUDENT, "student")):
            values = _finite(data.get(stat, []))
            ax.plot(np.arange(1, len(values) + 1), values, "o-", ms=3, color=color, label=label)
        ax.set_ylabel(stat)
        ax.set_xlabel("layer")
        ax.legend(fontsize=7)
    for layer in range(n_layers):
        ax = fig.add_subplot(grid[2 * (layer // ncols):2 * (layer // ncols) + 2, 2 + layer % ncols])
        for data, color, fill in ((reference, REFERENCE, True), (student, STUDENT, False)):
            edges, density = _layer_histogram(data, layer)
            if density is not None:
                ax.stairs(density, edges, color=color, fill=fill, alpha=0.35 if fill else 1.0)
        ax.set_title(f"layer {layer + 1}", fontsize=8)
        ax.tick_params(labelsize=6)
        ax.set_yticks([])
    fig.suptitle(f"{artifact.get('initializer', '?')} init, {artifact.get('activation', '?')} activation:"
                 f" student (red) vs reference (blue)", fontsize=10)
    return _png(fig)


def trajectory(artifact: dict) -> bytes:
    """The optimizer's path on contours of the test function, and the loss per step (see `_loss_scale`)."""
    has_loss = bool(artifact.get("student_loss") or artifact.get("reference_loss"))
    fig = _blank_figure(8.5 if has_loss else 4.6, 3.6)
    fig.subplots_adjust(left=0.08 if has_loss else 0.14, right=0.98, bottom=0.12, top=0.91, wspace=0.28)
    ax = fig.add_subplot(1, 2 if has_loss else 1, 1)
    function = artifact.get("function", "")
    _draw_paths(ax, artifact, function)
    ax.set_title(f"{artifact.get('optimizer', 'optimizer')} on {function or 'test function'}", fontsize=10)
    if has_loss:
        ax_loss = fig.add_subplot(1, 2, 2)
        losses = {key: _finite(artifact.get(key, [])) for key in ("reference_loss", "student_loss")}
        for key, color, label in (("reference_loss", REFERENCE, "reference"), ("student_loss", STUDENT, "student")):
            ax_loss.plot(np.arange(len(losses[key])), losses[key], color=color, label=label)
        scale, options = _loss_scale(losses["reference_loss"], losses["student_loss"])
        _set_yscale(ax_loss, scale, **options)
        ax_loss.set_xlabel("step")
        ax_loss.set_ylabel("loss")
        ax_loss.set_title("loss per step", fontsize=10)
        ax_loss.legend(fontsize=8)
    return _png(fig)


def bfgs_path(artifact: dict) -> bytes:
    """BFGS iterates, student vs reference, on the contours of `function` (default Rosenbrock)."""
    fig, ax = _figure(4.6, 3.6)
    fig.subplots_adjust(left=0.14, right=0.97, bottom=0.12, top=0.91)
    function = artifact.get("function", "Rosenbrock")
    _draw_paths(ax, artifact, function)
    ax.set_title(f"BFGS on {function}", fontsize=10)
    return _png(fig)


def gradient_error(artifact: dict) -> bytes:
    """Relative error per gradient element (log scale) against the threshold line."""
    errors = np.asarray(artifact.get("errors", []), dtype=float).ravel()
    threshold = float(artifact.get("threshold", float("nan")))
    fig, ax = _figure(6.0, 3.0)
    fig.subplots_adjust(left=0.13, right=0.97, bottom=0.16, top=0.9)
    index = np.arange(errors.size)
    finite = np.isfinite(errors)
    floor = 1e-17
    shown = np.where(finite, np.maximum(errors, floor), np.nan)
    bad = finite & (errors > threshold)
    ax.scatter(index[finite & ~bad], shown[finite & ~bad], s=10, color=REFERENCE, label="within threshold")
    ax.scatter(index[bad], shown[bad], s=14, color=STUDENT, label="above threshold")
    ceiling = max(np.nanmax(shown) if finite.any() else 1.0, threshold if np.isfinite(threshold) else 1.0) * 10
    if (~finite).any():
        ax.scatter(index[~finite], np.full((~finite).sum(), ceiling), marker="x", s=20, color="black",
                   label="NaN / inf")
    if np.isfinite(threshold):
        ax.axhline(threshold, color="black", ls="--", lw=1, label=f"threshold {threshold:g}")
    _set_yscale(ax, "log")
    ax.set_xlabel("element (flattened)")
    ax.set_ylabel("relative error")
    worst = np.nanmax(errors[finite]) if finite.any() else float("nan")
    ax.set_title(f"{artifact.get('unit', 'gradient')}: {int(bad.sum()) + int((~finite).sum())} of "
                 f"{errors.size} elements off (max {worst:.2e})", fontsize=10)
    ax.legend(fontsize=7, loc="best")
    return _png(fig)


def weight_histogram(artifact: dict) -> bytes:
    """An initializer's weights: their histogram (bars) against the expected counts of the law the
    handout names (line) and the band a correct sampler's counts land in (shaded)."""
    edges = np.asarray(artifact.get("bins", []), dtype=float)
    counts = np.asarray(artifact.get("counts", []), dtype=float)
    expected = np.asarray(artifact.get("expected", []), dtype=float)
    low = np.asarray(artifact.get("band_low", []), dtype=float)
    high = np.asarray(artifact.get("band_high", []), dtype=float)
    fig, ax = _figure(6.4, 3.4)
    fig.subplots_adjust(left=0.12, right=0.97, bottom=0.15, top=0.88)
    if edges.size >= 2 and counts.size == edges.size - 1:
        centers, widths = (edges[:-1] + edges[1:]) / 2, np.diff(edges)
        ax.bar(centers, counts, width=widths, color=STUDENT, alpha=0.6, label="your weights")
        if expected.size == counts.size:
            ax.step(edges, np.append(expected, expected[-1]), where="post", color=REFERENCE, lw=1.5,
                    label="expected")
        if low.size == counts.size and high.size == counts.size:
            ax.fill_between(edges, np.append(low, low[-1]), np.append(high, high[-1]), step="post",
                            color=REFERENCE, alpha=0.2, label="a correct sampler lands here")
        ax.set_xlim(edges[0], edges[-1])
    law = artifact.get("distribution", "normal")
    parameter = float(artifact.get("parameter", float("nan")))
    law_text = f"N(0, {parameter:.4g}^2)" if law == "normal" else f"U(-{parameter:.4g}, {parameter:.4g})"
    outside = int(artifact.get("outside", 0))
    ax.set_xlabel("weight" + (f"  ({outside} of {artifact.get('n', '?')} outside the view)" if outside else ""))
    ax.set_ylabel("count")
    ax.set_title(f"{artifact.get('what', 'weights')} vs {law_text}", fontsize=9)
    ax.legend(fontsize=7, loc="best")
    return _png(fig)


def golden_section(artifact: dict) -> bytes:
    """Bracket width per iteration (log) against the ideal 1/phi contraction, and evaluations vs bound."""
    brackets = np.asarray(artifact.get("brackets", []), dtype=float).reshape(-1, 2)
    widths = np.abs(brackets[:, 1] - brackets[:, 0])
    fig = _blank_figure(8.0, 3.0)
    grid = fig.add_gridspec(1, 2, width_ratios=[2, 1], left=0.1, right=0.98, bottom=0.16, top=0.9, wspace=0.45)
    ax = fig.add_subplot(grid[0, 0])
    steps = np.arange(widths.size)
    ax.plot(steps, np.where(widths > 0, widths, np.nan), "o-", ms=3, color=STUDENT, label="student brackets")
    if widths.size and widths[0] > 0:
        ax.plot(steps, widths[0] * GOLDEN_RATIO ** -steps, "--", color=REFERENCE, label="width0 / phi^k")
    _set_yscale(ax, "log")
    ax.set_xlabel("iteration")
    ax.set_ylabel("bracket width b - a")
    ax.legend(fontsize=7)
    function = artifact.get("function")
    ax.set_title(f"bracket widths, f(x) = {function}" if function else "bracket widths", fontsize=10)
    ax_calls = fig.add_subplot(grid[0, 1])
    evaluations, bound = artifact.get("evaluations", 0), artifact.get("bound", 0)
    ax_calls.barh(["bound", "evaluations"], [bound, evaluations],
                  color=[REFERENCE, STUDENT if evaluations > bound else "#2ca02c"])
    ax_calls.set_xlabel("calls of f")
    ax_calls.set_title(f"{evaluations} evaluations (bound {bound})", fontsize=10)
    return _png(fig)


_DRAWERS = {
    "layer_stats": layer_stats,
    "weight_histogram": weight_histogram,
    "trajectory": trajectory,
    "gradient_error": gradient_error,
    "golden_section": golden_section,
    "bfgs_path": bfgs_path,
}
FIGURE_KINDS = frozenset(_DRAWERS)
CAPTIONS = {
    "layer_stats": "Activation statistics layer by layer: mean and std (left), histograms (right).",
    "weight_histogram": "Histogram of the weights against the expected distribution, with the band a correct sampler lands in.",
    "trajectory": "Optimizer path on the test function's contours, and the loss per step.",
    "gradient_error": "Relative error of each gradient element against central differences.",
    "golden_section": "Bracket width per iteration, and the number of function evaluations.",
    "bfgs_path": "BFGS iterates on the Rosenbrock function.",
}


def _draw_paths(ax, artifact: dict, function: str) -> None:
    """Contours (from `contour` data or a known test function) and the student/reference paths."""
    paths = {who: _points(artifact.get(who, [])) for who in ("reference", "student")}
    contour = artifact.get("contour")
    known = None if contour else objective_named(function)
    if contour:
        xs, ys = np.asarray(contour["xs"], dtype=float), np.asarray(contour["ys"], dtype=float)
        zs = np.asarray(contour["zs"], dtype=float)
        bounds = (xs.min(), xs.max(), ys.min(), ys.max())
    else:
        bounds = _view(paths, known.minima if known else ())
        if known:
            xs = np.linspace(bounds[0], bounds[1], 160)
            ys = np.linspace(bounds[2], bounds[3], 160)
            zs = known.f(np.array(np.meshgrid(xs, ys)))
    if contour or known:
        ax.contour(xs, ys, zs, levels=_levels(zs), colors="0.6", linewidths=0.6)
    if known:
        minima = np.asarray(known.minima, dtype=float)
        ax.plot(minima[:, 0], minima[:, 1], "*", ms=10, color="black", ls="none",
                label="minimum" if len(minima) == 1 else "minima")
    for who, color in (("reference", REFERENCE), ("student", STUDENT)):
        path = paths[who]
        if len(path):
            ax.plot(path[:, 0], path[:, 1], ".-", ms=3, lw=1, color=color, label=f"{who} ({len(path)} pts)")
            ax.plot(path[0, 0], path[0, 1], "o", ms=5, color=color)
    stud = paths["student"]
    left = int(((stud[:, 0] < bounds[0]) | (stud[:, 0] > bounds[1])
                | (stud[:, 1] < bounds[2]) | (stud[:, 1] > bounds[3])).sum())
    dropped = len(artifact.get("student", [])) - len(stud)
    ax.set_xlim(bounds[0], bounds[1])
    ax.set_ylim(bounds[2], bounds[3])
    ax.legend(fontsize=7, loc="best")
    notes = [f"{left} student points outside the view"] if left else []
    notes += [f"{dropped} non-finite student points"] if dropped else []
    if notes:
        ax.text(0.02, 0.02, "; ".join(notes), transform=ax.transAxes, fontsize=7, color=STUDENT)


def objective_named(name: str):
    """The suites' `Objective` called `name` (case-insensitive), or None."""
    from autograder.checks import convergence

    objectives = [v for v in vars(convergence).values() if isinstance(v, convergence.Objective)]
    return next((o for o in objectives if o.name.lower() == name.lower()), None)


def _view(paths: dict, minima) -> tuple[float, float, float, float]:
    """Axis bounds around the reference path and the minima; the student's path widens them
    unless it wanders more than 10x further, in which case it runs off the view."""
    anchor = np.vstack([paths["reference"], np.asarray(minima, dtype=float).reshape(-1, 2)])
    if not len(anchor):
        anchor = paths["student"] if len(paths["student"]) else np.zeros((1, 2))
    lo, hi = anchor.min(axis=0), anchor.max(axis=0)
    span = np.maximum(hi - lo, 0.5)
    stud = paths["student"]
    if len(stud):
        s_lo, s_hi = stud.min(axis=0), stud.max(axis=0)
        if np.all(s_lo >= lo - 10 * span) and np.all(s_hi <= hi + 10 * span):
            lo, hi = np.minimum(lo, s_lo), np.maximum(hi, s_hi)
            span = np.maximum(hi - lo, 0.5)
    margin = 0.15 * span
    return lo[0] - margin[0], hi[0] + margin[0], lo[1] - margin[1], hi[1] + margin[1]


def _levels(zs: np.ndarray) -> np.ndarray | int:
    """Log-spaced contour levels for positive surfaces (valleys stay visible), else 15 linear levels."""
    z = zs[np.isfinite(zs)]
    if z.size and z.min() >= 0:
        low = max(np.quantile(z, 0.01), z.max() * 1e-6, 1e-12)
        return np.geomspace(low, z.max(), 15)
    return 15


def _loss_scale(reference: np.ndarray, student: np.ndarray) -> tuple[str, dict]:
    """set_yscale's scale and options: log for positive losses; symlog (linear within the reference's range) when
    losses of any sign span more than 1e3 times that range (a diverging student); else linear."""
    values = np.concatenate([reference, student])
    values = values[np.isfinite(values)]
    if values.size and values.min() > 0:
        return "log", {}
    ref = np.abs(reference[np.isfinite(reference)])
    scale = float(ref.max()) if ref.size and ref.max() > 0 else 1.0
    if values.size and np.ptp(values) > 1e3 * scale:
        return "symlog", {"linthresh": scale}
    return "linear", {}


def _set_yscale(ax, scale: str, **options) -> None:
    """`ax.set_yscale`; a log axis gets plain labels ("1e-05") and no minor ticks."""
    ax.set_yscale(scale, **options)
    if scale == "log":  # symlog keeps mathtext labels: LogFormatter drops the sign of negative ticks
        from matplotlib.ticker import LogFormatter, NullLocator

        ax.yaxis.set_major_formatter(LogFormatter())
        ax.yaxis.set_minor_locator(NullLocator())


def _points(path) -> np.ndarray:
    """A path as an (n, 2) float array with its non-finite points dropped."""
    arr = np.asarray(path, dtype=float).reshape(-1, 2)
    return arr[np.isfinite(arr).all(axis=1)]


def _finite(values) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    arr[~np.isfinite(arr)] = np.nan
    return arr


def _layer_histogram(data: dict, layer: int):
    """(edges, density) of one layer's histogram; `bins` is one edge list or one per layer."""
    hists = data.get("hist", [])
    if layer >= len(hists):
        return None, None
    counts = np.asarray(hists[layer], dtype=float)
    bins = data.get("bins", [])
    edges = np.asarray(bins[layer] if bins and np.ndim(bins[0]) else bins, dtype=float)
    if edges.size != counts.size + 1:
        return None, None
    total = counts.sum() * np.diff(edges)
    return edges, np.divide(counts, total, out=np.zeros_like(counts), where=total > 0)


def preload() -> None:
    """Import what drawing needs now: done once before `grade` forks its pool, the pool
    processes (figures of failed checks) and the summary (score histogram) share it."""
    import matplotlib.backends.backend_agg  # noqa: F401
    import matplotlib.figure  # noqa: F401
    import PIL.Image  # noqa: F401


def _blank_figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=DPI)


def _figure(width: float, height: float):
    fig = _blank_figure(width, height)
    return fig, fig.add_subplot(1, 1, 1)


def _png(fig) -> bytes:
    """The figure as a 64-colour palette PNG (a third of the bytes of RGBA, same look for line art)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    image.convert("RGB").quantize(colors=64, method=Image.Quantize.FASTOCTREE).save(buffer, format="PNG")
    return buffer.getvalue()
