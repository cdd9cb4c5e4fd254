"""The partner clients, through real HTTP against a stub server on 127.0.0.1."""

import time
from decimal import Decimal

import pytest

from branch_courier.integrations.http import PartnerError
from branch_courier.integrations.notification import NotificationClient
from branch_courier.integrations.payment import PaymentClient
from branch_courier.integrations.tracking import TrackingClient


def test_tracking_push_sends_the_event_with_its_idempotency_key(partner_stub):
    TrackingClient(base_url=partner_stub.url).push_event(
        event={"tracking_number": "RB123456785US", "status": "IN_TRANSIT"}, idempotency_key="k-1"
    )
    assert partner_stub.received == [{"tracking_number": "RB123456785US", "status": "IN_TRANSIT"}]
    assert partner_stub.headers[0]["Idempotency-Key"] == "k-1"
    assert partner_stub.headers[0]["Content-Type"] == "application/json"


def test_it_sends_the_bearer_token_when_one_is_configured(partner_stub):
    TrackingClient(base_url=partner_stub.url, token="s3cret").push_event(event={}, idempotency_key="k")
    assert partner_stub.headers[0]["Authorization"] == "Bearer s3cret"


def test_notification_send_returns_the_service_message_id(partner_stub):
    partner_stub.answers["/messages"] = (202, {"id": "msg-42"})
    message_id = NotificationClient(base_url=partner_stub.url).send(
        channel="sms", to="+12125550199", text="Your parcel is ready", idempotency_key="n-1"
    )
    assert message_id == "msg-42"
    assert partner_stub.received[0]["channel"] == "sms"


def test_notification_refuses_an_unknown_channel(partner_stub):
    with pytest.raises(PartnerError, match="notification service: unknown channel"):
        NotificationClient(base_url=partner_stub.url).send(
            channel="fax", to="x", text="t", idempotency_key="n-1"
        )
    assert partner_stub.received == []


def test_a_5xx_names_the_service_and_is_retryable(partner_stub):
    partner_stub.mode = "down"
    with pytest.raises(PartnerError) as info:
        TrackingClient(base_url=partner_stub.url).push_event(event={}, idempotency_key="k")
    assert str(info.value) == "tracking service: HTTP 503"
    assert info.value.retryable


def test_a_4xx_is_not_retryable(partner_stub):
    partner_stub.answers["/events"] = (422, {"error": "bad event"})
    with pytest.raises(PartnerError) as info:
        TrackingClient(base_url=partner_stub.url).push_event(event={}, idempotency_key="k")
    assert info.value.status == 422
    assert not info.value.retryable


def test_an_unreachable_service_is_named(closed_port):
    with pytest.raises(PartnerError, match=r"^notification service: unreachable"):
        NotificationClient(base_url=f"http://127.0.0.1:{closed_port}").send(
            channel="email", to="a@example.com", text="t", idempotency_key="k"
        )


def test_an_unset_url_says_which_setting_is_missing(settings):
    settings.TRACKING_SERVICE_URL = ""
    with pytest.raises(PartnerError, match="TRACKING_SERVICE_URL is unset"):
        TrackingClient().push_event(event={}, idempotency_key="k")


def test_a_non_http_url_is_refused():
    with pytest.raises(PartnerError, match="http:// or https://"):
        TrackingClient(base_url="file:///etc/passwd").push_event(event={}, idempotency_key="k")


def _charge(url, key="pay-1", timeout=None):
    return PaymentClient(base_url=url, timeout=timeout).charge(
        amount=Decimal("12.5"), currency="USD", card_token="tok_visa", reference="RB1", idempotency_key=key
    )


def test_payment_approved(partner_stub):
    partner_stub.answers["/charges"] = (201, {"status": "approved", "id": "ch_1"})
    result = _charge(partner_stub.url)
    assert result.approved and result.charge_id == "ch_1"
    assert partner_stub.received[0]["amount"] == "12.50"
    assert partner_stub.headers[0]["Idempotency-Key"] == "pay-1"


def test_payment_declined_with_402_is_an_answer_not_an_error(partner_stub):
    partner_stub.answers["/charges"] = (402, {"status": "declined", "reason": "insufficient funds"})
    result = _charge(partner_stub.url)
    assert not result.approved
    assert result.reason == "insufficient funds"


def test_payment_timeout_is_a_clear_error_and_is_not_retried(partner_stub):
    partner_stub.mode, partner_stub.delay = "slow", 1.0
    started = time.perf_counter()
    with pytest.raises(PartnerError) as info:
        _charge(partner_stub.url, timeout=0.3)
    assert str(info.value) == "payment gateway: timed out after 0.3s"
    # One attempt only: a read timeout may mean the charge went through; the clerk decides.
    assert time.perf_counter() - started < 0.9


def test_payment_5xx_is_retried_once_with_the_same_key(partner_stub):
    partner_stub.mode = "down"
    with pytest.raises(PartnerError, match=r"^payment gateway: HTTP 503$"):
        _charge(partner_stub.url, key="pay-7")
    partner_stub.mode = "up"
    partner_stub.answers["/charges"] = (200, {"status": "approved", "id": "ch_7"})
    assert _charge(partner_stub.url, key="pay-7").approved
    # The repeated request carries the same key, so a gateway that honours it charges once.
    assert len(partner_stub.delivered) == 1


def test_payment_needs_an_idempotency_key(partner_stub):
    with pytest.raises(ValueError, match="idempotency key"):
        _charge(partner_stub.url, key="")


def test_payment_unreadable_answer_is_an_error(partner_stub):
    partner_stub.answers["/charges"] = (200, {"weird": True})
    with pytest.raises(PartnerError, match="payment gateway: unexpected answer"):
        _charge(partner_stub.url)


def test_health_is_quiet_when_up_and_raises_when_down(partner_stub, closed_port):
    PaymentClient(base_url=partner_stub.url).health()
    with pytest.raises(PartnerError, match="payment gateway: unreachable"):
        PaymentClient(base_url=f"http://127.0.0.1:{closed_port}").health()


def test_health_report_carries_the_reason_without_the_url(db, client, settings, partner_stub):
    partner_stub.mode = "down"
    settings.PAYMENT_GATEWAY_URL = partner_stub.url
    body = client.get("/health").json()
    payment = body["checks"]["externalServices"]["services"]["payment"]
    assert payment == {"status": "DOWN", "error": "HTTP 503", "latency_ms": payment["latency_ms"]}
    assert str(partner_stub.server.server_port) not in str(body)
