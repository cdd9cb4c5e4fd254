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


def test_a_series_is_looked_up_once_and_still_counts_every_request(alice_client):
    from django.urls import reverse

    from branch_courier.core.metrics_middleware import PrometheusAfterMiddleware

    labels = {"status": "200", "view": "packages:list", "method": "GET"}
    before = _sample("django_http_responses_total_by_status_view_method_total", **labels)
    for _ in range(3):
        assert alice_client.get(reverse("packages:list")).status_code == 200
    assert _sample("django_http_responses_total_by_status_view_method_total", **labels) == before + 3
    middleware = PrometheusAfterMiddleware(lambda request: None)
    metric = middleware.metrics.responses_by_status_view_method
    first = middleware._labelled(metric, **labels)
    assert middleware._labelled(metric, **labels) is first
    assert middleware._labelled(metric, **{**labels, "status": "404"}) is not first


def test_an_unknown_method_is_timed_under_one_label_not_its_own(client):
    # Each raw method would be a new series (and a new kept entry): a client could grow both.
    name = "django_http_requests_latency_seconds_by_view_method_count"
    before = _sample(name, view="<unnamed view>", method="<invalid method>")
    for method in ("BREW", "WHEN"):
        client.generic(method, "/no-such-page/")
        assert _sample(name, view="<unnamed view>", method=method) == 0
    assert _sample(name, view="<unnamed view>", method="<invalid method>") == before + 2
