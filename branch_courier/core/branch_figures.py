"""Dashboard figures cached per branch for a few seconds, dropped as soon as what they count changes.

Counting a busy branch's packages or inquiries costs tens of milliseconds at a million packages,
and every clerk of the branch opens the dashboard again and again. So each figure set is cached
under (name, branch) for BRANCH_FIGURES_CACHE_SECONDS (default 30) and the services that change
packages or inquiries call forget() for the branches involved; the key goes once the change
commits, so the next dashboard shows it. The time limit bounds what no write announces: the clock
(midnight, the waiting and overdue cut-offs) and a delete lost while Redis was down. 0 turns the
cache off (the test settings do, so tests that build rows with factories see them at once).
"""

from collections.abc import Callable, Iterable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")


def cache_key(name: str, branch_id: int) -> str:
    return f"branch-figures:v1:{name}:{branch_id}"


def cached(name: str, branch_id: int, compute: Callable[[], T]) -> T:
    """compute()'s value for this branch, from the cache when it is there and recent enough."""
    seconds = settings.BRANCH_FIGURES_CACHE_SECONDS
    if seconds <= 0:
        return compute()
    key = cache_key(name, branch_id)
    value = cache.get(key)  # None on a miss, and when Redis is down (the cache ignores errors)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def forget(name: str, branch_ids: Iterable[int | None]) -> None:
    """Drop these branches' figures once the current transaction commits (at once outside one)."""
    keys = sorted({cache_key(name, branch_id) for branch_id in branch_ids if branch_id is not None})
    if keys and settings.BRANCH_FIGURES_CACHE_SECONDS > 0:
        # After commit: a dashboard read between our write and the commit would cache the old count.
        transaction.on_commit(lambda: cache.delete_many(keys))
