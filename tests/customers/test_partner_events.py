"""The one hook: every PackageEvent queues its tracking push (flag on) and its notices, in the
transition's own transaction."""

import pytest
from django.db import transaction

from outbox.models import OutboxMessage
from packages_app.lifecycle import Status, TransitionError
from packages_app.services import package_dispatch, package_receive, package_transition
from tests.customers.conftest import PERSONAL

pytestmark = pytest.mark.django_db


def _topics():
    return list(OutboxMessage.objects.order_by("id").values_list("topic", flat=True))


def test_with_real_time_tracking_every_event_is_pushed_without_personal_data(settings, parcel, alice):
    settings.ENABLE_REAL_TIME_TRACKING = True
    package_dispatch(package=parcel, actor=alice)
    (message,) = OutboxMessage.objects.filter(topic="tracking.event")
    assert message.payload["tracking_number"] == parcel.tracking_number
    assert message.payload["status"] == Status.IN_TRANSIT and message.payload["city"] == "Alphaville"
    assert message.key == f"tracking-event:{message.payload['event_id']}"
    assert not any(p in str(message.payload) for p in PERSONAL)


def test_without_real_time_tracking_nothing_is_pushed(settings, parcel, alice):
    settings.ENABLE_REAL_TIME_TRACKING = False
    package_dispatch(package=parcel, actor=alice)
    assert _topics() == []


def test_ready_for_pickup_queues_a_notice_for_the_package(settings, parcel, alice, charlie):
    settings.ENABLE_REAL_TIME_TRACKING = False
    parcel = package_dispatch(package=parcel, actor=alice)
    package_receive(package=parcel, actor=charlie)
    (message,) = OutboxMessage.objects.all()
    assert message.topic == "notification.package"
    assert message.payload == {"package_id": parcel.pk, "event": "ready_for_pickup"}
    assert message.subject == f"package:{parcel.pk}"


def test_returned_queues_a_notice_to_the_sender(settings, parcel, alice, charlie):
    settings.ENABLE_REAL_TIME_TRACKING = True
    parcel = package_dispatch(package=parcel, actor=alice)
    parcel = package_receive(package=parcel, actor=charlie)
    parcel = package_transition(
        package=parcel, to_status=Status.RETURN_TO_SENDER, actor=charlie, reason_code="REFUSED"
    )
    parcel = package_dispatch(package=parcel, actor=charlie)
    parcel = package_receive(package=parcel, actor=alice)
    assert parcel.status == Status.RETURN_TO_SENDER  # back at the origin, waiting for the sender
    notices = list(
        OutboxMessage.objects.filter(topic="notification.package")
        .order_by("id")
        .values_list("payload", flat=True)
    )
    assert [n["event"] for n in notices] == ["ready_for_pickup", "returned"]
    assert OutboxMessage.objects.filter(topic="tracking.event").count() == 5


def test_a_rolled_back_transition_queues_nothing(settings, parcel, alice):
    settings.ENABLE_REAL_TIME_TRACKING = True
    with pytest.raises(RuntimeError), transaction.atomic():
        package_dispatch(package=parcel, actor=alice)
        assert _topics() == ["tracking.event"]
        raise RuntimeError("something later in the same request failed")
    assert _topics() == []
    parcel.refresh_from_db()
    assert parcel.status == Status.RECEIVED


def test_a_refused_transition_queues_nothing(settings, parcel, charlie):
    settings.ENABLE_REAL_TIME_TRACKING = True
    with pytest.raises(TransitionError):
        package_dispatch(package=parcel, actor=charlie)  # not charlie's branch
    assert _topics() == []
