"""Session lifetime: absolute (JWT_EXPIRY, default 24h) and idle (SESSION_IDLE_TIMEOUT, 30m)."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login

STARTED_KEY = "_bc_started"
SEEN_KEY = "_bc_seen"
# Writing the session on every request would hit the database each time; once a minute is enough
# precision for a 30-minute idle timeout.
SEEN_RESOLUTION_SECONDS = 60


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            session = request.session
            started = session.get(STARTED_KEY)
            seen = session.get(SEEN_KEY)
            if started is None:
                session[STARTED_KEY] = started = now
            if seen is None:
                session[SEEN_KEY] = seen = now
            absolute = settings.SESSION_ABSOLUTE_LIFETIME.total_seconds()
            idle = settings.SESSION_IDLE_TIMEOUT.total_seconds()
            if now - started > absolute or now - seen > idle:
                logout(request)
                messages.info(request, "Your session has ended. Please sign in again.")
                return redirect_to_login(request.get_full_path())
            if now - seen >= SEEN_RESOLUTION_SECONDS:
                session[SEEN_KEY] = now
        return self.get_response(request)
