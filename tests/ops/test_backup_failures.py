"""Each failure: a one-line reason, exit code 1, and nothing partial left behind."""

import fcntl
import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from branch_courier.ops.backup import ADVISORY_LOCK_KEY
from branch_courier.ops.common import pg_connect
from branch_courier.ops.files import backup_set_for
from tests.ops.conftest import fails, make_backup

ROOT = Path(django_settings.BASE_DIR)


def leftovers(directory: Path) -> list[str]:
    if not directory.exists():
        return []
    return sorted(
        p.name for p in directory.iterdir() if p.name not in (".backup.lock", "branch_courier_backup.prom")
    )


def test_unwritable_backup_directory_exits_1_with_one_line(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    env = dict(os.environ.items())
    env["BACKUP_DIR"] = str(blocker / "backups")
    proc = subprocess.run(
        [sys.executable, "manage.py", "backup_database"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert lines == [
        f"CommandError: backup failed: backup directory {blocker / 'backups'} "
        "is not writable: Not a directory"
    ]


@pytest.mark.postgres
def test_missing_pg_dump_is_named(backup_dir, db, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    reason = fails("backup_database")
    assert reason == "backup failed: pg_dump not found on PATH — install postgresql-client"
    assert leftovers(backup_dir) == []


@pytest.mark.postgres
def test_missing_pg_dump_exits_1_from_the_command_line(tmp_path, db):
    env = dict(os.environ.items())
    env.update(PATH=str(tmp_path), BACKUP_DIR=str(tmp_path / "b"), DB_NAME=connection.settings_dict["NAME"])
    proc = subprocess.run(
        [sys.executable, "manage.py", "backup_database"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        "CommandError: backup failed: pg_dump not found on PATH — install postgresql-client"
    ]


@pytest.mark.postgres
def test_unreachable_database_is_reported(backup_dir, db, closed_port, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "PORT", closed_port)
    reason = fails("backup_database")
    assert reason.startswith(f"backup failed: cannot connect to PostgreSQL at 127.0.0.1:{closed_port}")
    assert leftovers(backup_dir) == []


@pytest.mark.postgres
def test_pg_dump_dying_midway_leaves_nothing(backup_dir, seeded, tmp_path, monkeypatch):
    # A pg_dump that writes part of a dump and then fails, as when the connection drops.
    fake = tmp_path / "bin" / "pg_dump"
    fake.parent.mkdir()
    fake.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = --version ]; then echo "pg_dump (fake) 15"; exit 0; fi\n'
        "head -c 300000 /dev/zero | tr '\\0' 'x'\n"
        "echo 'pg_dump: error: connection to server lost' >&2\nexit 1\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:{os.environ['PATH']}")
    reason = fails("backup_database")
    assert reason == "backup failed: pg_dump failed (exit 1): pg_dump: error: connection to server lost"
    assert leftovers(backup_dir) == []


def test_a_second_run_is_refused_while_one_holds_the_lock(backup_dir, db):
    backup_dir.mkdir(parents=True)
    with open(backup_dir / ".backup.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        reason = fails("backup_database")
    assert "another backup is running" in reason
    assert leftovers(backup_dir) == []


@pytest.mark.postgres
def test_the_advisory_lock_covers_runs_on_other_hosts(backup_dir, db):
    with pg_connect() as other:
        other.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
        reason = fails("backup_database")
    assert reason == "backup failed: another backup is running (PostgreSQL advisory lock is held)"


def test_keep_days_below_one_is_refused(backup_dir, db):
    assert "--keep-days must be at least 1" in fails("backup_database", "--keep-days", "0")


def test_verify_rejects_a_flipped_byte(backup_dir, seeded):
    path = make_backup(backup_dir)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    reason = fails("verify_backup", str(path))
    assert (
        reason == f"backup verification failed: checksum mismatch for {path.name}: "
        "the file is corrupted or was changed"
    )


def test_verify_rejects_a_truncated_file_even_with_a_matching_checksum(backup_dir, seeded):
    path = make_backup(backup_dir)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    backup_set_for(path).write_checksums()  # as if it had been cut before it was checksummed
    reason = fails("verify_backup", str(path))
    assert reason.startswith(f"backup verification failed: {path.name} is corrupted or truncated:")


def test_verify_rejects_a_manifest_that_does_not_match(backup_dir, seeded):
    import json

    path = make_backup(backup_dir)
    backup = backup_set_for(path)
    manifest = backup.read_manifest()
    table = next(t for t in manifest["tables"] if t.endswith("audit_auditlog"))
    manifest["tables"][table] += 1
    backup.manifest.write_text(json.dumps(manifest))
    backup.write_checksums()
    reason = fails("verify_backup", str(path))
    assert f"{table} has 2000 rows, manifest says 2001" in reason


def test_verify_needs_the_checksum_file(backup_dir, seeded):
    path = make_backup(backup_dir)
    backup_set_for(path).checksum.unlink()
    assert fails("verify_backup", str(path)) == (
        f"backup verification failed: checksum file {path.name}.sha256 is missing"
    )


def test_verify_of_a_missing_file(tmp_path, db):
    reason = fails("verify_backup", str(tmp_path / "db_backup_nothing.sql.gz"))
    assert "does not exist" in reason


def test_restore_refuses_a_truncated_file_before_touching_the_database(backup_dir, seeded):
    path = make_backup(backup_dir)
    with gzip.open(path) as fh:
        assert fh.read(10)
    path.write_bytes(path.read_bytes()[:-200])
    backup_set_for(path).write_checksums()
    reason = fails("restore_database", str(path), "--for-real", "--force")
    assert "is corrupted or truncated" in reason


def test_a_database_locked_by_an_open_write_fails_instead_of_hanging(backup_dir, db, alice, monkeypatch):
    # The test runs inside an uncommitted transaction that wrote alice. PostgreSQL dumps the last
    # committed state without her; SQLite's shared database stays locked, and the backup gives up.
    monkeypatch.setattr("branch_courier.ops.backup.SQLITE_LOCK_WAIT_SECONDS", 0.5)
    if connection.vendor == "postgresql":
        path = make_backup(backup_dir)
        manifest = backup_set_for(path).read_manifest()
        assert manifest["tables"]["public.accounts_user"] == 0
    else:
        reason = fails("backup_database")
        assert reason == ("backup failed: SQLite database stayed locked for 0.5 s; is a long write running?")
        assert leftovers(backup_dir) == []
