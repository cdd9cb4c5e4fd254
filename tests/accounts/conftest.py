"""Fixtures for the accounts tests."""

import pytest

from branch_courier.accounts import user_cache


@pytest.fixture
def cache_on(settings, alice, bob):
    """The cache as in production (the test settings turn it off: test databases reuse ids)."""
    settings.AUTH_USER_CACHE_SECONDS = 60
    user_cache.forget([alice.pk, bob.pk])
    yield
    user_cache.forget([alice.pk, bob.pk])
