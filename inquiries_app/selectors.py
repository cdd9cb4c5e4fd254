"""Reads of inquiries, already scoped to the user's branch: the one place that decides who sees what.

A branch sees its own inquiries (the branch the customer came to or called); any other branch's
inquiry is a 404. Clerks and supervisors act on them; a branch's auditors only read.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import connection
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from branch_courier.core import branch_figures
from inquiries_app.lifecycle import ACTIVE, CLOCK_RUNS, Status
from inquiries_app.models import CustomerInquiry, parse_reference
from packages_app import s10
from packages_app.selectors import branch_day_start

QUEUES = {
    "open": "All open",
    "mine": "Mine",
    "unassigned": "Unassigned",
    "overdue": "Overdue",
    "all": "All (incl. resolved and closed)",
}
MEDIAN_DAYS = 30


def inquiries_for_user(user) -> QuerySet[CustomerInquiry]:
    branch_id = getattr(user, "branch_id", None)
    if not getattr(user, "is_authenticated", False) or branch_id is None:
        return CustomerInquiry.objects.none()
    return CustomerInquiry.objects.filter(branch_id=branch_id)


def get_inquiry_for_user(user, reference: str) -> CustomerInquiry:
    """The inquiry behind a reference if it belongs to the user's branch; Http404 otherwise."""
    parsed = parse_reference(reference)
    if parsed is None:
        raise Http404("No such inquiry")
    year, pk = parsed
    queryset = inquiries_for_user(user).select_related(
        "branch", "package", "assignee", "created_by", "claim_decided_by"
    )
    try:
        inquiry = queryset.get(pk=pk)
    except CustomerInquiry.DoesNotExist as exc:
        raise Http404("No such inquiry") from exc
    if year is not None and year != inquiry.created_at.year:
        raise Http404("No such inquiry")
    return inquiry


def can_act_on(user, inquiry: CustomerInquiry) -> bool:
    return bool(getattr(user, "works_counter", False)) and inquiry.branch_id == user.branch_id


def overdue_q(now=None) -> Q:
    return Q(status__in=sorted(CLOCK_RUNS), due_at__lt=now or timezone.now())


def queue(
    user,
    *,
    name: str = "open",
    q: str = "",
    status: str = "",
    category: str = "",
    priority: str = "",
    now=None,
) -> QuerySet[CustomerInquiry]:
    """One queue of the branch, filtered; the list page and its CSV export share it."""
    now = now or timezone.now()
    queryset = inquiries_for_user(user)
    if name == "unassigned":
        # Served by the ops guide's partial index (status = 'OPEN'), oldest first: first come, first served.
        queryset = queryset.filter(status=Status.OPEN)
        order = ["created_at", "id"]
    elif name == "mine":
        queryset = queryset.filter(assignee_id=user.pk, status__in=sorted(ACTIVE))
        order = ["due_at", "id"]
    elif name == "overdue":
        queryset = queryset.filter(overdue_q(now))
        order = ["due_at", "id"]
    elif name == "all":
        order = ["-created_at", "-id"]
    else:
        queryset = queryset.filter(status__in=sorted(ACTIVE))
        order = ["due_at", "id"]
    if status:
        queryset = queryset.filter(status=status)
    if category:
        queryset = queryset.filter(category=category)
    if priority:
        queryset = queryset.filter(priority=priority)
    q = (q or "").strip()
    if q:
        queryset = queryset.filter(search_filter(q))
    return queryset.order_by(*order)


