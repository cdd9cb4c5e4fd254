"""Drawn parts of a branch's pages cached per branch, dropped as soon as the branch's packages change.

The package list filters a million rows, counts the matches and draws 50 of them: most of its
time, and clerks open it over and over with the same few filters. What it draws depends on the
branch and the query string alone (every user of a branch may read the same packages, and the
branch's time zone is the branch's), so the drawn part is cached under (name, branch, query).

Each branch has a generation: a random token under its own key, stored with every part drawn in
it, and read with the part in one round trip. The services that change packages call forget() for
the branches involved, which replaces the token once the change commits: every part cached for
that branch, whatever its query, is then stale at once and drawn again on its next read. A change
that nothing announces (the clock moving the waiting cut-off, a raw UPDATE, a new token lost
while Redis was down; Django admin cannot edit packages) shows within BRANCH_PAGE_CACHE_SECONDS
(default 30). 0 turns the cache off (the test settings do, so tests that build rows with
factories see them at once).
"""

import hashlib
import secrets
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.safestring import SafeString, mark_safe

# The generation outlives the parts it names: a day, renewed by every forget().
GENERATION_SECONDS = 24 * 3600


def generation_key(name: str, branch_id: int) -> str:
    return f"branch-pages:v1:gen:{name}:{branch_id}"


def _part_key(name: str, branch_id: int, variant: str) -> str:
    # The variant (a query string) is hashed: any length and any characters make a short, safe key.
    digest = hashlib.blake2b(variant.encode(), digest_size=16).hexdigest()
    return f"branch-pages:v1:part:{name}:{branch_id}:{digest}"


def cached_html(
    name: str, branch_id: int, variant: str, draw: Callable[[], str], *, seconds: int | None = None
) -> SafeString:
    """draw()'s HTML for this branch and variant, from the cache when it is there and current;
    kept `seconds` (default BRANCH_PAGE_CACHE_SECONDS; 0 draws it every time)."""
    seconds = settings.BRANCH_PAGE_CACHE_SECONDS if seconds is None else seconds
    if seconds <= 0:
        return mark_safe(draw())  # noqa: S308 (draw() returns a rendered template)
    generation_at, part_at = generation_key(name, branch_id), _part_key(name, branch_id, variant)
    # The part is stored with the generation it was drawn in: both come back in one round trip.
    found = cache.get_many([generation_at, part_at])  # {} when Redis is down (errors are ignored)
    generation = found.get(generation_at)
    if generation is None:
        # add(), not set(): of two first readers, both end up with the token that was stored.
        cache.add(generation_at, secrets.token_hex(8), GENERATION_SECONDS)
        generation = cache.get(generation_at)
        if generation is None:  # Redis down: draw it, as without a cache
            return mark_safe(draw())  # noqa: S308 (draw() returns a rendered template)
    stored = found.get(part_at)
    if stored is not None and stored[0] == generation:
        return mark_safe(stored[1])  # noqa: S308 (what draw() returned: a rendered template)
    html = str(draw())
    cache.set(part_at, (generation, html), seconds)
    return mark_safe(html)  # noqa: S308 (a rendered, escaped template)


def forget(name: str, branch_ids: Iterable[int | None]) -> None:
    """Make these branches' cached parts stale once the current transaction commits."""
    keys = sorted({generation_key(name, branch_id) for branch_id in branch_ids if branch_id is not None})
    if not keys:
        return

    def renew():
        # A fresh token per branch: a part is served only with the token it was drawn under, so
        # whatever was drawn before the commit (even while it ran) is drawn again.
        cache.set_many({key: secrets.token_hex(8) for key in keys}, GENERATION_SECONDS)

    # After commit: a page drawn between our write and the commit would be cached as current.
    transaction.on_commit(renew)
