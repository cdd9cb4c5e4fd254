"""Which function delivers which topic. Apps register their handlers in AppConfig.ready().

A handler receives the OutboxMessage (payload, key) and delivers it, passing message.key to the
partner as the idempotency key. It raises PartnerError (retryable or not) when delivery fails;
any other exception is treated as retryable. It may return a short note (e.g. "skipped: …"),
kept on the sent message for the package page.
"""

from collections.abc import Callable

_HANDLERS: dict[str, Callable] = {}


def register(topic: str):
    def decorator(fn: Callable) -> Callable:
        if _HANDLERS.get(topic, fn) is not fn:
            raise ValueError(f"outbox topic {topic!r} already has a handler")
        _HANDLERS[topic] = fn
        return fn

    return decorator


def handler_for(topic: str) -> Callable | None:
    return _HANDLERS.get(topic)


def topics() -> list[str]:
    return sorted(_HANDLERS)
