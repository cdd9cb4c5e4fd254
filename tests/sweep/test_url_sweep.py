"""Every URL that names an object: another branch's clerk gets 404, anonymous gets the login page.

The patterns come from Django's real resolver (tests/sweep/urlmap.py), not from a hand-kept list:
a new object URL without a provider in OBJECT_PROVIDERS fails test_every_object_url_has_a_provider
and says which line to add.
"""

from collections import Counter
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

from packages_app.models import Package
from tests.sweep.urlmap import all_routes

# Filled in as the sweep runs; tests/conftest.py prints it at the end of the run.
SWEEP_COUNTS: Counter = Counter()

METHODS = ("GET", "POST")

# url name -> provider(world) -> the URL's kwargs for a real object owned by branch A.
OBJECT_PROVIDERS = {
    "packages:detail": lambda w: {"tracking": w.package().tracking_number},
    "packages:transition": lambda w: {"tracking": w.package().tracking_number},
    "packages:label_pdf": lambda w: {"tracking": w.package().tracking_number},
    "packages:label_zpl": lambda w: {"tracking": w.package().tracking_number},
    "inquiries:detail": lambda w: {"reference": w.inquiry().reference},
    "inquiries:assign": lambda w: {"reference": w.inquiry().reference},
    "inquiries:status": lambda w: {"reference": w.inquiry().reference},
    "inquiries:resolve": lambda w: {"reference": w.inquiry().reference},
    "inquiries:reopen": lambda w: {"reference": w.inquiry().reference},
    "inquiries:note": lambda w: {"reference": w.inquiry().reference},
    "inquiries:claim": lambda w: {"reference": w.claim().reference},
    "inquiries:claim_decision": lambda w: {"reference": w.claim().reference},
    "packages:handover": lambda w: {"tracking": w.package().tracking_number},
    "packages:pod": lambda w: {"tracking": w.delivered_package().tracking_number},
    "manifests:detail": lambda w: {"pk": w.manifest()[0].pk},
    "manifests:add": lambda w: {"pk": w.manifest()[0].pk},
    "manifests:remove": lambda w: (lambda m, i: {"pk": m.pk, "item_id": i.pk})(*w.manifest()),
    "manifests:seal": lambda w: {"pk": w.manifest()[0].pk},
    "manifests:dispatch": lambda w: {"pk": w.manifest()[0].pk},
    "manifests:pdf": lambda w: {"pk": w.manifest()[0].pk},
    "manifests:receive": lambda w: {"pk": w.incoming_manifest()[0].pk},
    "manifests:receive_finish": lambda w: {"pk": w.incoming_manifest()[0].pk},
    "manifests:found": lambda w: (lambda m, i: {"pk": m.pk, "item_id": i.pk})(*w.incoming_manifest()),
    "manifests:lost": lambda w: (lambda m, i: {"pk": m.pk, "item_id": i.pk})(*w.incoming_manifest()),
    "drawer:session": lambda w: {"pk": w.drawer().pk},
    "drawer:close": lambda w: {"pk": w.drawer().pk},
    "customers:track": lambda w: {"tracking": w.package().tracking_number},
    "customers:track_api": lambda w: {"tracking": w.package().tracking_number},
}

# Object URLs meant for everyone: the customer's tracking page and API. No login, no branch; they
# must answer the same to anyone and show none of the package's personal data.
PUBLIC_OBJECT_URLS = {
    "customers:track": "public tracking page: customers never log in (ARCHITECTURE 'Who uses it')",
    "customers:track_api": "public tracking API: the same data as the page, as JSON",
}

# URLs without an object that anonymous visitors may open, and why.
PUBLIC_URLS = {
    "accounts:login": "the login page itself",
    "customers:track_form": "public tracking form (anonymous by design)",
}

OBJECT_ROUTES = [r for r in all_routes() if r.names_an_object]
PLAIN_ROUTES = [r for r in all_routes() if not r.names_an_object]


def _csrf_client(user=None) -> Client:
    """A client that enforces CSRF like a browser, holding a valid token cookie."""
    client = Client(enforce_csrf_checks=True)
    # The login page renders a form for anonymous visitors, so it sets the token cookie.
    client.get(reverse("accounts:login"))
    if user is not None:
        client.force_login(user)
    return client


def _call(client: Client, method: str, url: str):
    if method == "GET":
        return client.get(url)
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    return client.post(url, {"csrfmiddlewaretoken": token})


