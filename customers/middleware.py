"""A cached public tracking hit is answered before the session, CSRF, auth, messages and audit.

The public page and API are the same for every visitor and read nothing of the session (see
customers.views), yet on the way to the view a request walks ten middleware and the URL resolver:
about 40 % of a cached hit's time. Here, right after the probes, a GET of /track/<number> or
/api/v1/track/<number> is checked, counted and looked up in the cache (views.lookup, one Redis
round trip); a cached 200 is sent from here. Everything else (a miss, a mistyped number, a client
over the limit) goes on down the stack to the view, which reuses this count and read.

What the skipped middleware do to such a response is done here too, by their own code: the
Content-Security-Policy, X-Frame-Options and Content-Length headers, and the per-view metrics
(the view's name, status and latency; core/metrics_middleware.py). The tests compare the headers
with an answer that took the whole stack (tests/customers/test_cached_tracking_middleware.py).
"""

from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.urls import URLResolver, include, path
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern
from django_prometheus.utils import Time

from branch_courier.core.csp import StaticPolicyCSPMiddleware
from branch_courier.core.metrics_middleware import PrometheusAfterMiddleware
from customers import views

PUBLIC_PREFIXES = ("/track/", "/api/v1/track/")
# The public part of the URL map, as the root map includes it (branch_courier/urls.py): the same
# view names and arguments, without trying the eight app prefixes before it on every hit.
PUBLIC_URLS = URLResolver(RegexPattern(r"^/"), [path("", include("customers.urls"))])


def _unused(request):  # the middleware below are only asked for their response hooks
    raise AssertionError("not called")


class CachedTrackingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.metrics = PrometheusAfterMiddleware(_unused)
        # The response side of what this answer skips and that changes it, innermost first as the
        # stack runs them (MIDDLEWARE's order reversed); the metrics' hook runs before them.
        self.finishers = (
            StaticPolicyCSPMiddleware(_unused).process_response,
            XFrameOptionsMiddleware(_unused).process_response,
            CommonMiddleware(_unused).process_response,  # Content-Length
        )
        self.views = {views.track: False, views.track_api: True}  # the view → is it the API

    def __call__(self, request):
        if request.method != "GET" or not request.path_info.startswith(PUBLIC_PREFIXES):
            return self.get_response(request)
        try:
            match = PUBLIC_URLS.resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        api = self.views.get(match.func)
        if api is None:  # /track/ itself, the form
            return self.get_response(request)
        started = Time()
        found = views.lookup(request, match.kwargs["tracking"], api=api)
        response = views.cached_answer(found, api=api)
        if response is None:  # the view answers; the stack's own middleware count it
            return self.get_response(request)
        request.resolver_match = match
        self.metrics.process_request(request)
        request.prometheus_after_middleware_event = started  # the latency includes the lookup
        self.metrics.process_view(request, match.func, match.args, match.kwargs)
        response = self.metrics.process_response(request, response)
        for finish in self.finishers:
            response = finish(request, response)
        return response
