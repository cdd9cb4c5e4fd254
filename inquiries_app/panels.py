"""The boxes inquiries_app adds to packages_app's pages (registered in apps.InquiriesConfig.ready)."""

from django.utils import timezone

from inquiries_app import selectors


def dashboard_panel(*, request) -> dict | None:
    """Open / overdue / resolved-today counts and the 30-day median time to resolve: two queries."""
    user = request.user
    if getattr(user, "branch_id", None) is None:
        return None
    return {"stats": selectors.dashboard_stats(user)}


def package_panel(*, request, package) -> dict | None:
    """The branch's inquiries about this package, and a button to open a new one: one query."""
    user = request.user
    if getattr(user, "branch_id", None) is None:
        return None
    return {
        "package": package,
        "inquiries": selectors.for_package(user, package),
        "can_create": bool(getattr(user, "works_counter", False)),
        "now": timezone.now(),
    }


def register() -> None:
    from branch_courier.core import panels

    panels.register(
        "dashboard", name="inquiries", template="inquiries_app/_dashboard_panel.html", context=dashboard_panel
    )
    panels.register(
        "package_detail",
        name="inquiries",
        template="inquiries_app/_package_panel.html",
        context=package_panel,
    )
