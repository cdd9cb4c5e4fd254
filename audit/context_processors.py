"""Template flag for the nav link to the audit trail (no query: the user is already loaded)."""

from audit.access import can_read_audit


def audit_access(request):
    return {"can_read_audit": can_read_audit(getattr(request, "user", None))}