def _is_login_redirect(response) -> bool:
    if response.status_code != 302:
        return False
    return urlsplit(response["Location"]).path == resolve_url(settings.LOGIN_URL)


def _personal_data(package) -> list[str]:
    return [
        value
        for value in (
            package.sender_name,
            package.sender_phone,
            package.sender_email,
            package.sender_address,
            package.recipient_name,
            package.recipient_phone,
            package.recipient_email,
            package.recipient_address,
        )
        if value
    ]


def test_every_object_url_has_a_provider():
    missing = [r for r in OBJECT_ROUTES if r.name not in OBJECT_PROVIDERS]

    def suggestion(route):
        kwargs = ", ".join(f'"{k}": ...' for k in route.kwargs)
        return f'    "{route.name}": lambda w: {{{kwargs}}},  # {route.route}'

    lines = "\n".join(suggestion(r) for r in missing)
    assert not missing, (
        "These URLs name an object but the branch sweep has no provider for them. Add to "
        f"OBJECT_PROVIDERS in tests/sweep/test_url_sweep.py (a real object of branch A):\n{lines}"
    )
    stale = set(OBJECT_PROVIDERS) - {r.name for r in OBJECT_ROUTES}
    assert not stale, f"OBJECT_PROVIDERS names URLs that no longer exist: {sorted(stale)}"


@pytest.mark.django_db
@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=lambda r: r.name)
def test_object_url_is_branch_scoped(route, world):
    if route.name not in OBJECT_PROVIDERS:
        pytest.fail(f"{route.name} has no provider; see test_every_object_url_has_a_provider")
    kwargs = OBJECT_PROVIDERS[route.name](world)
    url = reverse(route.name, kwargs=kwargs)
    owners = [_csrf_client(world.alice), _csrf_client(world.bob)]
    outsider, anonymous = _csrf_client(world.charlie), _csrf_client()
    checked = 0
    for method in METHODS:
        # The owner first decides which methods the URL takes; the others must not learn more.
        # alice is a clerk of A; a supervisor-only action is asked of bob, A's supervisor.
        own = _call(owners[0], method, url)
        if own.status_code == 403:
            own = _call(owners[1], method, url)
        assert own.status_code not in (403, 404, 500), f"owner: {method} {url} -> {own.status_code}"
        if own.status_code == 405:
            continue
        checked += 1
        other = _call(outsider, method, url)
        anon = _call(anonymous, method, url)
        if route.name in PUBLIC_OBJECT_URLS:
            package = Package.objects.get(tracking_number=kwargs["tracking"])
            for who, response in (("charlie", other), ("anonymous", anon)):
                assert response.status_code == 200, f"{who}: {method} {url} -> {response.status_code}"
                body = response.content.decode()
                leaked = [value for value in _personal_data(package) if value in body]
                assert not leaked, f"{who}: {url} shows personal data {leaked}"
            continue
        assert other.status_code == 404, f"charlie (branch B): {method} {url} -> {other.status_code}"
        assert _is_login_redirect(anon), (
            f"anonymous: {method} {url} -> {anon.status_code} {anon.get('Location', '')}"
        )
    assert checked, f"{route.name} takes neither GET nor POST?"
    SWEEP_COUNTS["object patterns"] += 1
    SWEEP_COUNTS["object pattern x method"] += checked


def test_public_exemptions_name_real_urls():
    # New private URLs need nothing: they are swept below. A stale exemption would hide nothing,
    # but it would mislead the reader, so it fails.
    names = {r.name for r in all_routes()}
    stale = (set(PUBLIC_URLS) | set(PUBLIC_OBJECT_URLS)) - names
    assert not stale, f"exemptions for URLs that no longer exist: {sorted(stale)}"


@pytest.mark.django_db
@pytest.mark.parametrize("route", PLAIN_ROUTES, ids=lambda r: r.name)
def test_plain_url_sends_anonymous_to_login(route, world):
    url = reverse(route.name)
    anonymous = _csrf_client()
    checked = 0
    for method in METHODS:
        response = _call(anonymous, method, url)
        if response.status_code == 405:
            continue
        checked += 1
        assert response.status_code < 500, f"anonymous: {method} {url} -> {response.status_code}"
        if route.name in PUBLIC_URLS:
            continue
        assert _is_login_redirect(response), (
            f"anonymous: {method} {url} -> {response.status_code} {response.get('Location', '')}"
        )
    assert checked, f"{route.name} takes neither GET nor POST?"
    SWEEP_COUNTS["plain patterns"] += 1
    SWEEP_COUNTS["plain pattern x method"] += checked
