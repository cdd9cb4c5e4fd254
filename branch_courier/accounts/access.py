"""Who may open a branch's screens: one place for the two checks every app's views make.

- counter staff: clerks and supervisors of a branch (User.works_counter) take parcels in, scan,
  hand over, run the drawer and handle inquiries;
- branch staff: anyone attached to a branch (auditors and admins are not) reads its lists.

Anyone else gets a 403 that says why. Use the decorators under @login_required (an anonymous
visitor is sent to sign in first) and under the method check (a wrong method is a 405 whoever
asks); require_counter_staff() is for code that is not a view.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied

COUNTER_ONLY = "Only clerks and supervisors of a branch work the counter."
BRANCH_ONLY = "This list is kept per branch; admins use Django admin."


def require_counter_staff(user, why: str = COUNTER_ONLY) -> None:
    if not user.works_counter:
        raise PermissionDenied(why)


def require_branch_staff(user, why: str = BRANCH_ONLY) -> None:
    if user.branch_id is None:
        raise PermissionDenied(why)


def counter_staff_required(why: str = COUNTER_ONLY):
    return _requiring(require_counter_staff, why)


def branch_staff_required(why: str = BRANCH_ONLY):
    return _requiring(require_branch_staff, why)


def _requiring(check, why: str):
    def decorator(view):
        @wraps(view)
        def checked(request, *args, **kwargs):
            check(request.user, why)
            return view(request, *args, **kwargs)

        return checked

    return decorator
