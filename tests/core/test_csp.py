"""The CSP header built once per process is the header django-csp would have written."""

import pytest
from csp.constants import HEADER, NONCE, SELF
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from branch_courier.core.csp import StaticPolicyCSPMiddleware


def run(middleware_class, response=None, *, nonce=False):
    request = RequestFactory().get("/packages/")
    response = response or HttpResponse("ok")

    def view(request):
        if nonce:
            str(request.csp_nonce)  # a template asking for a nonce
        return response

    return request, middleware_class(view)(request)


def test_the_static_header_is_django_csps_header():
    _, ours = run(StaticPolicyCSPMiddleware)
    _, theirs = run(CSPMiddleware)
    assert ours[HEADER] == theirs[HEADER]
    assert "default-src 'self'" in ours[HEADER] and "unsafe-inline" not in ours[HEADER]


def test_a_per_view_update_goes_through_django_csp():
    response = HttpResponse("ok")
    response._csp_update = {"img-src": ["https://maps.example"]}
    _, answered = run(StaticPolicyCSPMiddleware, response)
    assert "https://maps.example" in answered[HEADER]


def test_a_nonce_asked_for_by_the_page_is_in_the_header():
    policy = {"DIRECTIVES": {"script-src": [SELF, NONCE]}}
    with override_settings(CONTENT_SECURITY_POLICY=policy):
        request, answered = run(StaticPolicyCSPMiddleware, nonce=True)
    assert f"'nonce-{request._csp_nonce}'" in answered[HEADER]


def test_a_nonce_asked_for_after_the_header_is_written_is_an_error():
    from csp.exceptions import CSPNonceError

    request, _ = run(StaticPolicyCSPMiddleware)
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)


def test_a_changed_setting_changes_the_header():
    policy = {"DIRECTIVES": {"default-src": ["'none'"]}}
    with override_settings(CONTENT_SECURITY_POLICY=policy):
        _, answered = run(StaticPolicyCSPMiddleware)
    assert answered[HEADER] == "default-src 'none'"
    _, after = run(StaticPolicyCSPMiddleware)
    assert "default-src 'self'" in after[HEADER]
