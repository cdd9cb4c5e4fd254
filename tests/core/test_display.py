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


def test_no_template_formats_a_moment_itself():
    # One place for how a moment reads ("2026-12-04 09:30", local time): the |stamp filter.
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    pages = root.rglob("*.html")
    assert [str(p.relative_to(root)) for p in pages if '|date:"Y-m-d H:i"' in p.read_text()] == []
