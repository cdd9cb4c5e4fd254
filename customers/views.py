"""Public tracking: /track/ (form), /track/<number> (page), /api/v1/track/<number> (JSON).

Anonymous and read-only: GET only, no session, no CSRF token needed, not audited as a user
(audit.middleware skips these paths). Order of answers: rate limited (429), mistyped number (400,
no query), cached, database. The count and the cached copy come in one Redis round trip, done
once per request by lookup(); a cached answer is sent by customers.middleware before the session,
auth and audit middleware run, anything else comes here.
"""

from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from customers import ratelimit
from customers.forms import TrackForm, tracking_error
from customers.public_tracking import public_data
from packages_app import s10
from packages_app.partner_events import track_cache_key

RATE_SCOPE = "track"


def _ctx(**values) -> dict:
    # Override the auth and messages context processors: reading them would load the session
    # of a signed-in visitor, and this page is the same for everyone.
    return {
        "user": AnonymousUser(),
        "messages": (),
        "real_time": settings.ENABLE_REAL_TIME_TRACKING,
        **values,
    }


def _public(response):
    patch_cache_control(response, no_cache=True)
    return response


def _limited(request, *, and_get: str | None = None):
    """(seconds to wait or None, the cached value of `and_get`): counted and read in one go."""
    allowed, retry_after, cached = ratelimit.hit(
        request, scope=RATE_SCOPE, rate=settings.TRACK_RATE_LIMIT, and_get=and_get
    )
    return (None if allowed else retry_after), cached


def _checked(tracking: str) -> tuple[str | None, str | None]:
    """(what is wrong with the number, or None; the normalised number when it is right)."""
    error = tracking_error(tracking)
    return error, (None if error else s10.normalise(tracking))


class Lookup(NamedTuple):
    error: str | None  # what is wrong with the number, None when it is right
    number: str | None  # the normalised number when it is right
    retry_after: int | None  # seconds to wait when the client is over the rate limit
    cached: Any  # the cached page HTML (page) or public data (API); None when not cached
    key: str | None  # where that answer is cached (None for a mistyped number)


def _is_fragment(request) -> bool:
    """htmx asking for the status block only (the page refreshing itself).

    Read from META: request.headers would build a dict of every header on a cached hit's path.
    """
    return request.META.get("HTTP_HX_REQUEST") == "true"


def _page_key(request, number: str) -> str:
    # The page is the same for every visitor (no user, no CSRF token), so the rendered HTML is
    # cached beside the data and deleted with it when the package changes.
    shape = "fragment" if _is_fragment(request) else "page"
    return track_cache_key(number, f"{shape}:{int(settings.ENABLE_REAL_TIME_TRACKING)}")


def lookup(request, tracking: str, *, api: bool) -> Lookup:
    """Check the number, count the request and read its cached answer: once per request.

    customers.middleware calls it first; the view then gets the same result instead of counting
    the request twice.
    """
    found = getattr(request, "_track_lookup", None)
    if found is None:
        error, number = _checked(tracking)
        key = None if number is None else (track_cache_key(number) if api else _page_key(request, number))
        retry_after, cached = _limited(request, and_get=key)
        found = request._track_lookup = Lookup(error, number, retry_after, cached, key)
    return found


def cached_answer(found: Lookup, *, api: bool):
    """The 200 response for a cached hit; None when the view has to answer (miss, 4xx)."""
    if found.error or found.retry_after or found.cached is None:
        return None
    if not api:
        return _page(found.cached)
    data = public_data(found.number, cached=found.cached)
    return None if data is None else _public(JsonResponse(data))


def _page(html: str):
    response = HttpResponse(html)
    patch_vary_headers(response, ["HX-Request"])
    return _public(response)


@csrf_exempt
@require_GET
def track_form(request):
    retry_after = _limited(request)[0] if "number" in request.GET else None
    if retry_after:
        return _too_many(request, retry_after)
    form = TrackForm(request.GET if "number" in request.GET else None)
    if form.is_bound and form.is_valid():
        return redirect("customers:track", tracking=form.cleaned_data["number"])
    status = 400 if form.is_bound else 200
    return _public(render(request, "customers/track_form.html", _ctx(form=form), status=status))


@csrf_exempt
@require_GET
def track(request, tracking):
    found = lookup(request, tracking, api=False)
    if found.retry_after:
        return _too_many(request, found.retry_after)
    if found.error:
        form = TrackForm({"number": tracking})
        form.is_valid()
        return _public(render(request, "customers/track_form.html", _ctx(form=form), status=400))
    html = found.cached
    if html is None:
        data = public_data(found.number)
        if data is None:
            raise Http404("No package with this number.")
        template = "customers/_track_status.html" if _is_fragment(request) else "customers/track.html"
        html = render_to_string(template, _ctx(package=data), request=request)
        cache.set(found.key, html, settings.TRACK_CACHE_SECONDS)
    return _page(html)


@csrf_exempt
@require_GET
def track_api(request, tracking):
    found = lookup(request, tracking, api=True)
    if found.retry_after:
        response = JsonResponse(
            {
                "error": "rate_limited",
                "message": "Too many requests; try again later.",
                "retry_after": found.retry_after,
            },
            status=429,
        )
        response["Retry-After"] = str(found.retry_after)
        return response
    if found.error:
        return _public(JsonResponse({"error": "invalid_tracking_number", "message": found.error}, status=400))
    data = public_data(found.number, cached=found.cached)
    if data is None:
        return _public(
            JsonResponse({"error": "not_found", "message": "No package with this number."}, status=404)
        )
    return _public(JsonResponse(data))


def _too_many(request, retry_after: int):
    response = render(request, "customers/too_many.html", _ctx(retry_after=retry_after), status=429)
    response["Retry-After"] = str(retry_after)
    return response
