"""PostgreSQL only: several workers at once, a worker killed mid-send, SIGTERM, the claim's plan."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, connections

from outbox.models import OutboxMessage
from outbox.worker import Run
from tests.outbox.conftest import queue

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
Status = OutboxMessage.Status


def test_two_workers_never_send_the_same_message(fast_outbox, partner_stub):
    queue(200)
    results = []

    def worker():
        try:
            results.append(Run(once=True).loop())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(r["SENT"] for r in results) == 200
    assert sum(1 for r in results if r["SENT"]) >= 2  # they really worked side by side
    assert len(partner_stub.received) == 200 and partner_stub.duplicates == 0
    assert OutboxMessage.objects.filter(status=Status.SENT).count() == 200


def _worker_process(partner_stub, *args, **env):
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "branch_courier.settings.test",
        "DB_NAME": connection.settings_dict["NAME"],
        "TRACKING_SERVICE_URL": partner_stub.url,
        "PARTNER_TIMEOUT": "1.5",
        "OUTBOX_LEASE_SECONDS": "2",
        **env,
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_outbox", "--poll-seconds", "0.1", *args],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_worker_killed_mid_send_loses_nothing(fast_outbox, partner_stub):
    (message,) = queue(1)
    partner_stub.mode = "hold"  # the stub keeps the request open: the worker is mid-send
    process = _worker_process(partner_stub, "--max-seconds", "30")
    try:
        assert partner_stub.holding.wait(20), "the worker never sent the message"
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        process.kill()
    message.refresh_from_db()
    assert message.status == Status.SENDING and message.attempts == 1  # claimed, never finished

    partner_stub.mode = "up"
    partner_stub.release.set()
    assert Run(once=True).loop().total() == 0  # the lease still runs: nobody may take it yet
    time.sleep(2.1)  # OUTBOX_LEASE_SECONDS of the dead worker's claim
    fast_outbox.OUTBOX_LEASE_SECONDS = 30
    assert Run(once=True).loop() == {"SENT": 1}
    message.refresh_from_db()
    assert message.status == Status.SENT and message.attempts == 2
    # The killed worker's request never completed, so the partner stored the message once.
    assert list(partner_stub.delivered) == [message.key]


def test_sigterm_finishes_the_message_in_hand_and_exits_zero(fast_outbox, partner_stub):
    (message,) = queue(1)
    partner_stub.mode = "hold"
    process = _worker_process(partner_stub)
    try:
        assert partner_stub.holding.wait(20)
        process.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        partner_stub.release.set()
        out, err = process.communicate(timeout=20)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert "outbox worker stopped: 1 sent" in out
    message.refresh_from_db()
    assert message.status == Status.SENT


def test_the_claim_query_uses_the_partial_due_index(fast_outbox):
    from django.db import transaction
    from django.utils import timezone

    from outbox.services import claim_queryset

    queue(5)
    with transaction.atomic(), connection.cursor() as cursor:
        sql, params = claim_queryset(timezone.now()).query.sql_with_params()
        assert "FOR UPDATE SKIP LOCKED" in sql
        # The table is tiny here; forbid the sequential scan so the planner shows the index it
        # would use on a big table with a small backlog.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "outbox_due" in plan, plan
