"""The login backend loads the signed-in user together with their branch."""

import pytest

from branch_courier.accounts.backends import BranchUserBackend

pytestmark = pytest.mark.django_db


def test_user_and_branch_come_in_one_query(alice, django_assert_num_queries):
    with django_assert_num_queries(1):
        user = BranchUserBackend().get_user(alice.pk)
        assert user.branch.code == alice.branch.code


def test_inactive_or_missing_users_are_not_signed_in(alice):
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    assert BranchUserBackend().get_user(alice.pk) is None
    assert BranchUserBackend().get_user(10**9) is None


def test_a_signed_in_page_reads_the_user_and_branch_once(alice_client):
    # The top bar shows the branch code and the views scope by it: it came with the user.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert alice_client.get("/").status_code == 200
    branch_reads = [q for q in queries.captured_queries if 'FROM "accounts_branch"' in q["sql"]]
    assert branch_reads == []


def test_the_request_carries_the_user_itself_not_a_lazy_proxy(alice_client, alice, client):
    # accounts.middleware.SignedInUserMiddleware: templates read {{ user.x }} without the proxy.
    from django.contrib.auth.models import AnonymousUser

    from branch_courier.accounts.models import User

    response = alice_client.get("/")
    assert type(response.wsgi_request.user) is User and response.wsgi_request.user.pk == alice.pk
    assert type(response.context["user"]) is User
    alice_client.logout()
    assert type(client.get("/accounts/login/").wsgi_request.user) is AnonymousUser
