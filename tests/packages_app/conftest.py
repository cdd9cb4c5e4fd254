"""Packages at branch A (alice's), B (charlie's) and in transit between them."""

import contextlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import BranchFactory, PackageFactory, ensure_tariff


@pytest.fixture(autouse=True)
def starter_tariff(request):
    # Migration data is gone after any transactional test has flushed the tables.
    if request.node.get_closest_marker("django_db"):
        ensure_tariff()


@pytest.fixture
def branch_c(db):
    return BranchFactory(code="CCC01", name="Charlie Hub", city="Hubtown")


@pytest.fixture
def package_a(branch_a, branch_b, alice):
    """Taken in at A, heading for B, still at A."""
    return PackageFactory(origin_branch=branch_a, destination_branch=branch_b, created_by=alice)


@pytest.fixture
def package_b(branch_a, branch_b, charlie):
    """Taken in at B for A, still at B: A may only look it up (incoming)."""
    return PackageFactory(origin_branch=branch_b, destination_branch=branch_a, created_by=charlie)


@pytest.fixture
def package_elsewhere(branch_b, branch_c):
    """Between B and C: nothing to do with A."""
    return PackageFactory(origin_branch=branch_b, destination_branch=branch_c)


@pytest.fixture
def assert_max_statements():
    """Like django_assert_max_num_queries, but not counting the SAVEPOINT / RELEASE pairs that
    atomic() issues only because the test itself runs inside a transaction (in production those
    are BEGIN / COMMIT, which Django does not send as queries)."""

    @contextlib.contextmanager
    def check(limit):
        with CaptureQueriesContext(connection) as captured:
            yield captured
        statements = [
            q["sql"]
            for q in captured.captured_queries
            if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
        ]
        assert len(statements) <= limit, f"{len(statements)} statements:\n" + "\n".join(
            s[:150] for s in statements
        )

    return check


@pytest.fixture
def alice_drawer(alice):
    """Alice's cash drawer, open with a float: intake takes the fee into it."""
    from decimal import Decimal

    from packages_app.drawer import drawer_open

    return drawer_open(actor=alice, opening_float=Decimal("50.00"))
