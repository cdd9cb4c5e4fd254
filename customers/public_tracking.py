"""What anyone with a tracking number may see: status and timeline, branch cities and times only.

Built from an explicit list of fields (never from the model), so no name, phone, e-mail, address,
note or staff member can reach the page or the API. Cached per package for TRACK_CACHE_SECONDS and
deleted when the package changes (packages_app.partner_events, on commit).
"""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.cache import cache

from packages_app.lifecycle import FINAL, Status, label
from packages_app.models import Package, PackageEvent
from packages_app.partner_events import track_cache_key

# The timeline shown publicly: enough for any real trip, bounded whatever happens.
TIMELINE_LIMIT = 50
_MISSING = "missing"  # cached "no such package" marker, so unknown numbers cost no query either


def public_data(tracking_number: str, *, cached=None) -> dict | None:
    """The public view of a package (None if unknown); `tracking_number` is already validated.

    `cached` is what the cache held under track_cache_key(tracking_number) when the caller has
    already read it (the API reads it with the rate limit); otherwise it is read here.
    """
    key = track_cache_key(tracking_number)
    if cached is None:
        cached = cache.get(key)
    if cached is not None:
        return None if cached == _MISSING else cached
    data = _build(tracking_number)
    cache.set(key, data if data is not None else _MISSING, settings.TRACK_CACHE_SECONDS)
    return data


def _build(tracking_number: str) -> dict | None:
    package = (
        Package.objects.filter(tracking_number=tracking_number)
        .select_related("destination_branch")
        .only(
            "id",
            "tracking_number",
            "status",
            "status_changed_at",
            "service",
            "is_return",
            "destination_branch__city",
            "destination_branch__code",
        )  # fmt: skip
        .first()
    )
    if package is None:
        return None
    events = (
        PackageEvent.objects.filter(package_id=package.pk, kind=PackageEvent.Kind.STATUS)
        .select_related("branch")
        .only("status", "at", "branch__city", "branch__code", "branch__timezone")
        .order_by("-at", "-id")[:TIMELINE_LIMIT]
    )
    return {
        "tracking_number": package.tracking_number,
        "status": package.status,
        "status_label": label(package.status),
        "is_final": package.status in FINAL,
        "is_return": package.is_return,
        "ready_for_pickup": package.status == Status.READY_FOR_PICKUP,
        "service": package.get_service_display(),
        "destination_city": _city(package.destination_branch),
        "updated_at": package.status_changed_at.isoformat(),
        "events": [
            {
                "status": e.status,
                "status_label": label(e.status),
                "city": _city(e.branch),
                "at": e.at.isoformat(),
                "local_time": _local(e.at, e.branch.timezone),
            }
            for e in events
        ],
    }


def _local(moment, tz_name: str) -> str:
    """The time as the branch's clock showed it, e.g. '2026-12-04 10:39 EST'."""
    try:
        zone = ZoneInfo(tz_name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def _city(branch) -> str:
    return branch.city or branch.code
