"""The inquiry lifecycle: the one transition table and who may take each edge.

OPEN -> IN_PROGRESS -> WAITING_ON_CUSTOMER -> IN_PROGRESS -> RESOLVED -> CLOSED; a RESOLVED inquiry
can be reopened (back to IN_PROGRESS) for settings.INQUIRY_REOPEN_DAYS. Services are the only code
that changes an inquiry's status, and they ask `check()` first.
"""

from dataclasses import dataclass

from django.db import models


class Status(models.TextChoices):
    OPEN = "OPEN", "Open"
    IN_PROGRESS = "IN_PROGRESS", "In progress"
    WAITING_ON_CUSTOMER = "WAITING_ON_CUSTOMER", "Waiting on customer"
    RESOLVED = "RESOLVED", "Resolved"
    CLOSED = "CLOSED", "Closed"


S = Status
CLERK = "CLERK"
SUPERVISOR = "SUPERVISOR"
COUNTER = frozenset({CLERK, SUPERVISOR})

# Someone still has to do something: these show in the queues and count as "open" on the dashboard.
ACTIVE = frozenset({S.OPEN, S.IN_PROGRESS, S.WAITING_ON_CUSTOMER})
# The SLA clock runs in these; WAITING_ON_CUSTOMER pauses it, RESOLVED and CLOSED stop it.
CLOCK_RUNS = frozenset({S.OPEN, S.IN_PROGRESS})
FINAL = frozenset({S.CLOSED})


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    verb: str  # shown on the button and in the audit trail
    roles: frozenset = COUNTER
    service: str = "inquiry_change_status"  # the service that takes this edge (others refuse it)

    @property
    def target_label(self) -> str:
        return label(self.target)


_EDGES = [
    # Taking or assigning an OPEN inquiry starts the work: OPEN means "nobody has it yet".
    Edge(S.OPEN, S.IN_PROGRESS, "Assign", service="inquiry_assign"),
    Edge(S.IN_PROGRESS, S.WAITING_ON_CUSTOMER, "Wait for the customer"),
    Edge(S.WAITING_ON_CUSTOMER, S.IN_PROGRESS, "Customer answered"),
    Edge(S.IN_PROGRESS, S.RESOLVED, "Resolve", service="inquiry_resolve"),
    # A customer who never answers: resolve from waiting (e.g. code NO_RESPONSE).
    Edge(S.WAITING_ON_CUSTOMER, S.RESOLVED, "Resolve", service="inquiry_resolve"),
    Edge(S.RESOLVED, S.CLOSED, "Close"),
    Edge(S.RESOLVED, S.IN_PROGRESS, "Reopen", service="inquiry_reopen"),
]

TRANSITIONS: dict[tuple[str, str], Edge] = {(e.source, e.target): e for e in _EDGES}


class InquiryError(Exception):
    """A refused change; the message is for the clerk, `field` names the form field it concerns."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class TransitionError(InquiryError):
    """An illegal or forbidden status change."""


def label(status: str) -> str:
    try:
        return Status(status).label
    except ValueError:
        return status


def check(*, source: str, target: str, role: str, service: str = "inquiry_change_status") -> Edge:
    """The edge from source to target if `role` may take it through `service`; else TransitionError."""
    edge = TRANSITIONS.get((source, target))
    if edge is None:
        raise TransitionError(f"An inquiry that is {label(source)} cannot become {label(target)}.")
    if role not in edge.roles:
        who = " or ".join(sorted(r.lower() + "s" for r in edge.roles))
        raise TransitionError(f"Only {who} may {edge.verb.lower()} an inquiry.")
    if edge.service != service:
        # E.g. resolving needs a resolution code: only inquiry_resolve may take that edge.
        raise TransitionError(f"Use “{edge.verb}” to make an inquiry {label(target)}.")
    return edge


def simple_edges(*, source: str, role: str) -> list[Edge]:
    """The plain status buttons (no form of their own) this role may press now."""
    return [
        e
        for (s, _), e in TRANSITIONS.items()
        if s == source and role in e.roles and e.service == "inquiry_change_status"
    ]
