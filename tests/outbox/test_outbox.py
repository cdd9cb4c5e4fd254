"""The outbox: enqueue in the caller's transaction, claim, deliver through the real clients, retry,
park dead, replay; /health and metrics. Partners are a stub HTTP server on 127.0.0.1."""

import time
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from outbox import services
from outbox.metrics import refresh_gauges
from outbox.models import OutboxMessage
from outbox.services import claim_next, deliver, enqueue
from outbox.worker import Run
from tests.outbox.conftest import queue

pytestmark = pytest.mark.django_db
Status = OutboxMessage.Status


def drain(**kwargs):
    return Run(once=True, **kwargs).loop()


def test_a_rolled_back_transaction_queues_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue(topic="tracking.event", payload={}, key="k1")
        raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_enqueue_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        enqueue(topic="tracking.event", payload={}, key="k1")


def test_the_same_key_is_queued_once_and_the_transaction_goes_on():
    with transaction.atomic():
        first = enqueue(topic="tracking.event", payload={}, key="same")
        again = enqueue(topic="tracking.event", payload={}, key="same")
        after = enqueue(topic="tracking.event", payload={}, key="other")
    assert first is not None and again is None and after is not None
    assert OutboxMessage.objects.count() == 2


def test_it_delivers_with_the_idempotency_key(fast_outbox, partner_stub):
    queue(3)
    results = drain()
    assert results == {"SENT": 3}
    assert sorted(h["Idempotency-Key"] for h in partner_stub.headers) == ["m-0", "m-1", "m-2"]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.SENT}
    assert all(m.sent_at for m in OutboxMessage.objects.all())


def test_a_service_down_for_a_while_gets_every_message_once_when_it_is_back(fast_outbox, partner_stub):
    fast_outbox.OUTBOX_BACKOFF_BASE_SECONDS = fast_outbox.OUTBOX_BACKOFF_MAX_SECONDS = 0.3
    fast_outbox.OUTBOX_MAX_ATTEMPTS = 50  # (a slow machine may retry more often within a round)
    queue(20)
    partner_stub.mode = "down"
    for _ in range(3):  # three rounds of failures while it is down, each after the backoff
        drain()
        time.sleep(0.35)
    assert OutboxMessage.objects.filter(status=Status.PENDING, attempts__gte=3).count() == 20
    assert all(m.last_error == "tracking service: HTTP 503" for m in OutboxMessage.objects.all())
    assert partner_stub.received == []  # the stub answered 503 before storing anything

    partner_stub.mode = "up"
    drain()
    assert OutboxMessage.objects.filter(status=Status.SENT).count() == 20
    assert len(partner_stub.delivered) == 20
    assert len(partner_stub.received) == 20 and partner_stub.duplicates == 0


def test_failures_back_off_exponentially_with_jitter(settings):
    settings.OUTBOX_BACKOFF_BASE_SECONDS = 10
    settings.OUTBOX_BACKOFF_MAX_SECONDS = 300
    for attempt, ceiling in ((1, 10), (2, 20), (3, 40), (6, 300), (12, 300)):
        delays = {services.backoff_seconds(attempt) for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays), (attempt, delays)
        assert len(delays) > 1  # jitter: not all the same


def test_too_many_failures_park_the_message_as_dead_and_replay_brings_it_back(
    fast_outbox, partner_stub, admin_user
):
    (message,) = queue(1)
    partner_stub.mode = "down"
    for _ in range(fast_outbox.OUTBOX_MAX_ATTEMPTS + 2):
        drain()
        time.sleep(0.03)
    message.refresh_from_db()
    assert message.status == Status.DEAD and message.attempts == fast_outbox.OUTBOX_MAX_ATTEMPTS

    partner_stub.mode = "up"
    drain()
    message.refresh_from_db()
    assert message.status == Status.DEAD  # dead stays dead until an operator replays it

    assert services.replay(messages=[message], actor=admin_user) == 1
    drain()
    message.refresh_from_db()
    assert message.status == Status.SENT and message.attempts == 1
    assert len(partner_stub.delivered) == 1


def test_a_4xx_is_dead_at_once(fast_outbox, partner_stub):
    (message,) = queue(1)
    partner_stub.answers["/events"] = (422, {"error": "bad"})
    drain()
    message.refresh_from_db()
    assert message.status == Status.DEAD and message.attempts == 1
    assert message.last_error == "tracking service: HTTP 422"


def test_a_topic_without_handler_is_dead_with_a_clear_reason(fast_outbox):
    (message,) = queue(1, topic="nobody.listens")
    drain()
    message.refresh_from_db()
    assert message.status == Status.DEAD
    assert message.last_error == "no handler for topic nobody.listens"


def test_a_handler_bug_is_retried_not_fatal(fast_outbox, broken_topic):
    (message,) = queue(1, topic=broken_topic)
    drain()
    message.refresh_from_db()
    assert message.status == Status.PENDING and message.last_error == "KeyError in handler"


