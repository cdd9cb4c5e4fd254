"""django-prometheus's per-request metrics, less the ones nothing reads.

Its after-middleware updated eleven series and three histograms on every request. The alerts, the
Grafana dashboard and the runbooks (deploy/prometheus, deploy/grafana, docs/) read the requests
and responses by view, method and status and the latency by view; this keeps those, with the same
names and labels, plus the request and response totals and streaming responses. What it no longer
updates (they stay registered, at zero): django_http_requests_body_total_bytes and
django_http_responses_body_total_bytes (two histograms), django_http_requests_total_by_transport,
django_http_ajax_requests_total, django_http_responses_total_by_templatename and
django_http_responses_total_by_charset.
"""

from django_prometheus.middleware import PrometheusAfterMiddleware as _Full
from django_prometheus.utils import Time, TimeSince


class PrometheusAfterMiddleware(_Full):
    def process_request(self, request):
        self.metrics.requests_by_method.labels(method=self._method(request)).inc()
        request.prometheus_after_middleware_event = Time()

    def process_template_response(self, request, response):
        return response

    def process_response(self, request, response):
        method = self._method(request)
        view = self._get_view_name(request)
        status = str(response.status_code)
        self.metrics.responses_by_status.labels(status=status).inc()
        self.metrics.responses_by_status_view_method.labels(status=status, view=view, method=method).inc()
        if getattr(response, "streaming", False):
            self.metrics.responses_streaming.inc()
        started = getattr(request, "prometheus_after_middleware_event", None)
        if started is None:
            self.metrics.requests_unknown_latency.inc()
        else:
            self.metrics.requests_latency_by_view_method.labels(view=view, method=request.method).observe(
                TimeSince(started)
            )
        return response
