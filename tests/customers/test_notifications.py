"""Notices to customers: rendered safely from admin-editable templates, sent through the real
notification client to a stub service, their state on the package page; hold reminders."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from customers import rendering
from customers.models import NotificationTemplate
from outbox.models import OutboxMessage
from outbox.worker import Run
from packages_app.models import Package
from packages_app.services import package_dispatch, package_receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def notify_stub(settings, partner_stub):
    settings.NOTIFICATION_SERVICE_URL = partner_stub.url
    settings.ENABLE_REAL_TIME_TRACKING = False
    settings.PUBLIC_BASE_URL = "https://track.example.test"
    return partner_stub


def _ready(parcel, alice, charlie, **changes):
    if changes:
        Package.objects.filter(pk=parcel.pk).update(**changes)
        parcel.refresh_from_db()
    parcel = package_dispatch(package=parcel, actor=alice)
    return package_receive(package=parcel, actor=charlie)


def test_ready_for_pickup_sends_an_sms_with_branch_hours_and_hold_date(notify_stub, parcel, alice, charlie):
    parcel = _ready(parcel, alice, charlie)
    Package.objects.filter(pk=parcel.pk).update(hold_until=date(2030, 1, 15))
    assert Run(once=True).loop() == {"SENT": 1}
    (sent,) = notify_stub.received
    assert sent["channel"] == "sms" and sent["to"] == "+1 212 555 0177"
    text = sent["text"]
    assert "Rita Recipient" in text and parcel.tracking_number in text
    assert "Bravo North" in text and "Mon-Fri 08:00-18:00" in text and "2030-01-15" in text
    assert f"https://track.example.test/track/{parcel.tracking_number}" in text
    assert sent["html"] == ""
    message = OutboxMessage.objects.get()
    assert notify_stub.headers[0]["Idempotency-Key"] == message.key


def test_without_a_phone_the_notice_goes_by_email_with_escaped_html(notify_stub, parcel, alice, charlie):
    _ready(parcel, alice, charlie, recipient_phone="", recipient_name="<b>Rita</b> & {{ tracking_number }}")
    Run(once=True).loop()
    (sent,) = notify_stub.received
    assert sent["channel"] == "email" and sent["to"] == "rita@example.com"
    assert "&lt;b&gt;Rita&lt;/b&gt; &amp; {{ tracking_number }}" in sent["html"]
    assert "<b>Rita</b>" not in sent["html"]
    # Plain text is not HTML: the name as typed, and never evaluated as template code.
    assert "<b>Rita</b> & {{ tracking_number }}" in sent["text"]


def test_the_sender_hears_when_the_package_is_returned(notify_stub, parcel, alice, charlie):
    from packages_app.lifecycle import Status
    from packages_app.services import package_transition

    parcel = _ready(parcel, alice, charlie)
    parcel = package_transition(
        package=parcel, to_status=Status.RETURN_TO_SENDER, actor=charlie, reason_code="REFUSED"
    )
    parcel = package_dispatch(package=parcel, actor=charlie)
    package_receive(package=parcel, actor=alice)
    Run(once=True).loop()
    returned = [m for m in notify_stub.received if "come back" in m["subject"]]
    assert len(returned) == 1 and returned[0]["to"] == "+1 617 555 0142"
    assert "Sally Sender" in returned[0]["text"] and "Alpha Central" in returned[0]["text"]


def test_a_notice_that_is_no_longer_true_is_skipped(notify_stub, parcel, alice, charlie, settings):
    from packages_app.lifecycle import Status
    from packages_app.services import package_transition

    parcel = _ready(parcel, alice, charlie)
    package_transition(package=parcel, to_status=Status.DELIVERED, actor=charlie)
    Run(once=True).loop()
    assert notify_stub.received == []
    message = OutboxMessage.objects.get()
    assert message.status == "SENT" and message.last_error == "skipped: package is Delivered now"


def test_no_phone_and_no_email_is_dead_with_a_reason(notify_stub, parcel, alice, charlie):
    _ready(parcel, alice, charlie, recipient_phone="", recipient_email="")
    Run(once=True).loop()
    message = OutboxMessage.objects.get()
    assert message.status == "DEAD"
    assert (
        message.last_error
        == "notification service: no phone or e-mail to send the ready_for_pickup notice to"
    )


def test_the_admins_template_for_the_language_is_used(notify_stub, parcel, alice, charlie, settings):
    settings.NOTIFICATION_DEFAULT_LANGUAGE = "es"
    NotificationTemplate.objects.create(
        event="ready_for_pickup", language="es", subject="Listo", text="Hola {{ name }}: {{ branch_city }}"
    )
    _ready(parcel, alice, charlie)
    Run(once=True).loop()
    assert notify_stub.received[0]["text"] == "Hola Rita Recipient: Bravotown"


def test_the_migration_adds_the_starter_templates_for_admins_to_edit():
    import importlib

    from django.apps import apps

    from customers.defaults import DEFAULTS

    # (Transactional tests elsewhere flush the table, so run the migration's step again.)
    migration = importlib.import_module("customers.migrations.0002_default_templates")
    migration.add_templates(apps, None)
    assert migration.TEMPLATES == DEFAULTS
    events = set(NotificationTemplate.objects.filter(language="en").values_list("event", flat=True))
    assert events == {"ready_for_pickup", "hold_reminder", "returned"}


def test_customer_text_is_a_value_never_template_code():
    context = {"name": "{% debug %}{{ tracking_number }}<script>x</script>", "tracking_number": "RB1"}
    assert (
        rendering.render_text("Hi {{ name }}", context)
        == "Hi {% debug %}{{ tracking_number }}<script>x</script>"
    )
    html = rendering.render_html("<p>{{ name }}</p>", context)
    assert html == "<p>{% debug %}{{ tracking_number }}&lt;script&gt;x&lt;/script&gt;</p>"


@pytest.mark.parametrize(
    "source",
    [
        "{% load static %}",
        "{% include 'base.html' %}",
        "{% extends 'base.html' %}",
        "{% debug %}",
        "{% if %}",
    ],
)
def test_templates_that_reach_outside_or_do_not_compile_are_refused(source):
    template = NotificationTemplate(event="returned", language="en", subject="s", text=source)
    with pytest.raises(ValidationError) as info:
        template.full_clean()
    assert "text" in info.value.message_dict


def test_admin_shows_a_template_error_next_to_the_field(admin_client):
    template, _ = NotificationTemplate.objects.get_or_create(
        event="returned", language="en", defaults={"subject": "s", "text": "t"}
    )
    response = admin_client.post(
        f"/admin/customers/notificationtemplate/{template.pk}/change/",
        {"event": "returned", "language": "en", "subject": "s", "text": "{% include 'x' %}", "html": ""},
    )
    assert response.status_code == 200
    assert "is not allowed in notification templates" in response.content.decode()


def test_the_package_page_shows_each_notice_and_its_state(notify_stub, parcel, alice, charlie, client):
    parcel = _ready(parcel, alice, charlie)
    client.force_login(charlie)
    page = client.get(f"/packages/{parcel.tracking_number}/").content.decode()
    assert "Customer notifications" in page and "Ready for pickup" in page and "Queued" in page
    Run(once=True).loop()
    page = client.get(f"/packages/{parcel.tracking_number}/").content.decode()
    assert 'class="notice-state">Sent<' in page
    notify_stub.mode = "down"
    OutboxMessage.objects.update(status="DEAD", last_error="notification service: HTTP 503")
    page = client.get(f"/packages/{parcel.tracking_number}/").content.decode()
    assert 'class="notice-state">Failed<' in page and "notification service: HTTP 503" in page


def test_hold_reminders_go_once_to_packages_whose_hold_ends_soon(notify_stub, parcel, alice, charlie, capsys):
    parcel = _ready(parcel, alice, charlie)
    today = timezone.localdate()
    Package.objects.filter(pk=parcel.pk).update(hold_until=today + timedelta(days=2))
    OutboxMessage.objects.all().delete()
    call_command("send_hold_reminders")
    call_command("send_hold_reminders")  # the daily job ran twice: still one reminder
    assert "0 hold reminder(s) queued; 1 had been queued before." in capsys.readouterr().out
    (message,) = OutboxMessage.objects.all()
    assert message.payload == {"package_id": parcel.pk, "event": "hold_reminder"}
    Run(once=True).loop()
    assert "Reminder" in notify_stub.received[0]["subject"]
    # A hold extended to a new date earns a new reminder when that one comes close.
    Package.objects.filter(pk=parcel.pk).update(hold_until=today + timedelta(days=1))
    call_command("send_hold_reminders")
    assert OutboxMessage.objects.count() == 2


def test_hold_reminders_skip_holds_far_away_or_past(parcel, alice, charlie, settings):
    settings.ENABLE_REAL_TIME_TRACKING = False
    parcel = _ready(parcel, alice, charlie)
    OutboxMessage.objects.all().delete()
    today = timezone.localdate()
    for days in (5, -1):
        Package.objects.filter(pk=parcel.pk).update(hold_until=today + timedelta(days=days))
        call_command("send_hold_reminders", verbosity=0)
    assert not OutboxMessage.objects.exists()


def test_links_use_the_first_host_name_when_no_public_url_is_set(settings):
    from customers.notifications import public_base_url

    settings.PUBLIC_BASE_URL = ""
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*", "branch.courier.example", "localhost"]
    assert public_base_url() == "https://branch.courier.example"
    settings.PUBLIC_BASE_URL = "https://track.courier.example/"
    assert public_base_url() == "https://track.courier.example"
