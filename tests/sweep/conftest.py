"""The world of the sweep: branches A, B, C and their staff, objects made through the services."""

import pytest

from tests.sweep.world import build_world


@pytest.fixture
def world(branch_a, branch_b, alice, bob, charlie):
    return build_world(branch_a=branch_a, branch_b=branch_b, alice=alice, bob=bob, charlie=charlie)
