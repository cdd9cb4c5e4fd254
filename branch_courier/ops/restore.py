"""Verify a backup set in a scratch database, and restore one (the disaster-recovery path)."""

import contextlib
import gzip
import secrets
import sqlite3
import subprocess
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from branch_courier.ops.backup import CHUNK, _migrations, _sqlite_connect, _table_counts_pg
from branch_courier.ops.common import OpsError, Progress, db_settings, engine, libpq_env, one_line, pg_connect
from branch_courier.ops.common import require_tool as _require_tool
from branch_courier.ops.files import BackupSet, backup_set_for

GZIP_ERRORS = (OSError, EOFError, zlib.error)


@dataclass
class VerifyResult:
    backup: BackupSet
    manifest: dict
    counts: dict[str, int]
    seconds: float
    checks: list[str] = field(default_factory=list)


@dataclass
class RestorePlan:
    backup: BackupSet
    manifest: dict
    target: str
    existing_tables: int
    done: bool = False
    seconds: float = 0.0


def open_backup(path: str | Path) -> tuple[BackupSet, dict]:
    """Checksums first: nothing else is read from a file that may have been corrupted."""
    backup = backup_set_for(path)
    backup.verify_checksums()
    manifest = backup.read_manifest()
    if manifest.get("engine") not in ("postgresql", "sqlite") or not isinstance(manifest.get("tables"), dict):
        raise OpsError(f"manifest {backup.manifest.name} is not a Branch Courier backup manifest")
    return backup, manifest


def _need_engine(manifest: dict, what: str) -> None:
    if manifest["engine"] == "postgresql" and engine() != "postgresql":
        raise OpsError(f"this is a PostgreSQL backup: {what} needs a PostgreSQL server (set DB_HOST)")


# --- verify ---------------------------------------------------------------------------------------
def verify_backup(path: str | Path, *, progress_stream=None) -> VerifyResult:
    started = time.monotonic()
    backup, manifest = open_backup(path)
    checks = ["checksums match"]
    if manifest["engine"] == "postgresql":
        _need_engine(manifest, "verification")
        counts, more = _verify_postgres(backup, manifest, progress_stream)
    else:
        counts, more = _verify_sqlite(backup, manifest, progress_stream)
    checks += more
    _compare_counts(manifest["tables"], counts)
    checks.append(f"row counts of {len(counts)} tables match the manifest")
    return VerifyResult(backup, manifest, counts, time.monotonic() - started, checks)


def _compare_counts(expected: dict[str, int], actual: dict[str, int]) -> None:
    problems = []
    for table in sorted(set(expected) | set(actual)):
        if table not in actual:
            problems.append(f"{table} missing")
        elif table not in expected:
            problems.append(f"{table} not in manifest")
        elif expected[table] != actual[table]:
            problems.append(f"{table} has {actual[table]} rows, manifest says {expected[table]}")
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise OpsError(f"restored data does not match the manifest: {shown}")


def _compare_migrations(manifest: dict, applied: dict) -> None:
    if manifest.get("migrations", {}) != applied:
        raise OpsError("restored django_migrations differ from the manifest")


def _verify_postgres(backup: BackupSet, manifest: dict, progress_stream) -> tuple[dict, list[str]]:
    base = str(db_settings().get("NAME") or "branch_courier")[:40]
    scratch = f"{base}_verify_{secrets.token_hex(4)}"
    admin = pg_connect()
    try:
        admin.execute(f'CREATE DATABASE "{scratch}"')
    except Exception as exc:
        admin.close()
        raise OpsError(f"cannot create scratch database {scratch}: {one_line(str(exc))}") from exc
    try:
        _load_dump(
            backup, dbname=scratch, progress=Progress("restoring into scratch database", progress_stream)
        )
        with pg_connect(scratch) as conn:
            cur = conn.cursor()
            counts = _table_counts_pg(cur)
            checks = _pg_integrity(cur, manifest)
    finally:
        try:
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        finally:
            admin.close()
    return counts, checks