def test_a_claim_that_is_never_finished_becomes_due_after_the_lease(fast_outbox, partner_stub):
    fast_outbox.OUTBOX_LEASE_SECONDS = 30
    (message,) = queue(1)
    claim = claim_next()  # a worker takes it, then dies before sending
    assert claim.message.status == Status.SENDING
    assert claim_next() is None  # nobody else takes it while the lease runs
    later = timezone.now() + timedelta(seconds=31)
    second = claim_next(now=later)
    assert second is not None and second.message.pk == message.pk and second.attempt == 2
    assert deliver(second) == Status.SENT
    # The first worker waking up late cannot overwrite the outcome.
    assert deliver(claim) == "LEASE_LOST"
    message.refresh_from_db()
    assert message.status == Status.SENT and message.attempts == 2


def test_replay_leaves_messages_that_are_not_dead_alone(fast_outbox, admin_user):
    (message,) = queue(1)
    assert services.replay(messages=[message], actor=admin_user) == 0
    message.refresh_from_db()
    assert message.status == Status.PENDING


def test_replay_through_admin_action_is_audited(fast_outbox, partner_stub, admin_client):
    from audit.models import AuditLog

    (message,) = queue(1)
    OutboxMessage.objects.filter(pk=message.pk).update(status=Status.DEAD, attempts=5, last_error="x")
    response = admin_client.post(
        "/admin/outbox/outboxmessage/",
        {"action": "replay_dead", "_selected_action": [message.pk]},
        follow=True,
    )
    assert b"1 dead message(s) queued again." in response.content
    message.refresh_from_db()
    assert message.status == Status.PENDING and message.attempts == 0
    assert AuditLog.objects.filter(action="outbox.replay").count() == 1


def test_admin_lists_dead_messages(fast_outbox, admin_client):
    (message,) = queue(1)
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=Status.DEAD, last_error="tracking service: HTTP 503"
    )
    response = admin_client.get("/admin/outbox/outboxmessage/?status=DEAD")
    assert response.status_code == 200
    assert b"tracking service: HTTP 503" in response.content


def test_max_messages_and_max_seconds_bound_the_worker(fast_outbox):
    queue(5)
    assert Run(max_messages=2, poll_seconds=0.01).loop().total() == 2
    started = time.monotonic()
    Run(max_seconds=0.3, poll_seconds=0.05, max_messages=100).loop()
    assert time.monotonic() - started < 2
    assert OutboxMessage.objects.filter(status=Status.SENT).count() == 5


def test_run_outbox_command_prints_a_summary(fast_outbox, capsys):
    queue(2)
    call_command("run_outbox", "--once", "--verbosity", "2")
    out = capsys.readouterr().out
    assert "tracking.event m-0: SENT" in out and "2 sent" in out


@pytest.mark.parametrize("args", [["--max-messages", "-1"], ["--poll-seconds", "0"]])
def test_run_outbox_refuses_bad_options(args):
    with pytest.raises(CommandError):
        call_command("run_outbox", "--once", *args)


def test_health_reports_an_outbox_backlog_that_is_too_old(client, settings):
    settings.OUTBOX_MAX_AGE = 60
    queue(1)
    body = client.get("/health").json()
    outbox = body["checks"]["externalServices"]["services"]["outbox"]
    assert outbox["status"] == "UP" and outbox["pending"] == 1
    OutboxMessage.objects.update(created_at=timezone.now() - timedelta(seconds=120))
    body = client.get("/health").json()
    outbox = body["checks"]["externalServices"]["services"]["outbox"]
    assert outbox["status"] == "DOWN" and outbox["oldest_pending_seconds"] >= 120
    assert body["checks"]["externalServices"]["status"] == "DOWN"
    # The ops guide's shape stays: database, redis, externalServices; not required by default.
    assert set(body["checks"]) == {"database", "redis", "externalServices"}
    assert body["status"] == "UP"


def test_gauges_count_pending_and_dead():
    queue(3)
    OutboxMessage.objects.filter(key="m-0").update(status=Status.DEAD)
    figures = refresh_gauges()
    assert figures["pending"] == 2 and figures["dead"] == 1
    from prometheus_client import REGISTRY

    assert REGISTRY.get_sample_value("outbox_pending_messages") == 2
    assert REGISTRY.get_sample_value("outbox_dead_messages") == 1


def test_delivery_latency_is_observed(fast_outbox):
    from prometheus_client import REGISTRY

    labels = {"topic": "tracking.event"}
    before = REGISTRY.get_sample_value("outbox_delivery_latency_seconds_count", labels) or 0
    queue(2)
    drain()
    assert REGISTRY.get_sample_value("outbox_delivery_latency_seconds_count", labels) == before + 2


def test_purge_outbox_dry_runs_then_deletes_only_old_sent_messages(capsys):
    queue(4)
    old = timezone.now() - timedelta(days=100)
    OutboxMessage.objects.filter(key__in=["m-0", "m-1"]).update(status=Status.SENT, sent_at=old)
    OutboxMessage.objects.filter(key="m-2").update(status=Status.DEAD, created_at=old)
    call_command("purge_outbox", "--days", "90")
    assert "Dry run: 2 sent message(s)" in capsys.readouterr().out
    assert OutboxMessage.objects.count() == 4
    call_command("purge_outbox", "--days", "90", "--for-real")
    assert "2 sent message(s) older than 90 days deleted." in capsys.readouterr().out
    assert sorted(OutboxMessage.objects.values_list("key", flat=True)) == ["m-2", "m-3"]
    with pytest.raises(CommandError, match="at least 1"):
        call_command("purge_outbox", "--days", "0")
