"""Fixtures for the ops commands: a backup directory, seeded data, table checksums, certificates."""

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from audit.models import AuditLog
from tests.factories import BranchFactory, UserFactory


@pytest.fixture
def backup_dir(tmp_path, settings):
    path = tmp_path / "backups"
    settings.BACKUP_DIR = str(path)
    settings.BACKUP_S3_URL = ""
    settings.METRICS_PUSHGATEWAY_URL = ""
    return path


@pytest.fixture
def seeded(transactional_db):
    """Committed rows in several tables (pg_dump is another process: it sees only committed data)."""
    branches = [BranchFactory(code=f"S{n:02d}") for n in range(5)]
    for n in range(20):
        UserFactory(username=f"seed{n}", branch=branches[n % 5])
    now = timezone.now()
    AuditLog.objects.bulk_create(
        AuditLog(timestamp=now - timedelta(minutes=n), username=f"seed{n % 20}", action=f"POST /seed/{n}")
        for n in range(2000)
    )
    return {"branches": 5, "users": 20, "audit": 2000}


def run(name: str, *args: str) -> str:
    """call_command returning stdout; CommandError propagates."""
    out = io.StringIO()
    call_command(name, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def fails(name: str, *args: str) -> str:
    """The one-line reason a command fails with (the message of its CommandError)."""
    with pytest.raises(CommandError) as info:
        run(name, *args)
    message = str(info.value)
    assert "\n" not in message, f"reason is not one line: {message!r}"
    return message


def make_backup(directory: Path) -> Path:
    return Path(run("backup_database", "--dir", str(directory)).strip().splitlines()[-1])


def table_checksums(dbname: str | None = None) -> dict[str, tuple[int, str]]:
    """(row count, md5 of every row's text) for every table; packages included when it exists."""
    if connection.vendor == "postgresql":
        from psycopg import sql

        from branch_courier.ops.common import pg_connect

        with pg_connect(dbname) as conn:
            tables = conn.execute(
                "SELECT schemaname, tablename FROM pg_tables "
                "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
            ).fetchall()
            result = {}
            for schema, table in tables:
                query = sql.SQL(
                    "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) "
                    "FROM {} t"
                ).format(sql.Identifier(schema, table))
                count, digest = conn.execute(query).fetchone()
                result[f"{schema}.{table}"] = (count, digest)
            return result
    import hashlib
    import sqlite3

    from branch_courier.ops.backup import _sqlite_connect

    conn = _sqlite_connect(dbname or str(connection.settings_dict["NAME"]))
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        result = {}
        for table in names:
            rows = sorted(repr(r) for r in conn.execute(f'SELECT * FROM "{table}"'))  # noqa: S608
            result[table] = (len(rows), hashlib.md5("\n".join(rows).encode()).hexdigest())  # noqa: S324
        return result
    finally:
        conn.close()
        del sqlite3


def make_certificate(path: Path, *, not_after: datetime, host: str = "branch.courier.example") -> Path:
    """A self-signed certificate and its key (key at path.with_suffix('.key'))."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(min(not_after, datetime.now(UTC)) - timedelta(days=30))
        .not_valid_after(not_after)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    path.with_suffix(".key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return path
