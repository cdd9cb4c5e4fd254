"""gunicorn's gthread worker, leaving new connections to idle workers while its threads are taken.

All workers wait on one shared listening socket, and the first awake accepts what is queued. When
clients open several keep-alive connections at once (nginx's upstream pool, `keepalive 32` in
deploy/nginx; a load generator), one worker could take them all and serve them on one core's worth
of GIL while the other workers sat idle: `make bench` saw 4 connections on one worker halve what 4
workers serve (docs/performance.md, "Where the connections land").

So a worker that holds as many connections as it has threads stops listening for a moment after
each accept (ACCEPT_STEP_BACK_MS, default 2 ms). An idle worker takes what arrives meanwhile; if
none does, this one accepts again when the moment is over, so a connection waits at most that long.
Nothing changes for a worker with a free thread, nor once connections are open.
"""

import os
import time

from gunicorn.workers.gthread import ThreadWorker


def step_back_seconds() -> float:
    return int(os.environ.get("GUNICORN_ACCEPT_STEP_BACK_MS", "2")) / 1000


class BalancedThreadWorker(ThreadWorker):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.step_back = step_back_seconds()
        self.listening_again_at = 0.0

    def accept(self, listener):
        super().accept(listener)
        if self.step_back > 0 and self.nr_conns >= self.cfg.threads:
            self.listening_again_at = time.monotonic() + self.step_back
            self.set_accept_enabled(False)

    def set_accept_enabled(self, enabled):
        # run() asks to listen again on every turn of its loop: not before the moment is over.
        # A stopping worker (alive is False) is let through as gunicorn wants.
        if enabled and self.alive and time.monotonic() < self.listening_again_at:
            return
        super().set_accept_enabled(enabled)

    def wait_for_and_dispatch_events(self, timeout):
        # Wake up when the moment is over, not after run()'s usual second without events.
        if self.alive and not self._accepting and self.listening_again_at:
            timeout = min(timeout, max(self.listening_again_at - time.monotonic(), 0.0))
        super().wait_for_and_dispatch_events(timeout)
