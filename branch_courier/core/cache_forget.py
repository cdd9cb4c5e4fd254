"""Dropping cached copies of rows a transaction changes: once it commits, and at once if asked.

After the commit, because a reader between our write and the commit would otherwise cache the old
state again; at once too where a reader inside this transaction must not see the old copy. Outside
a transaction on_commit runs at once.
"""

from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction


def forget_after_commit(keys: Iterable[str], *, now: bool = False) -> None:
    keys = list(keys)
    if not keys:
        return
    if now:
        cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))
