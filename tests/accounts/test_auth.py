"""Login, logout, password change, home page, session lifetimes and deactivation."""

import time

import pytest
from django.contrib.sessions.models import Session

from branch_courier.accounts.middleware import SEEN_KEY, STARTED_KEY
from branch_courier.accounts.services import user_deactivate

pytestmark = pytest.mark.django_db


def test_anonymous_home_redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_login_lands_on_home_showing_user_and_branch(client, alice, password):
    response = client.post("/accounts/login/", {"username": "alice", "password": password}, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "alice" in body
    assert "AAA01" in body and "Alpha Central" in body
    assert "Clerk" in body


def test_wrong_password_shows_a_form_error(client, alice):
    response = client.post("/accounts/login/", {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_logout_needs_post(alice_client):
    assert alice_client.get("/accounts/logout/").status_code == 405
    response = alice_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert alice_client.get("/").status_code == 302


def test_logout_without_csrf_token_is_refused(alice, password):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post("/accounts/logout/")
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()


def test_password_change(alice_client, alice, password):
    response = alice_client.post(
        "/accounts/password/",
        {
            "old_password": password,
            "new_password1": "brand-new-Pass-42",
            "new_password2": "brand-new-Pass-42",
        },
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("brand-new-Pass-42")


def test_password_change_shows_field_errors(alice_client):
    response = alice_client.post(
        "/accounts/password/", {"old_password": "wrong", "new_password1": "a", "new_password2": "b"}
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()


def test_idle_session_ends(client, alice, password, settings):
    client.post("/accounts/login/", {"username": "alice", "password": password})
    assert client.get("/").status_code == 200
    session = client.session
    session[SEEN_KEY] = int(time.time()) - int(settings.SESSION_IDLE_TIMEOUT.total_seconds()) - 5
    session.save()
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/").status_code == 302


def test_session_ends_after_its_absolute_lifetime_even_when_active(client, alice, password, settings):
    client.post("/accounts/login/", {"username": "alice", "password": password})
    session = client.session
    session[STARTED_KEY] = int(time.time()) - int(settings.SESSION_ABSOLUTE_LIFETIME.total_seconds()) - 5
    session[SEEN_KEY] = int(time.time())
    session.save()
    assert client.get("/").status_code == 302


def test_deactivated_users_session_ends(client, alice, password):
    client.post("/accounts/login/", {"username": "alice", "password": password})
    assert client.get("/").status_code == 200
    assert Session.objects.count() == 1
    ended = user_deactivate(user=alice)
    assert ended == 1
    assert Session.objects.count() == 0
    assert client.get("/").status_code == 302


def test_deactivating_in_admin_ends_sessions(client, alice, password, django_user_model):
    from django.test import Client

    client.post("/accounts/login/", {"username": "alice", "password": password})
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "root-pass-123456")
    admin_client = Client()
    admin_client.force_login(admin)
    response = admin_client.post(
        "/admin/accounts/user/", {"action": "deactivate", "_selected_action": [alice.pk]}
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert not alice.is_active
    assert client.get("/").status_code == 302


def test_home_page_query_count_is_bounded(alice_client, django_assert_max_num_queries):
    # The home page of a clerk is the branch dashboard (issue 3): at most 12 queries per page, plus
    # the inquiries panel (issue 5): one aggregate, and on SQLite (no percentile_cont) one more query for
    # the median once inquiries were resolved in the last 30 days.
    with django_assert_max_num_queries(13):
        assert alice_client.get("/").status_code == 200


@pytest.mark.django_db
def test_it_refuses_an_over_long_username_with_a_form_error(client, alice, password):
    # Found by the form fuzz: 300 characters went on to django-axes' varchar(255) → 500 on PostgreSQL.
    response = client.post("/accounts/login/", {"username": "x" * 300, "password": password})
    assert response.status_code == 200
    assert "at most 150 characters" in response.content.decode()
    assert "_auth_user_id" not in client.session
