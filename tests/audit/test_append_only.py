"""Append-only: the ORM refuses changes everywhere; PostgreSQL's trigger refuses raw SQL too."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit.models import AuditLog, AuditLogImmutableError
from audit.retention import purge_cutoff, purge_expired

pytestmark = pytest.mark.django_db
TABLE = AuditLog._meta.db_table


def _row(days_old: float, action="GET /") -> AuditLog:
    return AuditLog.objects.create(
        timestamp=timezone.now() - datetime.timedelta(days=days_old), action=action, username="alice"
    )


def test_the_orm_refuses_to_change_a_row():
    entry = _row(0)
    entry.action = "something else"
    with pytest.raises(AuditLogImmutableError):
        entry.save()
    with pytest.raises(AuditLogImmutableError):
        AuditLog.objects.filter(pk=entry.pk).update(action="edited")
    with pytest.raises(AuditLogImmutableError):
        AuditLog.objects.bulk_update([entry], ["action"])
    assert AuditLog.objects.get(pk=entry.pk).action == "GET /"


def test_the_orm_refuses_to_delete_a_row():
    entry = _row(400)
    with pytest.raises(AuditLogImmutableError):
        entry.delete()
    with pytest.raises(AuditLogImmutableError):
        AuditLog.objects.all().delete()
    assert AuditLog.objects.filter(pk=entry.pk).exists()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [f"UPDATE {TABLE} SET action = 'edited'", f"DELETE FROM {TABLE}", f"DELETE FROM {TABLE} WHERE id > 0"],
)
def test_raw_sql_update_or_delete_fails_on_postgres(sql):
    _row(0)
    _row(400)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
        c.execute(sql)
    assert AuditLog.objects.count() == 2
    assert set(AuditLog.objects.values_list("action", flat=True)) == {"GET /"}


@pytest.mark.postgres
def test_even_the_purge_switch_cannot_update_or_delete_a_recent_row_on_postgres():
    _row(10)
    old = _row(400)
    for sql in (f"UPDATE {TABLE} SET action = 'edited' WHERE id = {old.pk}", f"DELETE FROM {TABLE}"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as c,
        ):
            c.execute("SET LOCAL audit.allow_purge = 'on'")
            c.execute(sql)
    assert AuditLog.objects.count() == 2


@pytest.mark.postgres
def test_without_the_switch_even_an_expired_row_stays_on_postgres():
    old = _row(400)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
        c.execute(f"DELETE FROM {TABLE} WHERE id = %s", [old.pk])
    assert AuditLog.objects.filter(pk=old.pk).exists()


@pytest.mark.postgres
def test_the_purge_switch_is_off_again_after_a_purge_on_postgres():
    kept = _row(400)
    _row(500)
    # The test's own transaction is still open around this, as a caller's could be.
    purge_expired(cutoff=timezone.now() - datetime.timedelta(days=450), batch_size=10)
    with connection.cursor() as c:
        c.execute("SELECT current_setting('audit.allow_purge', true)")
        assert c.fetchone()[0] == "off"
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
        c.execute(f"DELETE FROM {TABLE}")
    assert list(AuditLog.objects.values_list("pk", flat=True)) == [kept.pk]


def test_purge_removes_only_rows_past_the_retention(settings):
    settings.AUDIT_RETENTION_DAYS = 365
    keep = [_row(1), _row(364)]
    for _ in range(7):
        _row(366)
    _row(900)
    batches = []
    deleted = purge_expired(cutoff=purge_cutoff(), batch_size=3, on_batch=batches.append)
    assert deleted == 8
    assert batches == [3, 6, 8]
    assert sorted(AuditLog.objects.values_list("pk", flat=True)) == sorted(e.pk for e in keep)


def test_the_command_is_a_dry_run_unless_told_for_real(capsys):
    _row(1)
    _row(400)
    call_command("purge_audit_log")
    out = capsys.readouterr().out
    assert "1 row(s) older, 1 kept" in out and "Dry run: would delete 1 row(s)" in out
    assert AuditLog.objects.count() == 2


def test_the_command_deletes_for_real_shows_progress_and_records_itself(capsys):
    recent = _row(1)
    for _ in range(5):
        _row(400)
    call_command("purge_audit_log", "--for-real", "--batch-size", "2", verbosity=2)
    out = capsys.readouterr().out
    assert "deleted 2/5" in out and "deleted 4/5" in out and "deleted 5/5" in out
    assert "Deleted 5 audit row(s)" in out
    remaining = AuditLog.objects.order_by("id")
    assert [e.action for e in remaining] == ["GET /", "audit.purge"]
    assert remaining[0].pk == recent.pk
    assert remaining[1].changes["deleted"] == 5 and remaining[1].changes["retention_days"] == 365


def test_the_command_is_quiet_at_verbosity_zero(capsys):
    _row(400)
    call_command("purge_audit_log", "--for-real", verbosity=0)
    assert capsys.readouterr().out == ""
    assert not AuditLog.objects.filter(action="GET /").exists()


def test_the_command_refuses_a_bad_batch_size():
    with pytest.raises(CommandError, match="--batch-size must be at least 1"):
        call_command("purge_audit_log", "--batch-size", "0")


@pytest.mark.postgres
def test_a_shorter_retention_than_the_trigger_knows_is_refused_with_a_reason(settings):
    settings.AUDIT_RETENTION_DAYS = 30
    _row(100)
    with pytest.raises(CommandError, match="run `manage.py migrate`"):
        call_command("purge_audit_log", "--for-real")
    assert AuditLog.objects.count() == 1


@pytest.mark.postgres
def test_migrate_rewrites_the_trigger_retention(settings):
    from audit.apps import _sync_retention
    from audit.db import database_retention_days

    settings.AUDIT_RETENTION_DAYS = 30
    _sync_retention(sender=None, using="default")
    assert database_retention_days(connection) == 30
    _row(100)
    call_command("purge_audit_log", "--for-real", verbosity=0)
    assert not AuditLog.objects.filter(action="GET /").exists()
