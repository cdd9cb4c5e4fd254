"""Dashboard figures cached per branch for a few seconds, dropped as soon as what they count changes.

Counting a busy branch's packages or inquiries costs tens of milliseconds at a million packages,
and every clerk of the branch opens the dashboard again and again. So each figure set is cached
under (name, branch) for BRANCH_FIGURES_CACHE_SECONDS (default 30) and the services that change
packages or inquiries call forget() for the branches involved; the key goes once the change
commits, so the next dashboard shows it. The time limit bounds what no write announces: the clock
(midnight, the waiting and overdue cut-offs) and a delete lost while Redis was down. 0 turns the
cache off (the test settings do, so tests that build rows with factories see them at once).

The dashboard drawn from these figures (its figures and panels, the same for every clerk and
supervisor of a branch) is cached per branch and date too, and made stale whenever any of its
figure sets is dropped: a dashboard is then one cache read, not one per figure set plus the
drawing (drawn()).
"""

from collections.abc import Callable, Iterable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils.safestring import SafeString

from branch_courier.core import branch_pages
from branch_courier.core.cache_forget import forget_after_commit

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


# The drawn dashboard: made of every figure set, so forget() of any of them makes it stale too.
DRAWN_DASHBOARD = "drawn-dashboard"


def drawn(branch_id: int, day: str, draw: Callable[[], str]) -> SafeString:
    """The branch's drawn dashboard for `day` (the branch's date: its links and "today" figures
    name it), from the cache when it is there and current; else draw().

    It is kept as the package list is (core/branch_pages.py), under the branch's generation token
    and for BRANCH_FIGURES_CACHE_SECONDS: a dashboard drawn while a change commits carries the
    token from before it, and is drawn again rather than served.
    """
    seconds = settings.BRANCH_FIGURES_CACHE_SECONDS
    return branch_pages.cached_html(DRAWN_DASHBOARD, branch_id, day, draw, seconds=seconds)


def forget(name: str, branch_ids: Iterable[int | None]) -> None:
    """Drop these branches' figures, and make their drawn dashboards stale, once the current
    transaction commits (at once outside one)."""
    branch_ids = {branch_id for branch_id in branch_ids if branch_id is not None}
    branch_pages.forget(DRAWN_DASHBOARD, branch_ids)
    keys = sorted(cache_key(name, branch_id) for branch_id in branch_ids)
    if settings.BRANCH_FIGURES_CACHE_SECONDS > 0:
        forget_after_commit(keys)