def search_filter(q: str) -> Q:
    """Reference (INQ-2026-000123 or its number), tracking number (full or started), or customer."""
    number = s10.normalise(q)
    if s10.is_valid(number):
        return Q(package__tracking_number=number)
    if len(number) >= 4 and number[:2].isalpha() and number[2:].isdigit() and not number.startswith("INQ"):
        return Q(package__tracking_number__startswith=number)
    parsed = parse_reference(q)
    if parsed is not None and (q.strip().upper().startswith("INQ") or "-" in q):
        return Q(pk=parsed[1])
    text = q.strip()
    by_customer = (
        Q(customer_name__icontains=text) | Q(customer_email__iexact=text) | Q(customer_phone__icontains=text)
    )
    if parsed is not None:  # a bare number: a reference number or part of a phone number
        by_customer |= Q(pk=parsed[1])
    return by_customer


def for_package(user, package, *, limit: int = 20) -> list[CustomerInquiry]:
    """The user's branch's inquiries about one package, newest first (the package page panel)."""
    return list(
        inquiries_for_user(user)
        .filter(package=package)
        .select_related("assignee")
        .order_by("-created_at", "-id")[:limit]
    )


@dataclass
class DashboardStats:
    open: int
    overdue: int
    resolved_today: int
    median_resolve: timedelta | None
    median_days: int = MEDIAN_DAYS


DASHBOARD_FIGURES = "inquiries-dashboard"


def dashboard_stats(user) -> DashboardStats:
    """branch_stats() for the dashboard: cached per branch, dropped when an inquiry there changes."""
    return branch_figures.cached(DASHBOARD_FIGURES, user.branch_id, lambda: branch_stats(user))


def branch_stats(user, *, now=None) -> DashboardStats:
    """Open, overdue and resolved-today counts and the 30-day median time to resolve.

    PostgreSQL: one query (the median is percentile_cont with a FILTER in the same aggregate).
    Elsewhere: that query counts the inquiries resolved in the window, and one more query reads only
    the one or two middle rows.
    """

    now = now or timezone.now()
    today_start = branch_day_start(user, now)
    since = now - timedelta(days=MEDIAN_DAYS)
    mine = inquiries_for_user(user)
    aggregates = {
        "open": Count("id", filter=Q(status__in=sorted(ACTIVE))),
        "overdue": Count("id", filter=overdue_q(now)),
        "resolved_today": Count("id", filter=Q(resolved_at__gte=today_start)),
    }
    on_postgres = connection.vendor == "postgresql"
    if on_postgres:
        aggregates["median"] = _Median(_TOOK, filter=Q(resolved_at__gte=since))
    else:
        aggregates["resolved_recently"] = Count("id", filter=Q(resolved_at__gte=since))
    counts = mine.aggregate(**aggregates)
    if on_postgres:
        median = counts["median"]
    else:
        median = _middle_of(mine.filter(resolved_at__gte=since), n=counts["resolved_recently"])
    return DashboardStats(
        open=counts["open"],
        overdue=counts["overdue"],
        resolved_today=counts["resolved_today"],
        median_resolve=median,
    )


_TOOK = ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())


def median_time_to_resolve(queryset: QuerySet[CustomerInquiry], *, since) -> timedelta | None:
    """Median of resolved_at - created_at for inquiries resolved since `since` (wall-clock time).

    PostgreSQL: percentile_cont in the database, one query. Elsewhere: count, then read only the one
    or two middle rows in order (two queries, never the whole set).
    """
    resolved = queryset.filter(resolved_at__gte=since)
    if connection.vendor == "postgresql":
        return resolved.aggregate(median=_Median(_TOOK))["median"]
    return _middle_of(resolved, n=resolved.count())


def _middle_of(resolved: QuerySet[CustomerInquiry], *, n: int) -> timedelta | None:
    """The median of n resolved inquiries by reading only the one or two middle rows (one query)."""
    if n == 0:
        return None
    first = (n - 1) // 2
    middle = list(
        resolved.annotate(took=_TOOK)
        .order_by("took")
        .values_list("took", flat=True)[first : first + (1 if n % 2 else 2)]
    )
    return sum(middle, timedelta(0)) / len(middle)


class _Median(Aggregate):
    """PostgreSQL's percentile_cont(0.5): the median, interpolated, computed in the database."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()
