"""The notification service: sends an SMS or an e-mail that we have already rendered.

Contract: POST <NOTIFICATION_SERVICE_URL>/messages with {channel, to, subject, text, html} and an
Idempotency-Key header; any 2xx means accepted for delivery.
"""

from branch_courier.integrations.http import Client, PartnerError

SMS, EMAIL = "sms", "email"


class NotificationClient(Client):
    service = "notification service"
    url_setting = "NOTIFICATION_SERVICE_URL"
    auth_setting = "NOTIFICATION_SERVICE_TOKEN"

    def send(
        self, *, channel: str, to: str, text: str, idempotency_key: str, subject: str = "", html: str = ""
    ) -> str:
        """Hand one message over; returns the service's message id ('' if it gives none)."""
        if channel not in (SMS, EMAIL):
            raise PartnerError(self.service, f"unknown channel {channel!r}", retryable=False)
        payload = {"channel": channel, "to": to, "subject": subject, "text": text, "html": html}
        response = self.call("POST", "messages", payload=payload, idempotency_key=idempotency_key)
        return str(response.body.get("id", ""))
