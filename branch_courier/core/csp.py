"""django-csp's middleware with the policy built once per process instead of on every response.

Our policy is the same for every response: no nonces (the CSP forbids inline scripts and styles
outright) and no per-view decorators. django-csp still walks the settings and formats both headers
on each response, about a tenth of a cached public tracking hit. Here the two header values are
built on first use and reused; a response that does need the library's work (a view decorated
with csp_update/csp_replace/csp_exempt, a template that asked for request.csp_nonce, DEBUG's
exempted error pages) goes through django-csp unchanged.
"""

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

# What django-csp's decorators set on a response; any of them means "not the static policy".
PER_VIEW_ATTRIBUTES = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_exempt",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
    "_csp_exempt_ro",
)
_SETTINGS = ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY", "DEBUG")

_static: list[tuple[str, str, tuple[str, ...]]] | None = None


def static_headers() -> list[tuple[str, str, tuple[str, ...]]]:
    """[(header, value, excluded path prefixes)] for the headers the settings ask for."""
    global _static
    if _static is None:
        headers = []
        for header, setting, report_only in (
            (HEADER, "CONTENT_SECURITY_POLICY", False),
            (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", True),
        ):
            value = build_policy(report_only=report_only)
            if value:
                prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
                headers.append((header, value, tuple(prefixes)))
        _static = headers
    return _static


@receiver(setting_changed)
def _forget_static_headers(*, setting, **kwargs):
    global _static
    if setting in _SETTINGS:
        _static = None


class StaticPolicyCSPMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        if (
            settings.DEBUG
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in PER_VIEW_ATTRIBUTES)
        ):
            return super().process_response(request, response)
        path = request.path_info
        for header, value, excluded in static_headers():
            if header not in response and not path.startswith(excluded):
                response[header] = value
        # As django-csp does: a nonce asked for after the header is written is an error, not a
        # silently missing source.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
