"""The signed-in user and branch come from the cache, and any change to them shows on the next page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from branch_courier.accounts import user_cache

pytestmark = pytest.mark.django_db


def _user_reads(client, url="/") -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    reads = [q for q in queries.captured_queries if 'FROM "accounts_user"' in q["sql"]]
    return len(reads), response


def test_the_second_page_reads_no_user_or_branch_row(cache_on, alice_client):
    assert _user_reads(alice_client)[0] == 1
    reads, response = _user_reads(alice_client)
    assert reads == 0 and response.status_code == 200
    assert "AAA01" in response.content.decode()  # the branch came with the cached user


def test_with_the_cache_off_every_page_reads_the_user(settings, alice_client):
    settings.AUTH_USER_CACHE_SECONDS = 0
    assert _user_reads(alice_client)[0] == 1
    assert _user_reads(alice_client)[0] == 1


def test_a_user_deactivated_by_a_save_is_signed_out_on_the_next_page(cache_on, alice_client, alice):
    assert alice_client.get("/").status_code == 200  # cached now
    alice.is_active = False
    alice.save()  # as the admin does; the sessions stay, the cache must not let them in
    response = alice_client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_user_deactivate_drops_the_cached_user(cache_on, alice, bob):
    from django.core.cache import cache

    from branch_courier.accounts.backends import BranchUserBackend
    from branch_courier.accounts.services import user_deactivate

    assert BranchUserBackend().get_user(alice.pk) is not None
    assert cache.get(user_cache.cache_key(alice.pk)) is not None
    user_deactivate(user=alice, actor=bob)  # an UPDATE: no post_save signal
    assert cache.get(user_cache.cache_key(alice.pk)) is None
    assert BranchUserBackend().get_user(alice.pk) is None


def test_a_password_changed_elsewhere_signs_this_session_out(cache_on, alice_client, alice):
    assert alice_client.get("/").status_code == 200
    alice.set_password("changed-elsewhere-Pass-7")
    alice.save()
    assert alice_client.get("/").status_code == 302


def test_a_new_role_shows_on_the_next_page(cache_on, alice_client, alice):
    assert "New package" in alice_client.get("/").content.decode()  # a clerk's dashboard
    alice.role = "AUDITOR"
    alice.save()
    assert "New package" not in alice_client.get("/").content.decode()


def test_a_renamed_branch_shows_on_the_next_page(cache_on, alice_client, branch_a):
    assert "Alpha Central" in alice_client.get("/").content.decode()
    branch_a.name = "Alpha Riverside"
    branch_a.save()
    assert "Alpha Riverside" in alice_client.get("/").content.decode()


def test_a_change_inside_a_transaction_is_dropped_again_at_commit(
    cache_on, alice, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    from branch_courier.accounts.backends import BranchUserBackend

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        alice.first_name = "Alicia"
        alice.save()
        # A page read between the save and the commit caches the row it sees ...
        BranchUserBackend().get_user(alice.pk)
        assert cache.get(user_cache.cache_key(alice.pk)) is not None
    # ... and the commit drops it.
    assert callbacks and cache.get(user_cache.cache_key(alice.pk)) is None
