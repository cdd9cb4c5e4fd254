"""The package lifecycle: the one transition table (ARCHITECTURE.md) and who may use each edge.

Services are the only code that changes a package's status, and they ask this module first.
"""

from dataclasses import dataclass

from django.db import models


class Status(models.TextChoices):
    RECEIVED = "RECEIVED", "Received"
    IN_TRANSIT = "IN_TRANSIT", "In transit"
    ARRIVED = "ARRIVED", "Arrived at hub"
    READY_FOR_PICKUP = "READY_FOR_PICKUP", "Ready for pickup"
    OUT_FOR_DELIVERY = "OUT_FOR_DELIVERY", "Out for delivery"
    DELIVERED = "DELIVERED", "Delivered"
    DELIVERY_FAILED = "DELIVERY_FAILED", "Delivery failed"
    ON_HOLD = "ON_HOLD", "On hold"
    RETURN_TO_SENDER = "RETURN_TO_SENDER", "Return to sender"
    RETURNED = "RETURNED", "Returned"
    CANCELLED = "CANCELLED", "Cancelled"
    LOST = "LOST", "Lost"


S = Status
CLERK = "CLERK"
SUPERVISOR = "SUPERVISOR"
SYSTEM = "SYSTEM"  # scheduled jobs (expire_holds), acting for no one in particular
COUNTER = frozenset({CLERK, SUPERVISOR})
SUPERVISORS = frozenset({SUPERVISOR})

FINAL = frozenset({S.DELIVERED, S.RETURNED, S.CANCELLED, S.LOST})
# "Any open state" may be put on hold (ARCHITECTURE.md): everything not final and not already held.
HOLDABLE = frozenset(set(S) - FINAL - {S.ON_HOLD})
# States a package counts as "open" for dashboards and waiting times.
OPEN = frozenset(set(S) - FINAL)


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    verb: str  # what the clerk does, shown on buttons and in the timeline
    roles: frozenset = COUNTER
    needs_reason: bool = False

    @property
    def target_label(self) -> str:
        return label(self.target)


_EDGES = [
    Edge(S.RECEIVED, S.IN_TRANSIT, "Dispatch"),
    Edge(S.ARRIVED, S.IN_TRANSIT, "Dispatch onwards"),
    Edge(S.RETURN_TO_SENDER, S.IN_TRANSIT, "Dispatch back to sender"),
    Edge(S.IN_TRANSIT, S.ARRIVED, "Receive at hub"),
    Edge(S.IN_TRANSIT, S.READY_FOR_PICKUP, "Receive at destination"),
    # A return lands at its origin and waits there for the sender (still RETURN_TO_SENDER);
    # it is RETURNED only when handed back over the counter.
    Edge(S.IN_TRANSIT, S.RETURN_TO_SENDER, "Receive back at origin"),
    Edge(S.RETURN_TO_SENDER, S.RETURNED, "Hand back to sender"),
    Edge(S.READY_FOR_PICKUP, S.DELIVERED, "Hand over"),
    Edge(S.READY_FOR_PICKUP, S.OUT_FOR_DELIVERY, "Send out for delivery"),
    Edge(S.OUT_FOR_DELIVERY, S.DELIVERED, "Delivered"),
    Edge(S.OUT_FOR_DELIVERY, S.DELIVERY_FAILED, "Delivery failed", needs_reason=True),
    Edge(S.DELIVERY_FAILED, S.READY_FOR_PICKUP, "Back at the counter"),
    Edge(
        S.READY_FOR_PICKUP,
        S.RETURN_TO_SENDER,
        "Return to sender",
        roles=COUNTER | {SYSTEM},
        needs_reason=True,
    ),
    Edge(S.RECEIVED, S.CANCELLED, "Cancel", needs_reason=True),
    Edge(S.IN_TRANSIT, S.LOST, "Declare lost", roles=SUPERVISORS, needs_reason=True),
    Edge(S.ARRIVED, S.LOST, "Declare lost", roles=SUPERVISORS, needs_reason=True),
    Edge(S.ON_HOLD, S.LOST, "Declare lost", roles=SUPERVISORS, needs_reason=True),
    *(Edge(source, S.ON_HOLD, "Put on hold", needs_reason=True) for source in sorted(HOLDABLE)),
    # Release goes back to the state the package left (Package.status_before_hold); the services
    # check that target against the package, the table only says release exists from ON_HOLD.
    *(Edge(S.ON_HOLD, source, "Release hold") for source in sorted(HOLDABLE)),
]

TRANSITIONS: dict[tuple[str, str], Edge] = {(e.source, e.target): e for e in _EDGES}


class TransitionError(Exception):
    """An illegal or forbidden status change; the message is for the clerk."""


def label(status: str) -> str:
    try:
        return Status(status).label
    except ValueError:
        return status


def edge_for(source: str, target: str) -> Edge | None:
    return TRANSITIONS.get((source, target))


def check(*, source: str, target: str, role: str, status_before_hold: str = "") -> Edge:
    """The edge from source to target if `role` may take it; else TransitionError saying why."""
    edge = edge_for(source, target)
    if edge is None:
        raise TransitionError(f"A package that is {label(source)} cannot become {label(target)}.")
    if source == S.ON_HOLD and target != S.LOST and target != status_before_hold:
        raise TransitionError(
            f"Releasing the hold returns the package to {label(status_before_hold)}, not {label(target)}."
        )
    if role not in edge.roles:
        who = " or ".join(sorted(r.lower() + "s" for r in edge.roles))
        raise TransitionError(f"Only {who} may {edge.verb.lower()} a package that is {label(source)}.")
    return edge


def allowed_targets(*, source: str, role: str, status_before_hold: str = "") -> list[Edge]:
    """The edges this role may take from source now (for the buttons on the package page)."""
    edges = []
    for (edge_source, target), edge in TRANSITIONS.items():
        if edge_source != source or role not in edge.roles:
            continue
        if source == S.ON_HOLD and target != S.LOST and target != status_before_hold:
            continue
        edges.append(edge)
    return edges
