"""The payment gateway: charge a card at the counter.

Contract: POST <PAYMENT_GATEWAY_URL>/charges with {amount, currency, card_token, reference} and an
Idempotency-Key header (the same key for a retry of the same charge, so a card is never charged
twice). 2xx {"status": "approved", "id": ...} or 402/2xx {"status": "declined", "reason": ...}.
Timeouts are short (PAYMENT_TIMEOUT): the clerk and the customer are waiting.
"""

from dataclasses import dataclass
from decimal import Decimal

from branch_courier.integrations.http import Client, PartnerError

APPROVED, DECLINED = "approved", "declined"


@dataclass(frozen=True)
class ChargeResult:
    approved: bool
    charge_id: str = ""
    reason: str = ""  # the gateway's decline reason, for the clerk


class PaymentClient(Client):
    service = "payment gateway"
    url_setting = "PAYMENT_GATEWAY_URL"
    auth_setting = "PAYMENT_GATEWAY_TOKEN"
    timeout_setting = "PAYMENT_TIMEOUT"

    def charge(
        self, *, amount: Decimal, currency: str, card_token: str, reference: str, idempotency_key: str
    ) -> ChargeResult:
        """Charge once per idempotency key. PartnerError on timeout, 5xx or an unreadable answer."""
        if not idempotency_key:
            raise ValueError("a charge needs an idempotency key")
        payload = {
            "amount": str(Decimal(amount).quantize(Decimal("0.01"))),
            "currency": currency,
            "card_token": card_token,
            "reference": reference,
        }
        # One retry, only when the request never got through (see http.request_json), and safe
        # because the gateway deduplicates on the key.
        response = self.call(
            "POST",
            "charges",
            payload=payload,
            idempotency_key=idempotency_key,
            retries=1,
            accept_status=frozenset({402}),
        )
        status = str(response.body.get("status", "")).lower()
        if status == APPROVED and response.status < 300:
            return ChargeResult(approved=True, charge_id=str(response.body.get("id", "")))
        if status == DECLINED:
            return ChargeResult(
                approved=False,
                charge_id=str(response.body.get("id", "")),
                reason=str(response.body.get("reason", ""))[:200],
            )
        raise PartnerError(self.service, f"unexpected answer (HTTP {response.status})", retryable=False)
