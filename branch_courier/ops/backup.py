"""Create a backup set: pg_dump (or SQLite's online backup) + manifest + checksums, then prune."""

import fcntl
import gzip
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings

from branch_courier.ops import metrics
from branch_courier.ops.common import (
    OpsError,
    Progress,
    db_settings,
    engine,
    libpq_env,
    one_line,
    pg_connect,
    require_tool,
    sha256_of,
)
from branch_courier.ops.files import PREFIX, BackupSet, list_backups

# Any fixed 64-bit key: pg_try_advisory_lock(key) is held by the backup for its whole run.
ADVISORY_LOCK_KEY = 0x6263_6261_636B_7570  # "bcbackup"
CHUNK = 1 << 20
TMP_PREFIX = ".tmp-backup-"
SQLITE_LOCK_WAIT_SECONDS = 60


@dataclass
class BackupResult:
    backup: BackupSet
    manifest: dict
    seconds: float
    pruned: list[Path] = field(default_factory=list)
    uploaded_to: str = ""


def create_backup(
    *,
    directory: Path,
    keep_days: int,
    progress_stream=None,
    log: Callable[[str], None] = lambda msg: None,
) -> BackupResult:
    """Back up the default database into `directory`; the whole set appears or nothing does."""
    started = time.monotonic()
    directory = _ensure_writable(directory)
    if keep_days < 1:
        raise OpsError("--keep-days must be at least 1")
    now = datetime.now(UTC)
    kind = engine()
    if kind not in ("postgresql", "sqlite"):
        raise OpsError(f"cannot back up a {kind} database")
    suffix = ".sql.gz" if kind == "postgresql" else ".sqlite3.gz"
    if settings.BACKUP_S3_URL:
        from branch_courier.ops.s3 import parse_s3_url

        parse_s3_url(settings.BACKUP_S3_URL)  # a configuration mistake fails before any work
    with _lock(directory, kind):
        name = _free_name(directory, now, suffix)
        # Built in a temporary directory beside the target, then renamed in: same filesystem, so a
        # reader never sees a half-written file under a backup's name.
        work = Path(tempfile.mkdtemp(prefix=TMP_PREFIX, dir=directory))
        try:
            staged = BackupSet(work / name)
            progress = Progress(f"dumping {name}", progress_stream)
            if kind == "postgresql":
                manifest = _dump_postgres(staged.dump, progress)
            else:
                manifest = _dump_sqlite(staged.dump, progress)
            progress.finish()
            manifest.update(
                file=name,
                created_at=now.isoformat(),
                app_version=settings.APP_VERSION,
                size_bytes=staged.dump.stat().st_size,
                sha256=sha256_of(staged.dump),
                duration_seconds=round(time.monotonic() - started, 3),
            )
            staged.manifest.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", "utf-8")
            staged.write_checksums()
            final = BackupSet(directory / name)
            # The checksum file goes last: a set without it is never taken for a complete backup.
            for src, dst in zip(staged.paths, final.paths, strict=True):
                os.replace(src, dst)
        except BaseException:
            for path in BackupSet(directory / name).paths:
                path.unlink(missing_ok=True)
            raise
        finally:
            shutil.rmtree(work, ignore_errors=True)
    result = BackupResult(backup=final, manifest=manifest, seconds=time.monotonic() - started)
    log(f"backup written: {final.dump} ({manifest['size_bytes']} bytes, {len(manifest['tables'])} tables)")
    metrics.record_backup(directory=directory, manifest=manifest, seconds=result.seconds)
    result.pruned = prune_backups(directory=directory, keep_days=keep_days, keep=final)
    if settings.BACKUP_S3_URL:
        from branch_courier.ops.s3 import upload_backup

        result.uploaded_to = upload_backup(final, settings.BACKUP_S3_URL)
    return result


def prune_backups(*, directory: Path, keep_days: int, keep: BackupSet | None = None) -> list[Path]:
    """Delete backup sets older than keep_days (never `keep`) and stale temporary directories."""
    cutoff = datetime.now(UTC) - timedelta(days=keep_days)
    removed: list[Path] = []
    for backup in list_backups(directory):
        if keep is not None and backup.dump == keep.dump:
            continue
        try:
            created = backup.created_at()
        except OpsError:
            continue  # an unreadable manifest is for a human to look at, not for us to delete
        if created < cutoff:
            for path in backup.paths:
                path.unlink(missing_ok=True)
            removed.append(backup.dump)
    for path in directory.glob(TMP_PREFIX + "*"):
        # Left by a run that was killed (SIGKILL skips our cleanup); older than a day is surely dead.
        if path.is_dir() and time.time() - path.stat().st_mtime > 86400:
            shutil.rmtree(path, ignore_errors=True)
    return removed


def _ensure_writable(directory: Path) -> Path:
    directory = Path(directory).expanduser()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=directory, prefix=".write-test-")  # noqa: SIM115
        probe.close()
    except OSError as exc:
        raise OpsError(f"backup directory {directory} is not writable: {exc.strerror or exc}") from exc
    return directory.resolve()


def _free_name(directory: Path, now: datetime, suffix: str) -> str:
    stem = f"{PREFIX}{now:%Y%m%d_%H%M%S}"
    name, n = stem + suffix, 1
    while (directory / name).exists():
        n += 1
        name = f"{stem}_{n}{suffix}"
    return name