def _pg_integrity(cur, manifest: dict) -> list[str]:
    from psycopg import sql

    checks = []
    if "public.django_migrations" in manifest["tables"]:
        _compare_migrations(manifest, _migrations(cur.execute("SELECT app, name FROM django_migrations")))
        checks.append("applied migrations match the manifest")
    invalid = cur.execute(
        "SELECT indexrelid::regclass::text FROM pg_index WHERE NOT indisvalid OR NOT indisready"
    ).fetchall()
    if invalid:
        raise OpsError(f"restored database has invalid indexes: {', '.join(r[0] for r in invalid)}")
    unvalidated = cur.execute(
        "SELECT conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
        "WHERE NOT convalidated AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
    ).fetchall()
    if unvalidated:
        raise OpsError(
            f"restored database has unvalidated constraints: {', '.join(r[0] for r in unvalidated)}"
        )
    checks.append("all indexes valid, all constraints (foreign keys included) validated on load")
    # A sequence behind its column's maximum would make the next insert collide.
    columns = cur.execute(
        """
        SELECT n.nspname, c.relname, a.attname,
               pg_get_serial_sequence(quote_ident(n.nspname) || '.' || quote_ident(c.relname), a.attname)
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
          AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND pg_get_serial_sequence(quote_ident(n.nspname) || '.' || quote_ident(c.relname), a.attname)
              IS NOT NULL
        """
    ).fetchall()
    behind = []
    for schema, table, column, sequence in columns:
        top = cur.execute(
            sql.SQL("SELECT max({}) FROM {}").format(sql.Identifier(column), sql.Identifier(schema, table))
        ).fetchone()[0]
        last, called = cur.execute(
            sql.SQL("SELECT last_value, is_called FROM {}").format(sql.SQL(sequence))
        ).fetchone()
        if top is not None and (top > last or (top == last and not called)):
            behind.append(f"{sequence} ({last}) < max({table}.{column}) ({top})")
    if behind:
        raise OpsError(f"sequences behind their data: {'; '.join(behind)}")
    checks.append(f"{len(columns)} id sequences are ahead of their data")
    return checks


def _verify_sqlite(backup: BackupSet, manifest: dict, progress_stream) -> tuple[dict, list[str]]:
    with tempfile.TemporaryDirectory(prefix="bc-verify-") as tmp:
        copy = Path(tmp) / "verify.sqlite3"
        _gunzip_to(backup, copy, Progress("decompressing", progress_stream))
        conn = sqlite3.connect(copy)
        try:
            return _sqlite_checks(conn, manifest)
        except sqlite3.DatabaseError as exc:
            raise OpsError(f"{backup.dump.name} is not a valid SQLite database: {exc}") from exc
        finally:
            conn.close()


def _sqlite_checks(conn: sqlite3.Connection, manifest: dict) -> tuple[dict, list[str]]:
    result = conn.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise OpsError(f"SQLite integrity_check failed: {result}")
    if conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
        raise OpsError("SQLite foreign_key_check found rows pointing at missing rows")
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608
    checks = ["integrity_check ok, no dangling foreign keys"]
    if "django_migrations" in counts:
        _compare_migrations(manifest, _migrations(conn.execute("SELECT app, name FROM django_migrations")))
        checks.append("applied migrations match the manifest")
    return counts, checks


# --- restore --------------------------------------------------------------------------------------
def plan_restore(path: str | Path, *, target: str | None = None) -> RestorePlan:
    backup, manifest = open_backup(path)
    _need_engine(manifest, "restore")
    if manifest["engine"] != engine():
        raise OpsError(f"this is a {manifest['engine']} backup and the configured database is {engine()}")
    # Read the whole stream once before touching anything: a truncated file fails here.
    _check_gzip(backup)
    if manifest["engine"] == "postgresql":
        name = target or db_settings()["NAME"]
        with pg_connect(name) as conn:
            existing = conn.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
            ).fetchone()[0]
    else:
        name = target or str(db_settings()["NAME"])
        with _sqlite_connect(name) as conn:
            existing = conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            ).fetchone()[0]
    return RestorePlan(backup=backup, manifest=manifest, target=name, existing_tables=existing)


