"""The signed-in user, loaded with the request; session lifetime: absolute (JWT_EXPIRY, default
24h) and idle (SESSION_IDLE_TIMEOUT, 30m)."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import AuthenticationMiddleware, get_user
from django.contrib.auth.views import redirect_to_login

from branch_courier.accounts import session_store, user_cache

STARTED_KEY = "_bc_started"
SEEN_KEY = "_bc_seen"
# Writing the session on every request would hit the database each time; once a minute is enough
# precision for a 30-minute idle timeout.
SEEN_RESOLUTION_SECONDS = 60


class SignedInUserMiddleware(AuthenticationMiddleware):
    """Django's AuthenticationMiddleware, with request.user loaded at once instead of on first use.

    Every page reads the user (the top bar, branch scoping, the idle timeout right after this, the
    audit row), so deferring saves nothing. Left as Django's SimpleLazyObject, each {{ user.x }}
    in a template went through the proxy twice (a failed user[x], then getattr): 0.11 ms of the
    dashboard's 0.77 ms of templates. The user still comes from accounts/user_cache.py.
    """

    def process_request(self, request):
        super().process_request(request)  # also checks the session middleware comes first
        # Django's own loader: it keeps request._cached_user, which the log lines read. The
        # session and its user are read in one round trip when this process has served the
        # session before (accounts/session_store.py).
        with user_cache.prefetching():
            request.user = get_user(request)
        if request.user.is_authenticated:
            session_store.remember(request.session.session_key, request.user.pk)


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