@contextmanager
def _lock(directory: Path, kind: str) -> Iterator[None]:
    """One backup at a time: a file lock in the backup directory, plus on PostgreSQL an advisory
    lock, which also covers CronJob pods on different nodes with different volumes."""
    lock_path = directory / ".backup.lock"
    with open(lock_path, "a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise OpsError(f"another backup is running (lock {lock_path} is held)") from exc
        if kind != "postgresql":
            yield
            return
        conn = pg_connect()
        try:
            if not conn.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_LOCK_KEY]).fetchone()[0]:
                raise OpsError("another backup is running (PostgreSQL advisory lock is held)")
            yield
        finally:
            conn.close()  # ends the session, which releases the advisory lock


def _table_counts_pg(cur) -> dict[str, int]:
    from psycopg import sql

    cur.execute(
        """
        SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg\\_toast%%' AND n.nspname NOT LIKE 'pg\\_temp%%'
        ORDER BY 1, 2
        """
    )
    counts = {}
    for schema, table in cur.fetchall():
        query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, table))
        counts[f"{schema}.{table}"] = cur.execute(query).fetchone()[0]
    return counts


def _migrations(rows) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in rows:
        applied.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


def _dump_postgres(target: Path, progress: Progress) -> dict:
    pg_dump = require_tool("pg_dump")
    cfg = db_settings()
    # One REPEATABLE READ transaction exports its snapshot; pg_dump dumps exactly that snapshot and
    # the row counts come from it too, so the manifest describes the very data in the file.
    conn = pg_connect(autocommit=False)
    try:
        cur = conn.cursor()
        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = cur.execute("SELECT pg_export_snapshot()").fetchone()[0]
        server_version = cur.execute("SHOW server_version").fetchone()[0]
        counts = _table_counts_pg(cur)
        migrations = {}
        if "public.django_migrations" in counts:
            migrations = _migrations(cur.execute("SELECT app, name FROM django_migrations").fetchall())
        version = subprocess.run(  # noqa: S603 (fixed argv, no shell)
            [pg_dump, "--version"], capture_output=True, text=True, check=False
        ).stdout.strip()
        # --no-owner: objects belong to whoever restores (run restores as the owner role that runs
        # migrations). GRANTs stay in the dump: the app role's limited rights on the append-only
        # audit table (docs/audit.md) must survive a restore.
        argv = [pg_dump, "--format=plain", "--no-owner", f"--snapshot={snapshot}"]
        with tempfile.TemporaryFile() as err, gzip.open(target, "wb", compresslevel=6) as out:
            proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=err, env=libpq_env())  # noqa: S603
            try:
                for chunk in iter(lambda: proc.stdout.read(CHUNK), b""):
                    out.write(chunk)
                    progress.advance(len(chunk))
            finally:
                proc.stdout.close()
                code = proc.wait()
            if code != 0:
                err.seek(0)
                raise OpsError(
                    f"pg_dump failed (exit {code}): {one_line(err.read().decode(errors='replace'))}"
                )
        conn.rollback()
    finally:
        conn.close()
    return {
        "engine": "postgresql",
        "database": cfg.get("NAME"),
        "postgresql_version": server_version,
        "pg_dump_version": version,
        "snapshot": snapshot,
        "tables": counts,
        "migrations": migrations,
    }


def _sqlite_connect(name: str) -> sqlite3.Connection:
    # The test database is a shared in-memory URI ("file:memorydb_default?mode=memory&cache=shared").
    return sqlite3.connect(name, uri=name.startswith("file:"))


def _give_up_after(seconds: float):
    """A backup() progress callback: SQLite retries a locked database forever; we do not."""
    deadline = time.monotonic() + seconds

    def progress(status: int, remaining: int, total: int) -> None:
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) and time.monotonic() > deadline:
            raise OpsError(f"SQLite database stayed locked for {seconds:g} s; is a long write running?")

    return progress


def _dump_sqlite(target: Path, progress: Progress) -> dict:
    name = str(db_settings()["NAME"])
    copy = target.with_suffix("")  # db_backup_….sqlite3
    try:
        src = _sqlite_connect(name)
    except sqlite3.Error as exc:
        raise OpsError(f"cannot open SQLite database {name}: {exc}") from exc
    try:
        dst = sqlite3.connect(copy)
        try:
            # The online backup API copies a consistent snapshot while the app keeps writing.
            src.backup(dst, pages=1024, progress=_give_up_after(SQLITE_LOCK_WAIT_SECONDS))
            counts = {
                table: dst.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
                for (table,) in dst.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                    "ORDER BY name"
                )
            }
            rows = []
            if "django_migrations" in counts:
                rows = dst.execute("SELECT app, name FROM django_migrations").fetchall()
            version = dst.execute("SELECT sqlite_version()").fetchone()[0]
        finally:
            dst.close()
    except sqlite3.Error as exc:
        raise OpsError(f"SQLite backup failed: {exc}") from exc
    finally:
        src.close()
    with open(copy, "rb") as fh, gzip.open(target, "wb", compresslevel=6) as out:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            out.write(chunk)
            progress.advance(len(chunk))
    copy.unlink()
    return {
        "engine": "sqlite",
        "database": Path(name).name,
        "sqlite_version": version,
        "tables": counts,
        "migrations": _migrations(rows),
    }
