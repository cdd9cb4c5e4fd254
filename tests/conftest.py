"""Shared fixtures: two branches and their staff (alice and bob at A, charlie at B)."""

import socket

import pytest
from django.db import connection

from tests.factories import PASSWORD, BranchFactory, UserFactory


def pytest_collection_modifyitems(config, items):
    # PostgreSQL-only tests carry @pytest.mark.postgres; the SQLite run deselects them with -m.
    for item in items:
        if "e2e" in item.nodeid.split("/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def branch_a(db):
    return BranchFactory(code="AAA01", name="Alpha Central", city="Alphaville")


@pytest.fixture
def branch_b(db):
    return BranchFactory(code="BBB01", name="Bravo North", city="Bravotown")


@pytest.fixture
def alice(branch_a):
    """A clerk at branch A."""
    return UserFactory(username="alice", branch=branch_a, role="CLERK")


@pytest.fixture
def bob(branch_a):
    """A supervisor at branch A."""
    return UserFactory(username="bob", branch=branch_a, role="SUPERVISOR")


@pytest.fixture
def charlie(branch_b):
    """A clerk at branch B: the outsider for branch A's objects."""
    return UserFactory(username="charlie", branch=branch_b, role="CLERK")


@pytest.fixture
def auditor(db):
    return UserFactory(username="audrey", branch=None, role="AUDITOR")


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def closed_port():
    """A loopback port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def on_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture
def partner_stub():
    """A stub partner service on 127.0.0.1 (tests/partner_stub.py)."""
    from tests.partner_stub import PartnerStub

    with PartnerStub() as stub:
        yield stub


def pytest_terminal_summary(terminalreporter):
    """The CI log's counts of the URL sweep and the form fuzz (issue 9), when they ran."""
    import sys

    sweep = getattr(sys.modules.get("tests.sweep.test_url_sweep"), "SWEEP_COUNTS", None)
    fuzz = getattr(sys.modules.get("tests.fuzz.test_form_fuzz"), "FUZZ_COUNTS", None)
    if sweep:
        terminalreporter.write_line(
            f"URL sweep: {sweep['object patterns']} object patterns × methods = "
            f"{sweep['object pattern x method']} checks (owner, other branch, anonymous); "
            f"{sweep['plain patterns']} plain patterns × methods = {sweep['plain pattern x method']} "
            "anonymous checks"
        )
    if fuzz:
        terminalreporter.write_line(
            f"Form fuzz: {fuzz['forms']} forms, {fuzz['examples']} examples "
            f"({fuzz['accepted']} accepted, the rest rejected)"
        )