def refuse_unless_forced(plan: RestorePlan, *, force: bool) -> None:
    if plan.existing_tables and not force:
        raise OpsError(
            f"database {plan.target} is not empty ({plan.existing_tables} tables); "
            "pass --force to replace its contents with the backup"
        )


def restore_database(plan: RestorePlan, *, force: bool, progress_stream=None) -> RestorePlan:
    """Replace the target's contents with the backup; all or nothing (one transaction)."""
    refuse_unless_forced(plan, force=force)
    started = time.monotonic()
    progress = Progress("restoring", progress_stream)
    if plan.manifest["engine"] == "postgresql":
        # Dropped and reloaded in the same transaction as the load: a failed restore changes nothing.
        prelude = (
            b"DROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n" if plan.existing_tables else b""
        )
        _load_dump(plan.backup, dbname=plan.target, progress=progress, prelude=prelude)
        with pg_connect(plan.target) as conn:
            conn.execute("ANALYZE")
            counts = _table_counts_pg(conn.cursor())
    else:
        with tempfile.TemporaryDirectory(prefix="bc-restore-") as tmp:
            copy = Path(tmp) / "restore.sqlite3"
            _gunzip_to(plan.backup, copy, progress)
            src = sqlite3.connect(copy)
            dst = _sqlite_connect(plan.target)
            try:
                _sqlite_checks(src, plan.manifest)
                src.backup(dst)  # replaces the target's pages in one step
                counts, _ = _sqlite_checks(dst, plan.manifest)
            finally:
                src.close()
                dst.close()
    _compare_counts(plan.manifest["tables"], counts)
    plan.done = True
    plan.seconds = time.monotonic() - started
    return plan


# --- streams --------------------------------------------------------------------------------------
def _corrupt(backup: BackupSet, exc: Exception) -> OpsError:
    return OpsError(f"{backup.dump.name} is corrupted or truncated: {exc}")


def _check_gzip(backup: BackupSet) -> None:
    try:
        with gzip.open(backup.dump, "rb") as fh:
            while fh.read(CHUNK):
                pass
    except GZIP_ERRORS as exc:
        raise _corrupt(backup, exc) from exc


def _gunzip_to(backup: BackupSet, target: Path, progress: Progress) -> None:
    try:
        with gzip.open(backup.dump, "rb") as src, open(target, "wb") as out:
            for chunk in iter(lambda: src.read(CHUNK), b""):
                out.write(chunk)
                progress.advance(len(chunk))
    except GZIP_ERRORS as exc:
        raise _corrupt(backup, exc) from exc
    progress.finish()


def _load_dump(backup: BackupSet, *, dbname: str, progress: Progress, prelude: bytes = b"") -> None:
    """Stream the decompressed dump into psql in one transaction; ON_ERROR_STOP aborts it all."""
    psql = _require_tool("psql")
    env = libpq_env(dbname)
    # Wait for locks at most this long rather than hang behind a connected app.
    env["PGOPTIONS"] = "-c lock_timeout=30s"
    argv = [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-d", dbname]
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(  # noqa: S603 (fixed argv, no shell)
            argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=err, env=env
        )
        failure: OpsError | None = None
        try:
            proc.stdin.write(prelude)
            with gzip.open(backup.dump, "rb") as src:
                for chunk in iter(lambda: src.read(CHUNK), b""):
                    proc.stdin.write(chunk)
                    progress.advance(len(chunk))
        except BrokenPipeError:
            pass  # psql stopped on an error; its message is read below
        except GZIP_ERRORS as exc:
            failure = _corrupt(backup, exc)
            # Kill psql before its stdin closes: a clean end of input would COMMIT a partial load.
            proc.kill()
        finally:
            with contextlib.suppress(BrokenPipeError):
                proc.stdin.close()
            code = proc.wait()
        if failure:
            raise failure
        if code != 0:
            err.seek(0)
            reason = one_line(err.read().decode(errors="replace"))
            raise OpsError(f"psql failed loading {backup.dump.name} (exit {code}): {reason}")
    progress.finish()
