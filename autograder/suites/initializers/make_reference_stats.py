"""Regenerate reference_stats.json and quantiles.json, the precomputed data of the initializers suite.

    python -m autograder.suites.initializers.make_reference_stats

reference_stats.json: for each graded (initializer, activation) network of `cases.NETWORKS`,
the per-layer mean and std at each of the 40 calibration seeds (from which the check derives its
prediction intervals, `statistics.layer_summary`) and the full run (mean, std, histograms) at the
grading seed, shown next to the student's run in the feedback figure. Computed once
here so that grading never recomputes reference statistics. Their last digits depend on the
BLAS thread count: the committed file is written with ``OPENBLAS_NUM_THREADS=1``.

quantiles.json (`statistics.QUANTILES_FILE`): the chi2 and Student t quantiles the graded checks
look up (`statistics.quantile_lookups` of the graded sample sizes, seeds and layers), computed
with scipy.stats, which grading does not import. Rerun after changing a graded shape, the
calibration seeds, the number of layers or `statistics.ALPHA`.
"""
from __future__ import annotations

import json
import math

from scipy import stats

from autograder import reference
from autograder.checks import statistics
from autograder.suites.initializers import cases, distribution

SCIPY_QUANTILES = {"chi2.ppf": stats.chi2.ppf, "chi2.isf": stats.chi2.isf, "t.isf": stats.t.isf}


def build() -> dict:
    """The reference statistics of every graded network."""
    solutions = reference.load("initializers")
    data = {}
    for name, activation in cases.NETWORKS:
        initializer = getattr(solutions, name)
        runs = [distribution.network_statistics(initializer, activation, seed)
                for seed in cases.NETWORK_CALIBRATION_SEEDS]
        data[f"{name}/{activation}"] = {
            "seeds": list(cases.NETWORK_CALIBRATION_SEEDS),
            "runs": {"mean": [run["mean"] for run in runs], "std": [run["std"] for run in runs]},
            "grading_run": distribution.network_statistics(initializer, activation, cases.NETWORK_GRADING_SEED),
        }
    return data


def grading_quantiles() -> dict[str, float]:
    """scipy.stats' value of every quantile the graded checks look up, by `statistics.quantile_key`."""
    lookups = statistics.quantile_lookups(
        [math.prod(cases.VISIBLE_SHAPE), math.prod(cases.HIDDEN_SHAPE), math.prod(cases.THIN_SHAPE)],
        seeds=len(cases.NETWORK_CALIBRATION_SEEDS), layers=cases.NETWORK_LAYERS)
    return {statistics.quantile_key(function, p, df): float(SCIPY_QUANTILES[function](p, df))
            for function, p, df in lookups}


def main() -> None:
    for path, data in ((cases.STATS_FILE, build()), (statistics.QUANTILES_FILE, grading_quantiles())):
        path.write_text(json.dumps(data, indent=1) + "\n")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
