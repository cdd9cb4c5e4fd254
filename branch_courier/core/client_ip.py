"""The one rule for "which IP is the client": used by login throttling, audit and rate limits.

Only TRUSTED_PROXY_COUNT proxies (nginx, the ingress) are believed. Each appends the address it
saw to X-Forwarded-For, so the client is the entry that many places from the right; anything a
client writes to the left of it is ignored, so a forged header cannot change the answer.
"""

from django.conf import settings
from ipware import get_client_ip


def client_ip(request) -> str:
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if count <= 0:
        return remote
    ip, _routable = get_client_ip(
        request,
        proxy_order="right-most",
        proxy_count=count,
        request_header_order=["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"],
        strict=False,
    )
    return ip or remote
