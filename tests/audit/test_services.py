"""audit_record(): domain records with before/after, scrubbed, inside the caller's transaction."""

import datetime
import decimal

import pytest
from django.db import transaction

from audit.models import AuditLog
from audit.services import audit_record, diff, scrub, snapshot
from branch_courier.accounts.models import User
from branch_courier.accounts.services import user_deactivate

pytestmark = pytest.mark.django_db


def test_a_domain_record_has_the_before_and_after_of_changed_fields(alice, bob, branch_a, branch_b):
    before = snapshot(alice, ["role", "branch", "is_active", "email"])
    alice.role = "SUPERVISOR"
    alice.branch = branch_b
    alice.save()
    after = snapshot(alice, ["role", "branch", "is_active", "email"])
    entry = audit_record(action="user.move", actor=bob, obj=alice, changes=diff(before, after))
    entry.refresh_from_db()
    assert entry.changes == {
        "branch": {"from": branch_a.pk, "to": branch_b.pk},
        "role": {"from": "CLERK", "to": "SUPERVISOR"},
    }
    assert entry.object_type == "accounts.user" and entry.object_id == str(alice.pk)
    assert entry.object_repr == "alice"
    assert entry.username == "bob" and entry.branch_code == "AAA01"
    assert entry.request_id == "" and entry.ip is None  # no request: a command or a worker


def test_the_signature_services_use_keeps_working(alice):
    entry = audit_record(
        action="package.transition",
        actor=alice,
        obj=alice,
        changes={"status": {"from": "RECEIVED", "to": "IN_TRANSIT"}},
    )
    assert AuditLog.objects.get(pk=entry.pk).changes["status"] == {"from": "RECEIVED", "to": "IN_TRANSIT"}


def test_sensitive_fields_are_redacted_at_any_depth():
    cleaned = scrub(
        {
            "password": {"from": "old-secret", "to": "new-secret"},
            "recipient_id_number": "X1234567",
            "id_last4": "4567",
            "payment": {"card_number": "4111111111111111", "amount": decimal.Decimal("12.50")},
            "session_key": "abc",
            "reset_token": "t0k",
            "held_until": datetime.datetime(2026, 1, 2, 3, 4, tzinfo=datetime.UTC),
        }
    )
    assert cleaned == {
        "password": {"from": "[redacted]", "to": "[redacted]"},
        "recipient_id_number": "[redacted]",
        "id_last4": "4567",
        "payment": {"card_number": "[redacted]", "amount": "12.50"},
        "session_key": "[redacted]",
        "reset_token": "[redacted]",
        "held_until": "2026-01-02T03:04:00+00:00",
    }


def test_audit_record_stores_scrubbed_changes(alice):
    entry = audit_record(action="x", actor=alice, changes={"api_key": "k-123", "note": "ok"})
    entry.refresh_from_db()
    assert entry.changes == {"api_key": "[redacted]", "note": "ok"}


def test_the_record_rolls_back_with_the_service_that_failed(alice):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action="package.transition", actor=alice, obj=alice, changes={})
        raise RuntimeError("the transition failed after the record was written")
    assert not AuditLog.objects.exists()


def test_deactivating_a_user_leaves_one_record_with_before_and_after(alice, bob):
    user_deactivate(user=alice, actor=bob)
    entry = AuditLog.objects.get(action="user.deactivate")
    assert entry.username == "bob" and entry.object_id == str(alice.pk)
    assert entry.changes == {"is_active": {"from": True, "to": False}, "sessions_ended": 0}
    assert not User.objects.get(pk=alice.pk).is_active
