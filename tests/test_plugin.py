"""runtime/plugin.py: what a check's `feedback` hands the reports is plain JSON data."""
import json
import math

import numpy as np

from autograder.runtime.plugin import Feedback


def test_attached_data_becomes_plain_json_with_non_finite_numbers_as_null():
    fb = Feedback()
    fb.attach("trajectory", student=[[1.0, math.inf], (2.5, -0.0)], losses=np.array([1.0, np.nan, 3.0]),
              meta={"steps": np.int64(4), 7: np.float32(0.5), "label": "x"}, ratio=np.float64(-np.inf))
    (artifact,) = fb.artifacts
    assert artifact == {"kind": "trajectory", "student": [[1.0, None], [2.5, -0.0]], "losses": [1.0, None, 3.0],
                        "meta": {"steps": 4, "7": 0.5, "label": "x"}, "ratio": None}
    assert type(artifact["meta"]["steps"]) is int and type(artifact["meta"]["7"]) is float
    assert json.loads(json.dumps(artifact, allow_nan=False)) == artifact


def test_partial_credit_is_a_fraction_clamped_to_zero_one():
    fb = Feedback()
    assert fb.fraction is None
    fb.partial(1.7)
    assert fb.fraction == 1.0
    fb.partial(-0.2)
    assert fb.fraction == 0.0
    fb.partial(np.float64(0.25))
    assert fb.fraction == 0.25 and type(fb.fraction) is float
