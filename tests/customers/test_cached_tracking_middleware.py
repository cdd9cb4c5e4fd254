"""customers.middleware: a cached public tracking hit sent before sessions, auth and audit.

The answer must be the one the whole stack gives (same body, same headers), counted once by the
rate limit and once in the per-view metrics; everything that is not a cached 200 goes to the view.
"""

import pytest
from django.core.cache import cache
from prometheus_client import REGISTRY

from audit.models import AuditLog
from packages_app import s10

pytestmark = pytest.mark.django_db

# Set per response whatever the path: compared by presence only.
PER_RESPONSE = {"X-Request-ID"}


def _headers(response) -> dict[str, str]:
    headers = {k: (v if k not in PER_RESPONSE else "*") for k, v in response.headers.items()}
    # Down the stack the idle-timeout middleware reads every request's (empty) session, so the
    # session middleware adds Cookie to Vary. The answer does not depend on a cookie; the hit
    # does not say it does.
    vary = [v.strip() for v in headers.pop("Vary", "").split(",") if v.strip() not in ("", "Cookie")]
    return {**headers, "Vary": ", ".join(vary)}


def _by_view(view: str, status: str = "200") -> float:
    labels = {"status": status, "view": view, "method": "GET"}
    return REGISTRY.get_sample_value("django_http_responses_total_by_status_view_method_total", labels) or 0.0


@pytest.mark.parametrize(
    ("url", "extra"),
    [
        ("/track/{n}", {}),
        ("/track/{n}", {"HTTP_HX_REQUEST": "true"}),
        ("/api/v1/track/{n}", {}),
    ],
)
def test_a_cached_hit_is_the_whole_stacks_answer_without_the_session(client, parcel, url, extra):
    url = url.format(n=parcel.tracking_number)
    cache.clear()
    miss = client.get(url, **extra)
    hit = client.get(url, **extra)
    assert miss.status_code == hit.status_code == 200
    # The miss went down the stack (the session middleware ran); the hit did not.
    assert hasattr(miss.wsgi_request, "session")
    assert not hasattr(hit.wsgi_request, "session")
    assert hit.content == miss.content
    assert _headers(hit) == _headers(miss)
    for header in ("Content-Security-Policy", "X-Frame-Options", "Permissions-Policy", "Content-Length"):
        assert header in hit.headers, header


def test_a_hit_is_counted_in_the_per_view_metrics(client, parcel):
    url = f"/track/{parcel.tracking_number}"
    client.get(url)  # fills the cache
    before = _by_view("customers:track")
    assert not hasattr(client.get(url).wsgi_request, "session")
    assert _by_view("customers:track") == before + 1


def test_a_miss_is_counted_once_by_the_rate_limit(client, parcel, settings):
    settings.TRACK_RATE_LIMIT = "2/m"
    url = f"/api/v1/track/{parcel.tracking_number}"
    cache.clear()
    assert client.get(url).status_code == 200  # a miss: middleware and view, one count
    assert client.get(url).status_code == 200  # a hit
    over = client.get(url)
    assert over.status_code == 429 and over.json()["error"] == "rate_limited"


def test_what_is_not_a_cached_200_goes_to_the_view(client, parcel, django_assert_num_queries):
    bad = parcel.tracking_number[:10] + str((int(parcel.tracking_number[10]) + 1) % 10) + "US"
    assert client.get(f"/track/{bad}").status_code == 400
    unknown = f"/api/v1/track/{s10.build(99_999_990)}"
    with django_assert_num_queries(1):
        assert client.get(unknown).status_code == 404
    # An unknown number is cached as missing: the second ask runs no query and is still a 404.
    with django_assert_num_queries(0):
        response = client.get(unknown)
    assert response.status_code == 404 and response.json()["error"] == "not_found"
    assert client.get("/track/").status_code == 200
    assert client.head(f"/track/{parcel.tracking_number}").status_code == 405


def test_a_signed_in_clerk_gets_the_public_answer_and_no_audit_row(client, parcel, alice):
    url = f"/track/{parcel.tracking_number}"
    client.get(url)  # fills the cache
    client.force_login(alice)
    before = AuditLog.objects.count()
    response = client.get(url)
    assert response.status_code == 200 and "Sign out" not in response.content.decode()
    assert "Set-Cookie" not in response.headers
    assert AuditLog.objects.count() == before
