"""A per-client-IP fixed-window rate limit in the cache (Redis in production).

One counter per IP per window: cache.add() starts it (atomic), cache.incr() counts (atomic in
Redis). If the cache is down the request is allowed: a Redis outage must not close the public page.
"""

import os
import re
import threading
import time
from typing import Any

import hiredis
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from redis.exceptions import ConnectionError as RedisConnectionError

from branch_courier.core.client_ip import client_ip

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'60/m' → (60, 60); '1000/h' → (1000, 3600); '10/30s' → (10, 30)."""
    match = _RATE.match(rate or "")
    if not match:
        raise ImproperlyConfigured(f"rate {rate!r} must look like 60/m, 1000/h or 10/30s")
    count, multiple, unit = int(match.group(1)), int(match.group(2) or 1), match.group(3)
    return count, multiple * _SECONDS[unit]


def hit(request, *, scope: str, rate: str, and_get: str | None = None) -> tuple[bool, int, Any]:
    """Count this request; return (allowed, seconds until the window resets, cached value).

    `and_get` is a cache key the caller reads next (the public tracking page's cached HTML): it
    is read in the same Redis round trip as the count, and its value (None if absent) returned.
    """
    limit, window = parse_rate(rate)
    now = int(time.time())
    window_start = now - now % window
    retry_after = window_start + window - now
    key = f"rl:{scope}:{client_ip(request)}:{window_start}"
    try:
        count, value = _count(key, timeout=window + 1, and_get=and_get)
    except Exception:  # the cache is down or the key expired between add and incr: allow
        return True, retry_after, None
    if count is None:  # django-redis swallowed an error (IGNORE_EXCEPTIONS)
        return True, retry_after, value
    return count <= limit, retry_after, value


def _count(key: str, *, timeout: int, and_get: str | None) -> tuple[int | None, Any]:
    """Start the window's counter if new, count, and read `and_get`: one round trip to Redis.

    On Redis, SET NX EX, INCR and GET go in one write (a cached public tracking hit is three
    Redis round trips otherwise, a quarter of its time). Elsewhere (the local-memory cache)
    add(), incr() and get().
    """
    # The backend once: each attribute of the `cache` proxy looks it up again in a context-local.
    backend = caches["default"]
    client = getattr(backend, "client", None)
    if client is None:  # not django-redis
        backend.add(key, 0, timeout=timeout)
        return backend.incr(key), (backend.get(and_get) if and_get else None)
    # make_key, not make_and_validate_key: these keys are ours (an IP, a checked tracking number)
    # and the check only warns about keys memcached would refuse.
    full_key = backend.make_key(key)
    commands = [("SET", full_key, 0, "EX", timeout, "NX"), ("INCR", full_key)]
    if and_get:
        commands.append(("GET", backend.make_key(and_get)))
    replies = _exchange(client.get_client(write=True).connection_pool, commands)
    raw = replies[2] if and_get else None
    return replies[1], (client.decode(raw) if raw is not None else None)


_own = threading.local()


def _connection(pool):
    """This thread's own connection to the cache's Redis, made like the pool's (same address,
    password and timeouts) and kept: checking one out of the pool and back for every hit (a lock,
    and a poll of the socket for stray data) was a fifth of the round trip's CPU time. A forked
    child (a gunicorn worker) makes its own rather than sharing its parent's socket."""
    if getattr(_own, "pool", None) is not pool or _own.pid != os.getpid():
        if getattr(_own, "connection", None) is not None and _own.pid == os.getpid():
            _own.connection.disconnect()  # the pool changed (tests swap the cache): close the old one
        _own.connection = pool.connection_class(**pool.connection_kwargs)
        _own.pool, _own.pid, _own.proven = pool, os.getpid(), False
    return _own.connection


def _exchange(pool, commands: list[tuple]) -> list:
    """Send the commands in one write and read their replies: what a redis-py pipeline does,
    without building a Pipeline object for three commands (a third of the round trip's CPU time).
    """
    connection = _connection(pool)
    packed = _pack(commands)
    if not _own.proven:
        return _send(connection, packed, len(commands))
    try:
        return _send(connection, packed, len(commands))
    except RedisConnectionError:
        # Redis closed this thread's idle connection (a restart, its client timeout) without
        # reading from it: the same commands once more, on a new connection. Should the reset have
        # come after Redis ran them, this request counts twice: a client at its limit gets its 429
        # one request early, once.
        return _send(connection, packed, len(commands))


def _pack(commands: list[tuple]) -> list[bytes]:
    """The commands in Redis's wire format, packed by hiredis (C, a requirement): redis-py's own
    packer encodes each argument in Python first, a fifth of a cached hit's Redis time."""
    return [b"".join(hiredis.pack_command(command) for command in commands)]  # one sendall


def _send(connection, packed, replies: int) -> list:
    """One write, then the replies. A connection that fails half-way is closed rather than used
    again with unread replies; the next use connects afresh."""
    try:
        connection.send_packed_command(packed)
        answers = [connection.read_response() for _ in range(replies)]
    except BaseException:
        connection.disconnect()
        _own.proven = False
        raise
    _own.proven = True
    return answers
