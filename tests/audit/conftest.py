"""Helpers for audit tests: a real database failure on insert into the audit table."""

import contextlib

import pytest
from django.db import connection

from audit.models import AuditLog

TABLE = AuditLog._meta.db_table


@contextlib.contextmanager
def audit_inserts_fail():
    """Make the database itself reject every INSERT into the audit table (a real DB error)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION test_audit_insert_fails() RETURNS trigger LANGUAGE plpgsql AS $$ "
                "BEGIN RAISE EXCEPTION 'simulated disk full'; END $$"
            )
            cursor.execute(
                f"CREATE TRIGGER test_audit_insert_fails BEFORE INSERT ON {TABLE} "
                "FOR EACH ROW EXECUTE FUNCTION test_audit_insert_fails()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER test_audit_insert_fails BEFORE INSERT ON {TABLE} "
                "BEGIN SELECT RAISE(ABORT, 'simulated disk full'); END"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                f"DROP TRIGGER test_audit_insert_fails ON {TABLE}"
                if connection.vendor == "postgresql"
                else "DROP TRIGGER test_audit_insert_fails"
            )
            if connection.vendor == "postgresql":
                cursor.execute("DROP FUNCTION test_audit_insert_fails()")


@pytest.fixture
def failing_audit_inserts(db):
    with audit_inserts_fail():
        yield
