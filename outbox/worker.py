"""The outbox worker loop behind `manage.py run_outbox` (kept apart from the command to be testable)."""

import logging
import signal
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from django.db import DatabaseError, close_old_connections, connection

from outbox import services
from outbox.metrics import refresh_gauges

logger = logging.getLogger(__name__)


class Stop:
    """Set by SIGTERM/SIGINT: the message in hand is finished, then the loop ends."""

    def __init__(self):
        self.event = threading.Event()

    def install(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum, frame):
        logger.info("outbox worker stopping", extra={"signal": signal.Signals(signum).name})
        self.event.set()

    @property
    def requested(self) -> bool:
        return self.event.is_set()

    def wait(self, seconds: float) -> None:
        self.event.wait(seconds)


@dataclass
class Run:
    once: bool = False
    max_messages: int = 0
    max_seconds: float = 0.0
    poll_seconds: float = 1.0
    gauges_every: float = 0.0  # 0: never refresh the gauges (no metrics port)
    stop: Stop = field(default_factory=Stop)
    results: Counter = field(default_factory=Counter)
    on_result: object = None  # callable(message, result) for progress output

    def loop(self) -> Counter:
        started = time.monotonic()
        last_gauges = 0.0
        while not self.stop.requested:
            now = time.monotonic()
            if self.max_seconds and now - started >= self.max_seconds:
                break
            if self.max_messages and self.results.total() >= self.max_messages:
                break
            if self.gauges_every and now - last_gauges >= self.gauges_every:
                self._refresh_gauges()
                last_gauges = now
            try:
                claim = services.claim_next()
            except DatabaseError as exc:
                # A database blip: drop the connection, wait, try again (Kubernetes restarts us
                # only if the process dies, and a dead worker helps nobody).
                logger.warning("outbox claim failed", extra={"error": str(exc)[:200]})
                if not connection.in_atomic_block:
                    connection.close()
                self.stop.wait(self.poll_seconds)
                continue
            if claim is None:
                if self.once:
                    break
                if not connection.in_atomic_block:  # (tests run the loop inside a transaction)
                    close_old_connections()
                self.stop.wait(self.poll_seconds)
                continue
            result = services.deliver(claim)
            self.results[result] += 1
            if self.on_result:
                self.on_result(claim.message, result)
        if self.gauges_every:
            self._refresh_gauges()
        return self.results

    def _refresh_gauges(self):
        try:
            refresh_gauges()
        except DatabaseError as exc:
            logger.warning("outbox gauges not refreshed", extra={"error": str(exc)[:200]})
