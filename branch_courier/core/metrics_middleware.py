"""django-prometheus's per-request metrics, less the ones nothing reads.

Its after-middleware updated eleven series and three histograms on every request. The alerts, the
Grafana dashboard and the runbooks (deploy/prometheus, deploy/grafana, docs/) read the requests
and responses by view, method and status and the latency by view; this keeps those, with the same
names and labels, plus the request and response totals and streaming responses. What it no longer
updates (they stay registered, at zero): django_http_requests_body_total_bytes and
django_http_responses_body_total_bytes (two histograms), django_http_requests_total_by_transport,
django_http_ajax_requests_total, django_http_responses_total_by_templatename and
django_http_responses_total_by_charset.

The labelled series each request updates are kept per middleware instance: prometheus_client's
labels() checks the names and takes a lock on every call, and there are few series (views x
methods x statuses).
"""

from django_prometheus.middleware import PrometheusAfterMiddleware as _Full
from django_prometheus.utils import Time, TimeSince


class PrometheusAfterMiddleware(_Full):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._series = {}

    def _labelled(self, metric, **labels):
        """metric.labels(**labels), looked up once per process and label values."""
        key = (metric, *labels.values())  # each call site passes its labels in one order
        series = self._series.get(key)
        if series is None:
            series = self._series[key] = metric.labels(**labels)
        return series

    def process_request(self, request):
        self._labelled(self.metrics.requests_by_method, method=self._method(request)).inc()
        request.prometheus_after_middleware_event = Time()

    def process_view(self, request, view_func, *view_args, **view_kwargs):
        match = getattr(request, "resolver_match", None)
        if match is not None:
            self._labelled(
                self.metrics.requests_by_view_transport_method,
                view=match.view_name or "<unnamed view>",
                transport=self._transport(request),
                method=self._method(request),
            ).inc()

    def process_template_response(self, request, response):
        return response

    def process_response(self, request, response):
        method = self._method(request)
        view = self._get_view_name(request)
        status = str(response.status_code)
        self._labelled(self.metrics.responses_by_status, status=status).inc()
        by_status_view = self.metrics.responses_by_status_view_method
        self._labelled(by_status_view, status=status, view=view, method=method).inc()
        if getattr(response, "streaming", False):
            self.metrics.responses_streaming.inc()
        started = getattr(request, "prometheus_after_middleware_event", None)
        if started is None:
            self.metrics.requests_unknown_latency.inc()
        else:
            self._labelled(self.metrics.requests_latency_by_view_method, view=view, method=method).observe(
                TimeSince(started)
            )
        return response
