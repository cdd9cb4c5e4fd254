"""A failed session save after the view committed does not turn the response into an error."""

import contextlib
import logging

import pytest
from django.db import connection

from packages_app.models import Package

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def session_updates_fail():
    """Make the database itself reject every UPDATE of a session row (a real DB error)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION test_session_update_fails() RETURNS trigger LANGUAGE plpgsql AS $$ "
                "BEGIN RAISE EXCEPTION 'simulated outage'; END $$"
            )
            cursor.execute(
                "CREATE TRIGGER test_session_update_fails BEFORE UPDATE ON django_session "
                "FOR EACH ROW EXECUTE FUNCTION test_session_update_fails()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER test_session_update_fails BEFORE UPDATE ON django_session "
                "BEGIN SELECT RAISE(ABORT, 'simulated outage'); END"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("DROP TRIGGER test_session_update_fails ON django_session")
                cursor.execute("DROP FUNCTION test_session_update_fails()")
            else:
                cursor.execute("DROP TRIGGER test_session_update_fails")


def test_a_committed_change_answers_normally_when_the_session_cannot_be_saved(
    client, alice, password, caplog
):
    client.post("/accounts/login/", {"username": "alice", "password": password})
    assert client.get("/").status_code == 200
    with session_updates_fail(), caplog.at_level(logging.WARNING, logger="branch_courier.sessions"):
        # Changing the password commits, then updates the session (new auth hash + a message).
        response = client.post(
            "/accounts/password/",
            {
                "old_password": password,
                "new_password1": "Another-pass-9876",
                "new_password2": "Another-pass-9876",
            },
        )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("Another-pass-9876")  # the change itself was committed
    assert any(r.getMessage() == "session save failed; response sent without it" for r in caplog.records)
    assert Package.objects.count() == 0
