"""Typed environment readers that fail loudly on junk, plus NAME_FILE secrets."""

import os
import re
from datetime import timedelta

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()

_DURATION = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def secret(name: str, default: str | None = None) -> str | None:
    """Read NAME, or the file named by NAME_FILE (Kubernetes secret volumes)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            with open(path, encoding="utf-8") as fh:
                return fh.read().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={path} cannot be read: {exc.strerror}") from exc
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def duration(name: str, default: str) -> timedelta:
    """Parse '24h', '30m', '45s', '2d' or plain seconds (the ops guide writes JWT_EXPIRY=24h)."""
    raw = os.environ.get(name, default)
    match = _DURATION.match(raw)
    if not match:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a duration like 24h, 30m or 3600")
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])


def flag(name: str, default: bool) -> bool:
    """Only true/false (and 1/0, yes/no) are accepted; anything else is a configuration error."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in ("true", "1", "yes", "on"):
        return True
    if value in ("false", "0", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} must be true or false")
