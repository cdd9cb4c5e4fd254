"""The per-request metrics the alerts and the dashboard read are still counted, by view."""

import pytest
from prometheus_client import REGISTRY

pytestmark = pytest.mark.django_db


def _sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_page_is_counted_by_status_view_and_method_and_timed_by_view(alice_client):
    by_status = {"status": "200", "view": "packages:list", "method": "GET"}
    timed = {"view": "packages:list", "method": "GET"}
    counted = _sample("django_http_responses_total_by_status_view_method_total", **by_status)
    observed = _sample("django_http_requests_latency_seconds_by_view_method_count", **timed)
    requests = _sample("django_http_requests_total_by_method_total", method="GET")
    assert alice_client.get("/packages/").status_code == 200
    assert _sample("django_http_responses_total_by_status_view_method_total", **by_status) == counted + 1
    assert _sample("django_http_requests_latency_seconds_by_view_method_count", **timed) == observed + 1
    assert _sample("django_http_requests_total_by_method_total", method="GET") == requests + 1


def test_a_missing_page_is_counted_with_its_status(alice_client):
    labels = {"status": "404", "view": "packages:detail", "method": "GET"}
    before = _sample("django_http_responses_total_by_status_view_method_total", **labels)
    assert alice_client.get("/packages/RB000000000US/").status_code == 404
    assert _sample("django_http_responses_total_by_status_view_method_total", **labels) == before + 1
