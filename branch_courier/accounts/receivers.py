"""Login bookkeeping: remember session keys per user and log every success and failure.

Logged: username, ip, user agent. Never the password (Django strips it from credentials).
"""

import logging

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from branch_courier.accounts.models import UserSession
from branch_courier.core.client_ip import client_ip

logger = logging.getLogger("branch_courier.auth")


def _request_fields(request) -> dict:
    if request is None:
        return {"ip": None, "user_agent": None}
    return {"ip": client_ip(request), "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300]}


@receiver(user_logged_in)
def record_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        if not request.session.session_key:
            request.session.save()
        UserSession.objects.get_or_create(session_key=request.session.session_key, defaults={"user": user})
    logger.info("Login successful", extra={"username": user.get_username(), **_request_fields(request)})


@receiver(user_logged_out)
def record_logout(sender, request, user, **kwargs):
    if request is not None and getattr(request, "session", None) and request.session.session_key:
        UserSession.objects.filter(session_key=request.session.session_key).delete()
    if user is not None:
        logger.info("Logout", extra={"username": user.get_username(), **_request_fields(request)})


@receiver(user_login_failed)
def log_login_failure(sender, credentials, request=None, **kwargs):
    # Django has already replaced the password in `credentials` with stars; log the username only.
    logger.warning(
        "Login failed",
        extra={"username": str(credentials.get("username", ""))[:150], **_request_fields(request)},
    )
