"""Page-view audit rows written in batches, a second behind the request (AUDIT_PAGE_VIEW_FLUSH_SECONDS).

AuditMiddleware records every signed-in request. Writing that row on its own cost the request a
round trip and a commit: a third of the dashboard's requests/s at a million packages
(docs/performance.md). So the middleware hands the row to this per-process buffer, and a
background thread writes what is pending once a second in one INSERT; a request thread writes the
batch itself when AUDIT_PAGE_VIEW_BATCH rows are waiting, and a worker writes what is left when it
exits (gunicorn's worker_exit hook, and atexit).

What an auditor can rely on:
- the row's JSON log line goes out during the request, as before, so the log stream is complete
  even for a row the database never gets;
- the row's timestamp, request id and duration are the request's, whenever it is written;
- while the database is down, rows wait and are written when it is back, up to
  MAX_PENDING_BATCHES batches; beyond that the oldest are dropped, each logged at ERROR and
  counted in audit_write_failures_total;
- a row the database refuses (a constraint) is logged and counted the same way and does not hold
  back the others;
- a worker killed outright (SIGKILL, out of memory) loses at most the last second's rows from the
  table; their log lines went out already.

Domain records (a package's status change, a payment) never come here: audit_record() writes them
in the transaction of the change. 0 seconds writes each page-view row at once, as before (the test
settings do, so tests see the row after the request).
"""

import atexit
import logging
import os
import threading
import time

from django.conf import settings
from django.db import DataError, IntegrityError, close_old_connections, transaction

from audit.metrics import AUDIT_PAGE_VIEW_FLUSH_SECONDS, AUDIT_WRITE_FAILURES
from audit.models import AuditLog
from audit.services import audit_record_safely, build_entry, log_entry

logger = logging.getLogger("audit")

# While the database is away, keep this many batches' worth of rows before dropping the oldest.
MAX_PENDING_BATCHES = 50
# How often the thread looks whether the oldest pending row has waited the interval.
TICK_SECONDS = 0.1

_lock = threading.Lock()
_pending: list[AuditLog] = []
# When the oldest pending row came in (time.monotonic()), or None when nothing is pending.
_oldest: float | None = None
_flusher: threading.Thread | None = None


def record(**kwargs) -> None:
    """The middleware's row: logged now, written within AUDIT_PAGE_VIEW_FLUSH_SECONDS."""
    if settings.AUDIT_PAGE_VIEW_FLUSH_SECONDS <= 0:
        audit_record_safely(**kwargs)
        return
    try:
        entry = build_entry(**kwargs)
    except Exception:  # like audit_record_safely: recording a page never breaks it
        AUDIT_WRITE_FAILURES.inc()
        logger.exception("audit entry could not be built", extra={"audit_action": kwargs.get("action", "")})
        return
    log_entry(entry)
    global _oldest
    with _lock:
        if not _pending:
            _oldest = time.monotonic()
        _pending.append(entry)
        full = len(_pending) >= settings.AUDIT_PAGE_VIEW_BATCH
    _ensure_flusher()
    if full:
        flush()


def pending() -> int:
    with _lock:
        return len(_pending)


def flush() -> int:
    """Write every pending row now; how many were written. Safe from any thread, never raises."""
    global _oldest
    with _lock:
        rows = _pending[:]
        _pending.clear()
        _oldest = None
    if not rows:
        return 0
    started = time.perf_counter()
    try:
        written = _write(rows)
    except Exception as exc:  # the database is away (or worse): keep the rows for the next try
        _put_back(rows, exc)
        return 0
    AUDIT_PAGE_VIEW_FLUSH_SECONDS.observe(time.perf_counter() - started)
    return written


def _write(rows: list[AuditLog]) -> int:
    try:
        with transaction.atomic():
            AuditLog.objects.bulk_create(rows)
        return len(rows)
    except (IntegrityError, DataError):
        pass  # some row is refused: write them one by one below, so only that one is lost
    written = 0
    for entry in rows:
        entry.pk, entry._state.adding = None, True  # bulk_create's rollback may have left a pk set
        try:
            with transaction.atomic():
                entry.save(force_insert=True)
            written += 1
        except (IntegrityError, DataError):
            _drop([entry], "audit page view refused by the database")
    return written


def _put_back(rows: list[AuditLog], exc: Exception) -> None:
    global _oldest
    limit = MAX_PENDING_BATCHES * settings.AUDIT_PAGE_VIEW_BATCH
    with _lock:
        _oldest = time.monotonic()  # the next try comes one interval from now
        _pending[:0] = rows  # oldest first, ahead of what came in meanwhile
        overflow = len(_pending) - limit
        dropped = _pending[:overflow] if overflow > 0 else []
        del _pending[: max(overflow, 0)]
        waiting = len(_pending)
    logger.warning(
        "audit page views not written yet; retrying",
        extra={"error": type(exc).__name__, "pending": waiting},
    )
    if dropped:
        _drop(dropped, "audit page view dropped: too many waiting while the database was away")


def _drop(rows: list[AuditLog], message: str) -> None:
    for entry in rows:
        AUDIT_WRITE_FAILURES.inc()
        log_entry(entry, message, logging.ERROR)


def _ensure_flusher() -> None:
    global _flusher
    if _flusher is not None and _flusher.is_alive():
        return
    with _lock:
        if _flusher is None or not _flusher.is_alive():
            _flusher = threading.Thread(target=_flush_forever, name="audit-page-views", daemon=True)
            _flusher.start()


def _due() -> bool:
    oldest = _oldest
    return oldest is not None and time.monotonic() - oldest >= settings.AUDIT_PAGE_VIEW_FLUSH_SECONDS


def _flush_forever() -> None:
    # Short ticks rather than one long sleep, so the interval is read afresh (settings can change
    # in tests) and a row waits about the interval, not up to two.
    while True:
        time.sleep(TICK_SECONDS)
        if not _due():
            continue
        # This thread has its own connection: drop it when broken or past CONN_MAX_AGE, as a
        # request thread does at the end of each request.
        try:
            close_old_connections()
            flush()
        except Exception:  # the thread must outlive any one failure, or rows would pile up
            logger.exception("audit page-view flush failed")


def _after_fork_in_child() -> None:
    # A forked worker starts with no rows and no thread of its own (threads do not survive fork).
    global _flusher, _lock, _oldest
    _lock = threading.Lock()
    _pending.clear()
    _oldest = _flusher = None


os.register_at_fork(after_in_child=_after_fork_in_child)
atexit.register(flush)
