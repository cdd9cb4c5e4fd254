"""Every URL pattern of the app, read from Django's real resolver (includes followed recursively).

The sweep (tests/sweep) and the form fuzz (tests/fuzz) both start from this list, so a URL added to
any urls.py is seen by both without anyone remembering to register it.
"""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# Django admin has its own gate (is_staff + model permissions), not branch scoping; its object
# URLs are covered by admin's own tests, not by the branch sweep.
ADMIN_NAMESPACE = "admin"


@dataclass(frozen=True)
class Route:
    name: str  # "packages:detail"; unnamed patterns get "<unnamed> route"
    route: str  # the pattern text, for messages
    kwargs: tuple[str, ...]  # the path converters' names: the object the URL names

    @property
    def names_an_object(self) -> bool:
        return bool(self.kwargs)


def _kwargs_of(pattern) -> tuple[str, ...]:
    regex = pattern.pattern.regex
    return tuple(sorted(regex.groupindex))


def _walk(resolver: URLResolver, *, prefix: str, namespace: str | None, kwargs: tuple[str, ...]):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, prefix=route, namespace=ns, kwargs=kwargs + _kwargs_of(entry))
        elif isinstance(entry, URLPattern):
            name = entry.name or f"<unnamed> {route}"
            if namespace and entry.name:
                name = f"{namespace}:{entry.name}"
            yield Route(name=name, route=route, kwargs=tuple(sorted(kwargs + _kwargs_of(entry))))


def all_routes(*, include_admin: bool = False) -> list[Route]:
    routes = list(_walk(get_resolver(), prefix="/", namespace=None, kwargs=()))
    if not include_admin:
        routes = [
            r for r in routes if not r.name.startswith(f"{ADMIN_NAMESPACE}:") and "/admin/" not in r.route
        ]
    return routes
