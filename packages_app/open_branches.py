"""The open branches a parcel may be sent to: one rule for every select that lists them.

The package page's Actions card lists them for a parcel the clerk may send on. Reading them (a
query and fifty Branch rows made into labels) was a tenth of that page, on every view, for a list
that changes when an admin opens or closes a branch. So choices() keeps the (id, label) pairs in
the cache until a branch is saved or deleted (at once, and again after the commit, as the user
cache does), and at most OPEN_BRANCHES_CACHE_SECONDS (300; 0 turns it off) in any case: a bulk
update sends no signal.
A form posted with a branch closed meanwhile is still checked against the database: the clerk
gets the field's error.
"""

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from branch_courier.accounts.models import Branch
from branch_courier.core.cache_forget import forget_after_commit

CACHE_KEY = "open-branches:v1"


def open_branches() -> QuerySet[Branch]:
    return Branch.objects.filter(is_active=True).order_by("code")


def label(branch: Branch) -> str:
    return f"{branch.code} — {branch.name}"


def choices() -> list[tuple[int, str]]:
    """[(branch id, label)] of the open branches, in code order."""
    seconds = settings.OPEN_BRANCHES_CACHE_SECONDS
    listed = cache.get(CACHE_KEY) if seconds > 0 else None
    if listed is None:
        listed = [(branch.pk, label(branch)) for branch in open_branches().only("code", "name")]
        if seconds > 0:
            cache.set(CACHE_KEY, listed, seconds)
    return listed


@receiver(post_save, sender=Branch)
@receiver(post_delete, sender=Branch)
def _branch_changed(sender, instance, **kwargs):
    forget_after_commit([CACHE_KEY], now=True)
