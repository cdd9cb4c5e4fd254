"""The current request's id and request object, kept in contextvars for logs and audit."""

import re
import uuid
from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
request_var: ContextVar[object | None] = ContextVar("request", default=None)

# Accept ids our nginx or a caller may send (uuid, hex, short tokens); refuse anything that could
# smuggle log lines or markup.
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


def clean_request_id(value: str | None) -> str:
    """Return the incoming id when it is safe, else a new uuid4 hex."""
    if value and _VALID_ID.match(value):
        return value
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    return request_id_var.get()


def current_user_id() -> int | None:
    """The logged-in user's id, only if auth already loaded it (never triggers a query)."""
    request = request_var.get()
    user = getattr(request, "_cached_user", None) if request is not None else None
    if user is not None and getattr(user, "is_authenticated", False):
        return user.pk
    return None
