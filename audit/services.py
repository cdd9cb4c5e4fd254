"""audit_record(): the one way code writes to the audit trail (inside the caller's transaction)."""

import logging
from typing import Any

from django.utils import timezone

from audit.models import AuditLog
from branch_courier.core.request_context import current_request_id, request_var

logger = logging.getLogger("audit")

# Never stored, whatever a caller passes in `changes`.
SENSITIVE_FIELDS = frozenset(
    {"password", "token", "secret", "session_key", "id_number", "card_number", "cvv", "api_key"}
)


def scrub(changes: dict[str, Any]) -> dict[str, Any]:
    return {k: ("[redacted]" if k.lower() in SENSITIVE_FIELDS else v) for k, v in changes.items()}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{field: {"from": old, "to": new}} for the fields whose value changed."""
    return {
        key: {"from": before.get(key), "to": after.get(key)}
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def audit_record(
    *,
    action: str,
    actor=None,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    changes: dict[str, Any] | None = None,
    request=None,
    status_code: int | None = None,
    duration_ms: float | None = None,
    username: str = "",
) -> AuditLog:
    """Write one audit row. Domain services call it inside their own transaction."""
    from branch_courier.core.client_ip import client_ip

    request = request if request is not None else request_var.get()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(getattr(obj, "audit_id", obj.pk))
    branch = getattr(actor, "branch", None) if actor is not None else None
    entry = AuditLog.objects.create(
        timestamp=timezone.now(),
        user_id=getattr(actor, "pk", None),
        username=(actor.get_username() if actor is not None else username)[:150],
        branch_code=getattr(branch, "code", "") or "",
        action=action[:200],
        ip=(client_ip(request) or None) if request is not None else None,
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""),
        request_id=current_request_id() or "",
        status_code=status_code,
        duration_ms=duration_ms,
        object_type=object_type[:64],
        object_id=str(object_id)[:64],
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=scrub(changes or {}),
    )
    logger.info(
        "audit",
        extra={
            "action": entry.action,
            "username": entry.username,
            "ip": entry.ip,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "status_code": entry.status_code,
        },
    )
    return entry
