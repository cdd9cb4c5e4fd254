"""The tracking service: receives every package event as it happens (ENABLE_REAL_TIME_TRACKING).

Contract: POST <TRACKING_SERVICE_URL>/events with a JSON event and an Idempotency-Key header;
any 2xx means stored. A receiver that sees a key twice must store the event once.
"""

from branch_courier.integrations.http import Client


class TrackingClient(Client):
    service = "tracking service"
    url_setting = "TRACKING_SERVICE_URL"
    auth_setting = "TRACKING_SERVICE_TOKEN"

    def push_event(self, *, event: dict, idempotency_key: str) -> None:
        self.call("POST", "events", payload=event, idempotency_key=idempotency_key)
