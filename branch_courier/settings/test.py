"""Test settings: the base settings with fast hashing and plain static storage."""

from branch_courier.settings.base import *  # noqa: F403
from branch_courier.settings.base import CACHES, STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# Each run gets its own key space so parallel runs on one Redis do not see each other's keys.
CACHES["default"]["KEY_PREFIX"] = f"test-{CACHES['default']['KEY_PREFIX']}"
# Tests build rows with factories as well as services: dashboards count them at once. The cache
# itself is tested with this set back (tests/core/test_branch_figures.py).
BRANCH_FIGURES_CACHE_SECONDS = 0
# Test databases reuse user ids (SQLite after a rollback, a new PostgreSQL test database from 1),
# so a user cached by one test could be read by the next. The cache has its own tests, with it on
# (tests/accounts/test_user_cache.py).
AUTH_USER_CACHE_SECONDS = 0
# Tests read the page-view row right after the request: written at once. The batching has its own
# tests, with it on (tests/audit/test_page_views.py).
AUDIT_PAGE_VIEW_FLUSH_SECONDS = 0
# As the dashboard figures: off, so factory-built rows show at once; tests/core/test_branch_pages.py
# turns it on.
BRANCH_PAGE_CACHE_SECONDS = 0
# As the dashboard figures: tests build and roll back branches without a save signal on rollback.
# tests/packages_app/test_open_branches.py turns it on.
OPEN_BRANCHES_CACHE_SECONDS = 0
