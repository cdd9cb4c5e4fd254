"""A signed-in page reads its session and its user in one round trip; the session still decides."""

import pytest
from django.core.cache import cache
from django.test import Client

from branch_courier.accounts import session_store, user_cache

pytestmark = pytest.mark.django_db


def _session_key(client) -> str:
    return client.session.session_key


def test_the_process_remembers_whose_session_it_served(cache_on, alice_client, alice):
    response = alice_client.get("/")
    assert response.status_code == 200
    assert session_store._users_of_sessions[_session_key(alice_client)] == alice.pk
    assert user_cache.prefetched() is None  # nothing left over for the next request on this thread


@pytest.mark.postgres  # the PostgreSQL run is the one with Redis as the cache
def test_the_session_and_its_user_are_one_round_trip(cache_on, alice_client, alice, monkeypatch):
    from redis.connection import AbstractConnection

    assert hasattr(cache, "client"), "the PostgreSQL run needs REDIS_URL"
    alice_client.get("/")  # remembered, and the user entry cached
    sent = []
    real_send = AbstractConnection.send_packed_command

    def counting_send(self, command, check_health=True):  # a spy: the real send still happens
        sent.append(b"".join(command) if isinstance(command, list) else command)
        return real_send(self, command, check_health)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counting_send)
    assert alice_client.get("/").status_code == 200
    monkeypatch.undo()
    user_key = user_cache.cache_key(alice.pk).encode()
    with_user = [c for c in sent if user_key in c]
    assert len(with_user) == 1 and _session_key(alice_client).encode() in with_user[0], sent


def test_a_change_to_the_user_shows_on_the_next_page(cache_on, alice_client, alice):
    assert alice_client.get("/").status_code == 200
    assert alice_client.get("/").wsgi_request.user == alice  # the one-round-trip path
    alice.is_active = False
    alice.save()  # drops the cached entry, as before
    response = alice_client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_wrong_remembered_user_is_not_used(cache_on, alice_client, alice, bob):
    bob_client = Client()  # (alice_client is the `client` fixture, signed in as alice)
    bob_client.force_login(bob)
    assert bob_client.get("/").wsgi_request.user == bob  # bob's entry is in the cache now
    alice_client.get("/")
    session_store.remember(_session_key(alice_client), bob.pk)  # as if the process had it wrong
    response = alice_client.get("/")
    assert response.wsgi_request.user == alice and response.wsgi_request.user.pk == alice.pk
    assert session_store._users_of_sessions[_session_key(alice_client)] == alice.pk


def test_a_signed_out_session_reads_no_user(cache_on, alice_client, alice):
    alice_client.get("/")
    key = _session_key(alice_client)
    alice_client.post("/accounts/logout/")
    assert session_store._users_of_sessions.get(key) == alice.pk  # still remembered, harmlessly
    alice_client.cookies["sessionid"] = key  # the old cookie sent again
    response = alice_client.get("/")
    assert response.status_code == 302 and not response.wsgi_request.user.is_authenticated
