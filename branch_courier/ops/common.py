"""Shared pieces of the ops tools: the error type, libpq settings, checksums and progress."""

import hashlib
import os
import shutil
import sys
import time
from pathlib import Path
from typing import IO

from django.db import connection


class OpsError(Exception):
    """A failure an operator can act on; its message is the one-line reason shown to them."""


def one_line(text: str) -> str:
    """The last meaningful line of a tool's stderr, for a one-line reason."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1] if lines else "no error output"


def db_settings() -> dict:
    """The default database's settings as Django uses them (the test database under pytest)."""
    return connection.settings_dict


def engine() -> str:
    return connection.vendor  # "postgresql" or "sqlite"


def libpq_env(dbname: str | None = None) -> dict[str, str]:
    """Environment for pg_dump/psql: credentials travel here, never on the command line."""
    cfg = db_settings()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    values = {
        "PGHOST": cfg.get("HOST") or "",
        "PGPORT": str(cfg.get("PORT") or ""),
        "PGUSER": cfg.get("USER") or "",
        "PGPASSWORD": cfg.get("PASSWORD") or "",
        "PGDATABASE": dbname or cfg.get("NAME") or "",
        "PGSSLMODE": (cfg.get("OPTIONS") or {}).get("sslmode", ""),
        "PGCONNECT_TIMEOUT": str((cfg.get("OPTIONS") or {}).get("connect_timeout", 10)),
        "PGAPPNAME": "branch-courier-ops",
    }
    env.update({k: v for k, v in values.items() if v})
    return env


def pg_connect(dbname: str | None = None, *, autocommit: bool = True):
    """A psycopg connection of our own (outside Django's transaction handling)."""
    import psycopg

    cfg = db_settings()
    options = cfg.get("OPTIONS") or {}
    params = {
        "host": cfg.get("HOST") or None,
        "port": cfg.get("PORT") or None,
        "user": cfg.get("USER") or None,
        "password": cfg.get("PASSWORD") or None,
        "dbname": dbname or cfg.get("NAME"),
        "connect_timeout": options.get("connect_timeout", 10),
        "application_name": "branch-courier-ops",
    }
    if options.get("sslmode"):
        params["sslmode"] = options["sslmode"]
    try:
        return psycopg.connect(**{k: v for k, v in params.items() if v is not None}, autocommit=autocommit)
    except psycopg.OperationalError as exc:
        where = f"{params.get('host') or 'local socket'}:{params.get('port') or 5432}"
        raise OpsError(f"cannot connect to PostgreSQL at {where}: {one_line(str(exc))}") from exc


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise OpsError(f"{name} not found on PATH — install postgresql-client")
    return path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def human_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"


class Progress:
    """Bytes done, redrawn on one line at most every half second, only on a terminal."""

    def __init__(self, label: str, stream: IO | None = None, *, enabled: bool = True):
        self.stream = stream or sys.stdout
        self.label = label
        self.enabled = enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self.done = 0
        self._last = 0.0
        self._started = time.monotonic()

    def advance(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if self.enabled and now - self._last >= 0.5:
            self._last = now
            rate = self.done / max(now - self._started, 1e-6)
            self.stream.write(f"\r{self.label}: {human_bytes(self.done)} ({human_bytes(rate)}/s)   ")
            self.stream.flush()

    def finish(self) -> None:
        if self.enabled:
            self.stream.write(f"\r{self.label}: {human_bytes(self.done)} done{' ' * 20}\n")
            self.stream.flush()
