"""The shared display filters and the top bar's links."""

from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from branch_courier.core.context_processors import NAV, nav_urls
from branch_courier.core.templatetags.display import stamp


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Kolkata"])
def test_stamp_reads_like_the_date_filter_in_the_current_time_zone(zone):
    moment = datetime(2026, 12, 4, 23, 45, 12, tzinfo=UTC)
    with timezone.override(zone):
        expected = Template('{{ moment|date:"Y-m-d H:i" }}').render(Context({"moment": moment}))
        assert stamp(moment) == expected


def test_stamp_of_nothing_is_empty_and_of_a_naive_moment_is_as_given():
    assert stamp(None) == ""
    assert stamp(datetime(2026, 1, 2, 3, 4)) == "2026-01-02 03:04"


def test_the_top_bar_links_are_the_named_urls():
    assert nav_urls() == {key: reverse(name) for key, name in NAV.items()}


@pytest.mark.django_db
def test_the_top_bar_shows_the_links_a_clerk_may_follow(alice_client):
    body = alice_client.get("/").content.decode()
    clerk_links = ("home", "packages", "inquiries", "intake", "scan", "manifests", "handover", "drawer")
    for key in (*clerk_links, "password"):
        assert f'href="{nav_urls()[key]}"' in body, key
    assert f'action="{nav_urls()["logout"]}"' in body
    assert f'href="{nav_urls()["admin"]}"' not in body  # clerks are not staff


@pytest.mark.django_db
def test_the_top_bar_names_the_user_and_signs_out_with_a_csrf_token(alice_client, alice):
    body = alice_client.get("/").content.decode()
    assert f'<span class="who">{alice.get_full_name() or alice.username}</span>' in body
    assert f'<span class="badge" title="{alice.branch.name}">{alice.branch.code}</span>' in body
    assert '<span class="role">Clerk</span>' in body
    logout_form = body.split(f'action="{nav_urls()["logout"]}"', 1)[1].split("</form>", 1)[0]
    assert 'name="csrfmiddlewaretoken" value="' in logout_form
    assert f'href="{nav_urls()["audit"]}"' not in body  # the audited do not read the trail


@pytest.mark.django_db
def test_an_auditor_without_a_branch_sees_the_audit_trail_and_no_counter_links(client, auditor):
    client.force_login(auditor)
    body = client.get("/").content.decode()
    assert f'href="{nav_urls()["audit"]}"' in body
    for key in ("packages", "intake", "scan", "drawer"):
        assert f'href="{nav_urls()[key]}"' not in body, key
    assert "not attached to a branch" in body and 'class="badge"' not in body


@pytest.mark.django_db
def test_a_signed_out_page_has_no_top_bar_links_and_keeps_the_layout(client):
    body = client.get(reverse("accounts:login")).content.decode()
    assert 'class="mainnav"' not in body and "Sign out" not in body
    assert '<a class="skip-link" href="#main">' in body
    # The <head>, built once per process: the style sheet and both scripts, deferred.
    assert '<link rel="stylesheet" href="/static/css/app' in body
    assert body.count(" defer></script>") == 2
    assert "<title>Sign in · Branch Courier</title>" in body


def _logout_form(body: str) -> str:
    return body.split(f'action="{nav_urls()["logout"]}"', 1)[1].split("</form>", 1)[0]


@pytest.mark.django_db
def test_the_kept_top_bar_gets_each_pages_own_csrf_token(client, alice):
    """Two clerks share one kept drawing of the top bar; each page still has a token of its own."""
    from branch_courier.core.templatetags.layout import _topbar
    from tests.factories import UserFactory

    names = {"first_name": alice.first_name, "last_name": alice.last_name}
    twin = UserFactory(username="alice2", branch=alice.branch, **names)
    _topbar.cache_clear()
    tokens = set()
    for user in (alice, twin, alice):
        client.force_login(user)
        form = _logout_form(client.get("/").content.decode())
        tokens.add(form.split('value="', 1)[1].split('"', 1)[0])
    assert len(tokens) == 3 and all(len(token) == 64 for token in tokens)
    assert _topbar.cache_info().currsize == 1  # one drawing served all three pages


@pytest.mark.django_db
def test_the_top_bar_follows_a_change_to_the_user_on_the_next_page(alice_client, alice):
    assert '<span class="role">Clerk</span>' in alice_client.get("/").content.decode()
    alice.first_name, alice.last_name, alice.role = "Alicia", "<b>Bold</b>", "SUPERVISOR"
    alice.save()
    body = alice_client.get("/").content.decode()
    assert '<span class="who">Alicia &lt;b&gt;Bold&lt;/b&gt;</span>' in body
    assert '<span class="role">Supervisor</span>' in body and '<span class="role">Clerk</span>' not in body


@pytest.mark.django_db
def test_a_message_is_shown_once_in_the_layout(alice_client, password):
    new = "a-new-Courier-passphrase-42"
    form = {"old_password": password, "new_password1": new, "new_password2": new}
    response = alice_client.post(reverse("accounts:password_change"), form, follow=True)
    body = response.content.decode()
    assert '<ul class="messages" role="status">' in body
    assert '<li class="msg msg-success">Your password has been changed.</li>' in body
    assert "Your password has been changed." not in alice_client.get("/").content.decode()


def test_no_template_formats_a_moment_itself():
    # One place for how a moment reads ("2026-12-04 09:30", local time): the |stamp filter.
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    pages = root.rglob("*.html")
    assert [str(p.relative_to(root)) for p in pages if '|date:"Y-m-d H:i"' in p.read_text()] == []
