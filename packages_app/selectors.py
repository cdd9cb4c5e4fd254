"""Reads of packages, already scoped to the user's branch. The one place that decides who sees what.

Clerks and supervisors act on packages their branch is responsible for now (`Package.branch`), and
may look up, read-only, packages heading to or coming from their branch. Anything else is a 404.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from branch_courier.core import branch_figures, branch_pages
from packages_app import s10
from packages_app.lifecycle import FINAL, OPEN, Status
from packages_app.models import Package, phone_digits

# States in which a package sits at a branch waiting for someone to do something.
WAITING_STATUSES = [
    Status.RECEIVED,
    Status.ARRIVED,
    Status.READY_FOR_PICKUP,
    Status.ON_HOLD,
    Status.DELIVERY_FAILED,
    Status.RETURN_TO_SENDER,
]


def _can_act(user) -> bool:
    return bool(getattr(user, "works_counter", False))


def _scope(user, *, for_action: bool) -> Q | None:
    """The filter of packages this user may see (or act on); None means nothing at all."""
    branch_id = getattr(user, "branch_id", None)
    if not getattr(user, "is_authenticated", False) or branch_id is None:
        return None
    if for_action:
        return Q(branch_id=branch_id) if _can_act(user) else None
    return Q(branch_id=branch_id) | Q(origin_branch_id=branch_id) | Q(destination_branch_id=branch_id)


def packages_for_user(user, *, for_action: bool = False) -> QuerySet[Package]:
    scope = _scope(user, for_action=for_action)
    return Package.objects.none() if scope is None else Package.objects.filter(scope)


def get_package_for_user(user, tracking_number: str, *, for_action: bool = False) -> Package:
    """The package if this user may see it (or act on it); Http404 otherwise, also for bad numbers."""
    try:
        number = s10.validate(tracking_number)
    except s10.TrackingNumberError as exc:
        raise Http404("No such package") from exc
    queryset = packages_for_user(user, for_action=for_action).select_related(
        "branch", "origin_branch", "destination_branch", "created_by"
    )
    try:
        return queryset.get(tracking_number=number)
    except Package.DoesNotExist as exc:
        raise Http404("No such package") from exc


@dataclass
class ScanLookup:
    package: Package | None
    exists_elsewhere: bool = False  # the number is ours, but another branch is responsible for it


def package_for_scan(user, number: str, *, for_action: bool) -> ScanLookup:
    """For the scan station: the package, or whether it exists but belongs to another branch.

    The clerk needs "not yours" and "unknown number" to be different messages; neither reveals
    anything of the package itself.
    """
    package = (
        packages_for_user(user, for_action=for_action)
        .select_related("branch")
        .filter(tracking_number=number)
        .first()
    )
    if package is not None:
        return ScanLookup(package=package)
    return ScanLookup(package=None, exists_elsewhere=Package.objects.filter(tracking_number=number).exists())


def can_act_on(user, package: Package) -> bool:
    return _can_act(user) and package.branch_id == user.branch_id


def search_packages(
    user,
    *,
    q: str = "",
    status: str = "",
    direction: str = "here",
    created_from=None,
    created_to=None,
    waiting: bool = False,
) -> QuerySet[Package]:
    """The filtered list of /packages/ and its CSV export (newest first).

    A full tracking number or phone number is a look-up across everything the user may read,
    whatever the direction; other filters apply within the direction.
    """
    branch_id = user.branch_id
    if _scope(user, for_action=False) is None:
        return Package.objects.none()
    q = (q or "").strip()
    search, exact = _search_filter(q) if q else (None, False)
    # Each direction is a part of the user's read scope; filtering on it alone (rather than
    # AND-ing the three-way OR of the scope) lets PostgreSQL count from one index.
    if exact:
        queryset = packages_for_user(user)
    elif direction == "incoming":
        queryset = Package.objects.filter(destination_branch_id=branch_id).exclude(branch_id=branch_id)
    elif direction == "sent":  # taken in here, wherever it is now
        queryset = Package.objects.filter(origin_branch_id=branch_id)
    else:  # "here"
        queryset = Package.objects.filter(branch_id=branch_id)
    if status:
        queryset = queryset.filter(status=status)
    if created_from:
        queryset = queryset.filter(created_at__gte=_day_start(user, created_from))
    if created_to:
        queryset = queryset.filter(created_at__lt=_day_start(user, created_to) + timedelta(days=1))
    if waiting:
        queryset = queryset.filter(status__in=WAITING_STATUSES, status_changed_at__lt=waiting_cutoff())
    if search is not None:
        queryset = queryset.filter(search)
    return queryset.order_by("-created_at", "-id")


def _search_filter(q: str) -> tuple[Q, bool]:
    """The filter for a search box entry, and whether it is an exact (indexed) look-up."""
    number = s10.normalise(q)
    if s10.is_valid(number):
        return Q(tracking_number=number), True
    if len(number) >= 4 and number[:2].isalpha() and number[2:].isdigit():
        return Q(tracking_number__startswith=number), False  # a partly typed number
    digits = phone_digits(q)
    if len(digits) >= 6 and len(digits) >= len(q.replace(" ", "")) - 4:
        return Q(recipient_phone_digits=digits), True
    return Q(recipient_name__icontains=q) | Q(sender_name__icontains=q), False


def _day_start(user, day) -> datetime:
    tz = branch_tz(user)
    return timezone.make_aware(datetime.combine(day, datetime.min.time()), tz)


def branch_tz(user):
    """The user's branch time zone (the branch's "today"); the site's zone without a branch."""
    import zoneinfo

    try:
        return zoneinfo.ZoneInfo(user.branch.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, AttributeError):
        return timezone.get_current_timezone()


def waiting_cutoff() -> datetime:
    return timezone.now() - timedelta(days=settings.PACKAGES_WAITING_DAYS)


