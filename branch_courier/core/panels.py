"""Panels: how apps that build on packages_app add boxes to its pages without packages_app importing them.

Apps depend one way (accounts <- packages_app <- inquiries_app). packages_app's dashboard and package
page ask this registry for panels; inquiries_app registers its own in AppConfig.ready(). A panel is a
template plus a function that builds its context; each function must run a bounded number of queries.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# The places a panel can appear, and the keyword arguments its context function receives.
# A dashboard panel is drawn once per branch and cached with the dashboard's figures
# (core/branch_figures.drawn): its context may depend on the request's branch, never on its user.
SLOTS = {
    "dashboard": ("request",),
    "package_detail": ("request", "package"),
}


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    context: Callable[..., dict[str, Any] | None]  # None: nothing to show for this request
    order: int = 100


@dataclass(frozen=True)
class RenderedPanel:
    name: str
    template: str
    context: dict[str, Any]


_registry: dict[str, dict[str, Panel]] = {slot: {} for slot in SLOTS}


def register(slot: str, *, name: str, template: str, context: Callable, order: int = 100) -> None:
    """Add (or replace, by name: ready() may run twice in tests) a panel in a slot."""
    if slot not in SLOTS:
        raise ValueError(f"unknown panel slot {slot!r}; known: {', '.join(sorted(SLOTS))}")
    _registry[slot][name] = Panel(name=name, template=template, context=context, order=order)


def unregister(slot: str, name: str) -> None:
    _registry[slot].pop(name, None)


def collect(slot: str, **kwargs) -> list[RenderedPanel]:
    """The panels of a slot with their context, in order; panels that return None are left out."""
    missing = set(SLOTS[slot]) - set(kwargs)
    if missing:
        raise TypeError(f"panel slot {slot!r} needs {', '.join(sorted(missing))}")
    rendered = []
    for panel in sorted(_registry[slot].values(), key=lambda p: (p.order, p.name)):
        ctx = panel.context(**kwargs)
        if ctx is not None:
            rendered.append(RenderedPanel(name=panel.name, template=panel.template, context=ctx))
    return rendered
