"""audit_record(): the one way code writes to the audit trail (inside the caller's transaction).

Domain services call it in their own transaction so the change and its record commit together:

    before = snapshot(package, ["status", "branch_id"])
    ...change and save the package...
    audit_record(action="package.transition", actor=user, obj=package,
                 changes=diff(before, snapshot(package, ["status", "branch_id"])))

Stored `changes` are always scrubbed: sensitive field names keep only the fact that they changed.
The request body is never read here; only method, path, ip, user agent and request id are kept.
"""

import contextlib
import datetime
import decimal
import logging
import time
import uuid
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from audit.metrics import AUDIT_WRITE_FAILURES, AUDIT_WRITE_SECONDS
from audit.models import AuditLog
from branch_courier.core.request_context import current_request_id, request_var

logger = logging.getLogger("audit")

REDACTED = "[redacted]"
# A field whose name contains any of these is never stored, whatever a caller passes in `changes`
# ("recipient_id_number", "reset_token", "session_key" ...). id_last4 / id_type stay readable.
SENSITIVE_NAME_PARTS = (
    "password",
    "passwd",
    "token",
    "secret",
    "session_key",
    "sessionid",
    "session_id",
    "api_key",
    "apikey",
    "authorization",
    "cookie",
    "card_number",
    "cvv",
    "cvc",
    "iban",
    "id_number",
    "document_number",
    "request_body",
    "post_data",
)


def is_sensitive(name: str) -> bool:
    lowered = str(name).lower()
    return any(part in lowered for part in SENSITIVE_NAME_PARTS)


def jsonable(value: Any) -> Any:
    """A value the JSON column can hold and an auditor can read (Decimal → "12.50", dates → ISO)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(datetime.UTC)
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return str(value)


def scrub(changes: dict[str, Any]) -> dict[str, Any]:
    """Replace the values of sensitive fields (at any depth) and make the rest JSON-safe.

    A diff entry {"password": {"from": a, "to": b}} becomes {"password": {"from": "[redacted]",
    "to": "[redacted]"}}: the trail still says the password changed, never what it was.
    """
    clean: dict[str, Any] = {}
    for key, value in changes.items():
        if is_sensitive(key):
            if isinstance(value, dict) and set(value) <= {"from", "to"}:
                clean[str(key)] = dict.fromkeys(value, REDACTED)
            else:
                clean[str(key)] = REDACTED
        elif isinstance(value, dict):
            clean[str(key)] = scrub(value)
        else:
            clean[str(key)] = jsonable(value)
    return clean


def snapshot(obj: models.Model, fields: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """The named fields of `obj` as JSON-safe values (foreign keys by their `<name>_id`)."""
    values = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        values[name] = jsonable(getattr(obj, attname))
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{field: {"from": old, "to": new}} for the fields whose value changed."""
    before, after = jsonable(before), jsonable(after)
    return {
        key: {"from": before.get(key), "to": after.get(key)}
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def log_entry(entry: AuditLog, message: str = "audit", level: int = logging.INFO) -> None:
    """The row as one JSON line under the `audit` logger (written or not, as `message` says)."""
    logger.log(level, message, extra=_log_fields(entry))


def _log_fields(entry: AuditLog) -> dict[str, Any]:
    # `audit_` prefixes keep clear of LogRecord attributes and of the ContextFilter's own fields.
    return {
        "audit_action": entry.action,
        "audit_user_id": entry.user_id,
        "username": entry.username,
        "branch": entry.branch_code,
        "ip": entry.ip,
        "user_agent": entry.user_agent,
        "status_code": entry.status_code,
        "duration_ms": entry.duration_ms,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "changes": entry.changes,
    }


def build_entry(
    *,
    action: str,
    actor=None,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: dict[str, Any] | None = None,
    request=None,
    status_code: int | None = None,
    duration_ms: float | None = None,
    username: str = "",
    branch_code: str = "",
) -> AuditLog:
    """An unsaved AuditLog filled from the actor, the object and the current request."""
    from branch_courier.core.client_ip import client_ip

    request = request if request is not None else request_var.get()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(getattr(obj, "audit_id", obj.pk))
        object_repr = object_repr or str(obj)
    if actor is not None:
        username = actor.get_username()
        branch = getattr(actor, "branch", None)
        branch_code = branch_code or (getattr(branch, "code", "") or "")
    ip = (client_ip(request) or None) if request is not None else None
    return AuditLog(
        timestamp=timezone.now(),
        user_id=getattr(actor, "pk", None),
        username=(username or "")[:150],
        branch_code=branch_code[:8],
        action=action[:200],
        ip=ip,
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""),
        request_id=current_request_id() or getattr(request, "request_id", "") or "",
        status_code=status_code,
        duration_ms=duration_ms,
        object_type=object_type[:64],
        object_id=str(object_id)[:64],
        object_repr=object_repr[:200],
        changes=scrub(changes or {}),
    )


def audit_record(
    *,
    action: str,
    actor=None,
    obj=None,
    changes: dict[str, Any] | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    request=None,
    status_code: int | None = None,
    duration_ms: float | None = None,
    username: str = "",
    branch_code: str = "",
) -> AuditLog:
    """Write one audit row and its JSON log line. Domain services call it inside their transaction.

    `actor` is the user who acted (None for the system or an unknown user: pass `username`),
    `obj` the model instance acted on (its `audit_id`, else its pk, is stored), `changes` a dict,
    usually diff(before, after). Raises on a database error, so the caller's transaction rolls
    back with it: a domain change never commits without its record.
    """
    entry = build_entry(
        action=action,
        actor=actor,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        changes=changes,
        request=request,
        status_code=status_code,
        duration_ms=duration_ms,
        username=username,
        branch_code=branch_code,
    )
    started = time.perf_counter()
    entry.save(force_insert=True)
    AUDIT_WRITE_SECONDS.observe(time.perf_counter() - started)
    log_entry(entry)
    return entry


def audit_record_safely(**kwargs) -> AuditLog | None:
    """audit_record() for the request path and login signals: a failure never reaches the user.

    Inside a transaction the caller still has open, the row is written in a savepoint, so a failed
    insert cannot poison it; outside one, the INSERT commits by itself. On failure the record still
    goes to the JSON log stream (at ERROR, with all its fields) and audit_write_failures_total
    counts it; the page goes out as if nothing happened.
    """
    try:
        if not transaction.get_connection().in_atomic_block:
            # Autocommit (the page-view rows the middleware writes): the INSERT is its own
            # transaction and a failure leaves nothing open, so no BEGIN/COMMIT round trips.
            return audit_record(**kwargs)
        with transaction.atomic():
            return audit_record(**kwargs)
    except Exception:  # the audit write must never turn a page into a 500
        AUDIT_WRITE_FAILURES.inc()
        fields: dict[str, Any] = {"audit_action": str(kwargs.get("action", ""))[:200]}
        with contextlib.suppress(Exception):  # building the line again must not raise either
            fields = _log_fields(build_entry(**kwargs))
        logger.exception("audit write failed", extra=fields)
        return None