DASHBOARD_FIGURES = "packages-dashboard"
PACKAGE_LIST = "package-list"  # the list's filters and results (core/branch_pages.py, views.package_list)


def branch_day_start(user, now: datetime | None = None) -> datetime:
    """Midnight of today (of `now`'s day) at the user's branch, in its time zone."""
    local = timezone.localtime(now or timezone.now(), branch_tz(user))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def branch_dashboard(user) -> dict:
    """The branch dashboard: counts by status, taken in today, waiting too long.

    Three index-only queries whatever the number of packages, cached per branch for a few seconds
    and dropped when a package of the branch changes (core/branch_figures.py, services._event).
    """
    branch_id = user.branch_id
    today_start = branch_day_start(user)
    figures = branch_figures.cached(
        DASHBOARD_FIGURES, branch_id, lambda: _dashboard_figures(branch_id, today_start)
    )
    by_status = figures["by_status"]
    return {
        "counts": [
            {"status": status, "label": status.label, "n": by_status.get(status.value, 0)}
            for status in Status
            if status not in FINAL
        ],
        "open_total": sum(by_status.values()),
        "intake_today": figures["intake_today"],
        "waiting": figures["waiting"],
        "waiting_days": settings.PACKAGES_WAITING_DAYS,
        "today": today_start.date(),
    }


def _dashboard_figures(branch_id: int, today_start: datetime) -> dict:
    # A positive status list and COUNT(*) let PostgreSQL answer from the index alone.
    rows = (
        Package.objects.filter(branch_id=branch_id, status__in=OPEN)
        .values("status")
        .annotate(n=Count("*"))
        .order_by()
    )
    # Separate counts, each answered from its own index, beat one OR over both branch columns.
    taken_in_today = Package.objects.filter(origin_branch_id=branch_id, created_at__gte=today_start)
    return {
        "by_status": {row["status"]: row["n"] for row in rows},
        "intake_today": taken_in_today.count(),
        "waiting": Package.objects.filter(
            branch_id=branch_id, status__in=WAITING_STATUSES, status_changed_at__lt=waiting_cutoff()
        ).count(),
    }


def forget_dashboards(events) -> None:
    """After these events commit, every branch whose dashboard or package list shows their
    packages shows them as they now are."""
    branch_ids = {
        branch_id
        for event in events
        # Where it happened (the branch a package just left), and the package's three branches.
        for branch_id in (
            event.branch_id,
            event.package.branch_id,
            event.package.origin_branch_id,
            event.package.destination_branch_id,
        )
    }
    branch_figures.forget(DASHBOARD_FIGURES, branch_ids)
    branch_pages.forget(PACKAGE_LIST, branch_ids)


# --- Manifests ----------------------------------------------------------------------------------


def manifests_for_user(user, *, side: str = ""):
    """Manifests this user may see: sent from or heading to their branch ("sender"/"receiver" only)."""
    from packages_app.models import Manifest

    branch_id = getattr(user, "branch_id", None)
    if not getattr(user, "is_authenticated", False) or branch_id is None:
        return Manifest.objects.none()
    if side == "sender":
        return (
            Manifest.objects.filter(origin_branch_id=branch_id) if _can_act(user) else Manifest.objects.none()
        )
    if side == "receiver":
        return (
            Manifest.objects.filter(destination_branch_id=branch_id)
            if _can_act(user)
            else Manifest.objects.none()
        )
    return Manifest.objects.filter(Q(origin_branch_id=branch_id) | Q(destination_branch_id=branch_id))


def get_manifest_for_user(user, pk, *, side: str = ""):
    """The manifest if this user may see it (or act on it from `side`); Http404 otherwise."""
    from packages_app.models import Manifest

    try:
        return (
            manifests_for_user(user, side=side)
            .select_related("origin_branch", "destination_branch")
            .get(pk=pk)
        )
    except (Manifest.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such manifest") from exc


# --- Cash drawers -------------------------------------------------------------------------------


def drawers_for_user(user):
    """A clerk sees their own drawer sessions; a supervisor every session of their branch."""
    from packages_app.models import DrawerSession

    if not _can_act(user):
        return DrawerSession.objects.none()
    if getattr(user, "is_supervisor", False):
        return DrawerSession.objects.filter(branch_id=user.branch_id)
    return DrawerSession.objects.filter(clerk=user)


def get_drawer_for_user(user, pk):
    from packages_app.models import DrawerSession

    try:
        return drawers_for_user(user).select_related("clerk", "branch").get(pk=pk)
    except (DrawerSession.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such drawer session") from exc


def end_of_day(user, day) -> dict:
    """A supervisor's end-of-day report for their branch: totals by method, by clerk, discrepancies.

    Three grouped queries whatever the day's volume.
    """
    from packages_app.models import DrawerSession, Payment

    tz = branch_tz(user)
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()), tz)
    end = start + timedelta(days=1)
    payments = Payment.objects.filter(branch_id=user.branch_id, at__gte=start, at__lt=end)
    by_method = list(
        payments.values("method", "kind")
        .annotate(total=Sum("amount"), n=Count("*"))
        .order_by("method", "kind")
    )
    by_clerk = list(
        payments.values("clerk__username", "method", "kind")
        .annotate(total=Sum("amount"))
        .order_by("clerk__username", "method", "kind")
    )
    sessions = list(
        DrawerSession.objects.filter(branch_id=user.branch_id, opened_at__gte=start, opened_at__lt=end)
        .select_related("clerk")
        .order_by("clerk__username", "opened_at")
    )
    return {
        "day": day,
        "by_method": by_method,
        "by_clerk": by_clerk,
        "sessions": sessions,
        "discrepancies": [s for s in sessions if s.discrepancy],
    }
