"""Customers fixtures: a clean cache per test (rate-limit counters and cached pages)."""

import pytest
from django.core.cache import cache

from tests.factories import PackageFactory


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def parcel(branch_a, branch_b, alice):
    """Taken in at A (alice) for B, with personal details that must never leak."""
    return PackageFactory(
        origin_branch=branch_a,
        destination_branch=branch_b,
        created_by=alice,
        sender_name="Sally Sender",
        sender_phone="+1 617 555 0142",
        sender_email="sally@example.com",
        sender_address="14 Secret Lane, Boston",
        recipient_name="Rita Recipient",
        recipient_phone="+1 212 555 0177",
        recipient_email="rita@example.com",
        recipient_address="77 Hidden Road, New York",
    )


PERSONAL = [
    "Sally Sender", "Rita Recipient", "617 555 0142", "212 555 0177", "6175550142", "2125550177",
    "sally@example.com", "rita@example.com", "Secret Lane", "Hidden Road",
]  # fmt: skip
