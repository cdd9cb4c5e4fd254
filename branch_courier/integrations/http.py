"""One small JSON-over-HTTP helper for the partner clients (stdlib urllib: no extra dependency).

Rules every partner call follows:
- a timeout on every request (a slow partner never hangs a worker or a clerk);
- retries only where they are safe: GET/HEAD, or a request that carries an idempotency key; and
  only for failures worth repeating at once (connection refused, 5xx, 429), never after a
  read timeout (the wait is already spent; the outbox retries later with backoff);
- errors name the service and say what happened, e.g. "payment gateway: timed out after 3.0s",
  and never carry the URL's credentials, the request body or personal data.
"""

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from branch_courier import __version__

USER_AGENT = f"branch-courier/{__version__}"
_RETRYABLE_STATUS = frozenset({429})
_SAFE_METHODS = frozenset({"GET", "HEAD"})


class PartnerError(Exception):
    """A partner service failed; str() is a one-line reason that names the service.

    `retryable` says whether sending the same request again later may succeed (outages, 5xx,
    timeouts); False for answers that will not change (4xx: a bad request, a missing resource).
    """

    def __init__(self, service: str, reason: str, *, status: int | None = None, retryable: bool = True):
        super().__init__(f"{service}: {reason}")
        self.service = service
        self.reason = reason
        self.status = status
        self.retryable = retryable


class NotConfiguredError(PartnerError):
    def __init__(self, service: str, setting: str):
        super().__init__(service, f"not configured ({setting} is unset)", retryable=True)


@dataclass(frozen=True)
class Response:
    status: int
    body: dict


def join(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + "/" + path.lstrip("/")


def check_url(service: str, url: str) -> None:
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise PartnerError(service, "URL must start with http:// or https://", retryable=False)


def request_json(
    *,
    service: str,
    method: str,
    url: str,
    timeout: float,
    payload: dict | None = None,
    idempotency_key: str = "",
    token: str = "",
    retries: int = 0,
    accept_status: frozenset[int] = frozenset(),
) -> Response:
    """Send one JSON request and return the decoded answer; PartnerError on any failure.

    Statuses in `accept_status` (e.g. 402 for a declined card) are returned, not raised.
    """
    check_url(service, url)
    method = method.upper()
    may_retry = method in _SAFE_METHODS or bool(idempotency_key)
    attempts = 1 + (retries if may_retry else 0)
    data = None if payload is None else json.dumps(payload, separators=(",", ":")).encode()
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
    if data is not None:
        headers["Content-Type"] = "application/json"
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    if token:
        headers["Authorization"] = f"Bearer {token}"

    for attempt in range(attempts):
        try:
            return _send(service, method, url, data, headers, timeout, accept_status)
        except PartnerError as exc:
            if not exc.retryable or exc.reason.startswith("timed out") or attempt + 1 >= attempts:
                raise
        time.sleep(min(0.1 * 2**attempt, 1.0))
    raise AssertionError("unreachable")  # pragma: no cover


def _send(service, method, url, data, headers, timeout, accept_status) -> Response:
    request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310 (scheme checked)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:  # noqa: S310 (scheme checked)
            return Response(resp.status, _decode(service, resp.read()))
    except urllib.error.HTTPError as exc:
        body = _decode(service, exc.read(), strict=False)
        if exc.code in accept_status:
            return Response(exc.code, body)
        retryable = exc.code >= 500 or exc.code in _RETRYABLE_STATUS
        raise PartnerError(service, f"HTTP {exc.code}", status=exc.code, retryable=retryable) from None
    except TimeoutError:
        raise PartnerError(service, f"timed out after {timeout}s") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise PartnerError(service, f"timed out after {timeout}s") from None
        reason = getattr(exc.reason, "strerror", None) or str(exc.reason)
        raise PartnerError(service, f"unreachable ({reason})") from None
    except (ConnectionError, OSError) as exc:
        raise PartnerError(service, f"connection failed ({exc.strerror or type(exc).__name__})") from None


def _decode(service: str, raw: bytes, *, strict: bool = True) -> dict:
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        if strict:
            raise PartnerError(service, "answered with something that is not JSON") from None
        return {}
    return body if isinstance(body, dict) else {"data": body}


class Client:
    """Base for one partner: its name, its base URL setting, its token, its timeout."""

    service = "partner"
    url_setting = ""
    auth_setting = ""
    timeout_setting = "PARTNER_TIMEOUT"

    def __init__(
        self, *, base_url: str | None = None, timeout: float | None = None, token: str | None = None
    ):
        from django.conf import settings

        self.base_url = base_url if base_url is not None else getattr(settings, self.url_setting, "")
        self.timeout = timeout if timeout is not None else getattr(settings, self.timeout_setting, 5.0)
        self.token = token if token is not None else (getattr(settings, self.auth_setting, "") or "")

    @property
    def configured(self) -> bool:
        return bool(self.base_url)

    def url(self, path: str) -> str:
        if not self.base_url:
            raise NotConfiguredError(self.service, self.url_setting)
        return join(self.base_url, path)

    def call(self, method: str, path: str, **kwargs) -> Response:
        kwargs.setdefault("timeout", self.timeout)
        return request_json(
            service=self.service, method=method, url=self.url(path), token=self.token, **kwargs
        )

    def health(self, *, timeout: float | None = None) -> None:
        """GET <base>/health; returns quietly when the partner is up, PartnerError when not."""
        from django.conf import settings

        self.call("GET", "health", timeout=timeout or settings.EXTERNAL_HEALTH_TIMEOUT)
