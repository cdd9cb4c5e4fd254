"""backup_database → verify_backup → restore_database loses nothing."""

import gzip
import json

import pytest
from django.db import connection

from branch_courier.ops.common import pg_connect
from tests.ops.conftest import fails, make_backup, run, table_checksums


def test_it_writes_dump_manifest_and_checksum_with_counts_of_every_table(backup_dir, seeded):
    path = make_backup(backup_dir)
    assert path.parent == backup_dir.resolve()
    assert path.name.startswith("db_backup_")
    manifest = json.loads(path.with_name(path.name + ".manifest.json").read_text())
    before = table_checksums()
    assert manifest["tables"] == {table: count for table, (count, _) in before.items()}
    assert manifest["engine"] == connection.vendor
    assert manifest["app_version"]
    assert "0001_initial" in manifest["migrations"]["audit"]
    checksum = path.with_name(path.name + ".sha256").read_text()
    assert path.name in checksum and path.name + ".manifest.json" in checksum
    with gzip.open(path) as fh:
        assert fh.read(64)
    # Nothing else is left behind: no temporary directory, no half-written file.
    names = sorted(p.name for p in backup_dir.iterdir() if not p.name.startswith("."))
    assert names == sorted(
        [path.name, path.name + ".manifest.json", path.name + ".sha256", "branch_courier_backup.prom"]
    )
    assert not list(backup_dir.glob(".tmp-backup-*"))


def test_it_exports_the_backup_time_as_a_metric(backup_dir, seeded):
    path = make_backup(backup_dir)
    manifest = json.loads(path.with_name(path.name + ".manifest.json").read_text())
    text = (backup_dir / "branch_courier_backup.prom").read_text()
    assert "branch_courier_backup_last_success_timestamp_seconds " in text
    assert f"branch_courier_backup_size_bytes {float(manifest['size_bytes'])}" in text


def test_verify_passes_on_a_fresh_backup(backup_dir, seeded):
    path = make_backup(backup_dir)
    out = run("verify_backup", str(path))
    assert "verified" in out
    assert "row counts of" in out


@pytest.fixture
def restore_target(tmp_path):
    """An empty database to restore into: on PostgreSQL a new database, on SQLite a new file."""
    if connection.vendor != "postgresql":
        path = tmp_path / "restored.sqlite3"
        path.touch()
        yield str(path)
        return
    name = f"{connection.settings_dict['NAME']}_roundtrip"
    with pg_connect() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with pg_connect() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_round_trip_loses_nothing(backup_dir, seeded, restore_target):
    before = table_checksums()
    assert before[next(t for t in before if t.endswith("audit_auditlog"))][0] == 2000
    path = make_backup(backup_dir)
    run("verify_backup", str(path))
    out = run("restore_database", str(path), "--target-db", restore_target, "--for-real")
    assert "row counts match" in out
    after = table_checksums(restore_target)
    assert after == before  # every table (packages too, when it exists): row count and md5 of all rows
    # A second restore into the now non-empty database needs --force, and then still matches.
    assert "pass --force" in fails("restore_database", str(path), "--target-db", restore_target, "--for-real")
    run("restore_database", str(path), "--target-db", restore_target, "--for-real", "--force")
    assert table_checksums(restore_target) == before


@pytest.mark.postgres
def test_verify_leaves_no_scratch_database_behind(backup_dir, seeded):
    path = make_backup(backup_dir)
    run("verify_backup", str(path))
    with pg_connect() as conn:
        left = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE '%\\_verify\\_%'").fetchall()
    assert left == []


def test_restore_is_a_dry_run_unless_for_real(backup_dir, seeded, tmp_path):
    path = make_backup(backup_dir)
    before = table_checksums()
    out = run("restore_database", str(path), "--force")
    assert "Dry run" in out
    assert table_checksums() == before


def test_restore_refuses_a_non_empty_database_without_force(backup_dir, seeded):
    path = make_backup(backup_dir)
    reason = fails("restore_database", str(path), "--for-real")
    assert "is not empty" in reason and "--force" in reason


def test_retention_deletes_sets_older_than_keep_days(backup_dir, seeded):
    from datetime import timedelta

    from branch_courier.ops.files import backup_set_for

    old = backup_set_for(make_backup(backup_dir))
    manifest = old.read_manifest()
    from datetime import datetime

    manifest["created_at"] = (datetime.fromisoformat(manifest["created_at"]) - timedelta(days=8)).isoformat()
    old.manifest.write_text(json.dumps(manifest))
    old.write_checksums()
    run("backup_database", "--dir", str(backup_dir), "--keep-days", "10")
    assert old.dump.exists()
    out = run("backup_database", "--dir", str(backup_dir), "--keep-days", "7")
    assert f"Deleted old backup {old.dump.name}" in out
    assert not any(p.exists() for p in old.paths)
    assert (
        len(list(backup_dir.glob("db_backup_*.sql.gz")) + list(backup_dir.glob("db_backup_*.sqlite3.gz")))
        == 2
    )


def test_progress_is_drawn_only_on_a_terminal():
    import io

    from branch_courier.ops.common import Progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    tty, pipe = Terminal(), io.StringIO()
    for stream in (tty, pipe):
        progress = Progress("dumping", stream)
        progress.advance(5 * 1024 * 1024)
        progress.finish()
    assert "\rdumping: 5.0 MiB" in tty.getvalue()
    assert "done" in tty.getvalue()
    assert pipe.getvalue() == ""
