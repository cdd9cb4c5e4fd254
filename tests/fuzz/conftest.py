"""Hypothesis profiles for the form fuzz. CI uses "ci": derandomized, so every run tries the same inputs.

HYPOTHESIS_PROFILE=thorough runs many more examples (by hand, e.g. after a form changed).
"""

import os

from hypothesis import HealthCheck, settings

from tests.sweep.conftest import world  # noqa: F401  (the same world of branches A, B, C)

_COMMON = {
    "deadline": None,
    "database": None,  # no example database on disk: a run depends on nothing but the code
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    "print_blob": True,
}
settings.register_profile("ci", derandomize=True, max_examples=30, **_COMMON)
settings.register_profile("thorough", max_examples=500, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
