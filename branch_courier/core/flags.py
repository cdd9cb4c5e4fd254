"""Feature flags from the environment (the ops guide's ENABLE_* names)."""

from django.conf import settings


def real_time_tracking() -> bool:
    return settings.ENABLE_REAL_TIME_TRACKING


def advanced_analytics() -> bool:
    return settings.ENABLE_ADVANCED_ANALYTICS


def experimental_features() -> bool:
    return settings.ENABLE_EXPERIMENTAL_FEATURES
