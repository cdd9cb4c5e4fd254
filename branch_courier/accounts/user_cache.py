"""The signed-in user, with their branch, cached for a minute so a page does not query for them.

Every request of a signed-in user loads the user and their branch (BranchUserBackend.get_user):
one query on every page, about a fifth of a cached dashboard's time in the app and in PostgreSQL.
The row is cached under the user's id for AUTH_USER_CACHE_SECONDS (default 60, 0 turns it off):

- a save or delete of the user or of their branch drops it at once and again when the
  transaction commits (a page read in between could have cached the old row);
- user_deactivate (an UPDATE, which sends no signal) drops it itself;
- the time limit bounds what nothing announces: a raw UPDATE, a delete lost while Redis was down.

Nothing about who may sign in moves here: the backend still refuses an inactive user, and Django
still compares the session's hash with the (cached) password hash, so a password change elsewhere
signs the other sessions out on their next page, as before. Permissions are not cached: the row
is cached as loaded, before any permission check fills the instance's own per-request cache.

The key carries a fingerprint of the User and Branch columns: after a deploy that adds a column,
the old cached rows are not read back without it.
"""

import threading
import zlib
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from functools import cache as once

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from branch_courier.accounts.models import Branch, User
from branch_courier.core.cache_forget import forget_after_commit


@once
def _fingerprint() -> str:
    columns = [f"{m.__name__}.{f.attname}" for m in (User, Branch) for f in m._meta.concrete_fields]
    return format(zlib.crc32(",".join(columns).encode()), "08x")


def cache_key(user_id) -> str:
    return f"auth-user:{_fingerprint()}:{user_id}"


def enabled() -> bool:
    return settings.AUTH_USER_CACHE_SECONDS > 0


_local = threading.local()


@contextmanager
def prefetching():
    """Within this block a session load may read its user's entry too and leave it here
    (accounts/session_store.py); get() then takes it instead of reading it again."""
    _local.box = {}
    try:
        yield
    finally:
        _local.box = None


def prefetched() -> dict | None:
    """user id → the entry read with the session (None: not cached), inside prefetching()."""
    return getattr(_local, "box", None)


def get(user_id, load: Callable[[], User | None]) -> User | None:
    """The user from the cache, or load() (None: no such user) and cache it.

    When the session was read with this user's entry (session_store.py), that read is used
    instead of a second one.
    """
    seconds = settings.AUTH_USER_CACHE_SECONDS
    if seconds <= 0:
        return load()
    key = cache_key(user_id)
    box = prefetched()
    # None on a miss, and when Redis is down (the cache ignores errors).
    user = box.pop(user_id) if box is not None and user_id in box else cache.get(key)
    if user is None:
        user = load()
        if user is not None:
            cache.set(key, user, seconds)
    return user


def forget(user_ids: Iterable) -> None:
    """Drop these users now and once the current transaction commits (at once outside one)."""
    keys = [cache_key(user_id) for user_id in set(user_ids)]
    if settings.AUTH_USER_CACHE_SECONDS > 0:
        forget_after_commit(keys, now=True)


@receiver(post_save, sender=User)
@receiver(post_delete, sender=User)
def _user_changed(sender, instance, **kwargs):
    forget([instance.pk])


@receiver(post_save, sender=Branch)
@receiver(post_delete, sender=Branch)
def _branch_changed(sender, instance, **kwargs):
    if settings.AUTH_USER_CACHE_SECONDS > 0:
        forget(User.objects.filter(branch_id=instance.pk).values_list("pk", flat=True))
