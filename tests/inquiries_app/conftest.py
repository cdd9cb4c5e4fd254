"""Packages and inquiries at branch A (alice the clerk, bob the supervisor) and B (charlie)."""

from decimal import Decimal

import pytest

from inquiries_app import services
from tests.factories import BranchFactory, ensure_tariff, make_package


def ensure_sla_policies():
    """The default SLA hours rows (migration data is gone after a transactional test flushed them)."""
    from inquiries_app.models import SlaPolicy
    from inquiries_app.sla import DEFAULT_HOURS

    for priority, hours in DEFAULT_HOURS.items():
        SlaPolicy.objects.get_or_create(priority=priority, defaults={"hours": hours})


@pytest.fixture(autouse=True)
def migration_data(request):
    if request.node.get_closest_marker("django_db") or "db" in request.fixturenames:
        ensure_tariff()
        ensure_sla_policies()


def make_inquiry(*, actor, **kwargs):
    fields = {
        "customer_name": "Casey Customer",
        "customer_phone": "+1 617 555 0111",
        "category": "DELAY",
        "description": "Where is my parcel?",
        **kwargs,
    }
    return services.inquiry_create(actor=actor, **fields)


@pytest.fixture
def package_a(alice, branch_b):
    """Taken in at A (alice's branch), declared value 100.00."""
    return make_package(actor=alice, destination=branch_b)


@pytest.fixture
def package_b(charlie, branch_a):
    """Taken in at B by charlie, heading for A: A may look it up (incoming)."""
    return make_package(actor=charlie, destination=branch_a)


@pytest.fixture
def package_elsewhere(charlie):
    """Between B and C: nothing to do with A."""
    return make_package(actor=charlie, destination=BranchFactory(code="CCC01", name="Charlie Hub"))


@pytest.fixture
def inquiry(alice):
    return make_inquiry(actor=alice)


@pytest.fixture
def claim_inquiry(alice, package_a):
    return make_inquiry(
        actor=alice,
        category="DAMAGE",
        tracking_number=package_a.tracking_number,
        claim_amount=Decimal("80.00"),
    )


@pytest.fixture
def inquiry_b(charlie):
    return make_inquiry(actor=charlie, customer_name="Bea Bravo")
