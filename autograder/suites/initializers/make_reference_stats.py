"""Regenerate reference_stats.json: the reference's layer statistics of the slides' network.

    python -m autograder.suites.initializers.make_reference_stats

For each graded (initializer, activation) network of `common.NETWORKS`: the per-layer
mean and std at each of the 40 calibration seeds (from which the check derives its
prediction intervals, `statistics.layer_summary`) and the full run (mean, std, histograms) at the
grading seed, shown next to the student's run in the feedback figure. Computed once
here (~10 s) so that grading never recomputes reference statistics.
"""
from __future__ import annotations

import json

from autograder import reference
from autograder.suites.initializers import common


def build() -> dict:
    """The reference statistics of every graded network."""
    solutions = reference.load("initializers")
    data = {}
    for name, activation in common.NETWORKS:
        initializer = getattr(solutions, name)
        runs = [common.network_statistics(initializer, activation, seed)
                for seed in common.NETWORK_CALIBRATION_SEEDS]
        data[f"{name}/{activation}"] = {
            "seeds": list(common.NETWORK_CALIBRATION_SEEDS),
            "runs": {"mean": [run["mean"] for run in runs], "std": [run["std"] for run in runs]},
            "grading_run": common.network_statistics(initializer, activation, common.NETWORK_GRADING_SEED),
        }
    return data


def main() -> None:
    data = build()
    common.STATS_FILE.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {common.STATS_FILE}")


if __name__ == "__main__":
    main()
