"""Sign-in events in the audit trail: failures, lockouts (django-axes) and sign-outs.

Successful sign-ins are already the request record of `POST /accounts/login/` (status 302, the
new user). Never stored: the password (Django stars it out before the signal; we only read the
username), the session key, the request body.
"""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.services import audit_record_safely

LOGIN_FAILED = "auth.login_failed"
LOCKED_OUT = "auth.locked_out"
LOGOUT = "auth.logout"


def _branch_code_of(username: str) -> str:
    """The branch of the account someone tried, so its branch's auditor sees the attempts."""
    from django.contrib.auth import get_user_model

    if not username:
        return ""
    code = get_user_model().objects.filter(username=username).values_list("branch__code", flat=True).first()
    return code or ""


@receiver(user_login_failed, dispatch_uid="audit.login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    audit_record_safely(
        action=LOGIN_FAILED,
        username=username,
        branch_code=_branch_code_of(username),
        request=request,
        object_type="auth.login",
        changes={"locked_out": bool(getattr(request, "axes_locked_out", False))},
    )


@receiver(user_locked_out, dispatch_uid="audit.locked_out")
def audit_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    username = str(username or "")[:150]
    audit_record_safely(
        action=LOCKED_OUT,
        username=username,
        branch_code=_branch_code_of(username),
        request=request,
        object_type="auth.login",
        changes={"failures": getattr(request, "axes_failures_since_start", None)},
    )


@receiver(user_logged_out, dispatch_uid="audit.logout")
def audit_logout(sender, request=None, user=None, **kwargs):
    if user is not None:
        audit_record_safely(action=LOGOUT, actor=user, request=request)
