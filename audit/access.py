"""Who may read the audit trail, and which rows: the one rule, used by views, admin and nav."""

from django.core.exceptions import PermissionDenied

from audit.models import AuditLog, AuditLogQuerySet


def can_read_audit(user) -> bool:
    """Auditors and admins (superusers). Clerks and supervisors never: they are the audited."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_superuser or getattr(user, "role", None) == "AUDITOR")


def audit_rows_for(user) -> AuditLogQuerySet:
    """The rows `user` may read: an auditor of a branch sees that branch's rows, company-wide
    auditors (no branch) and admins see all. Anyone else gets PermissionDenied (403)."""
    if not can_read_audit(user):
        raise PermissionDenied("The audit trail is open to auditors and admins only.")
    rows = AuditLog.objects.all()
    if not user.is_superuser and user.branch_id is not None:
        rows = rows.filter(branch_code=user.branch.code)
    return rows
