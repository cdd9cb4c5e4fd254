"""A paginator whose count stops at a cap, so a list over a million rows never counts them all."""

from functools import cached_property

from django.core.paginator import Paginator

# Past this many matches the page says "10,000+"; counting further costs time and tells a clerk
# nothing (they narrow the filter instead). Pages beyond the cap are still reachable one by one.
COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """`counted`: the same rows without what only their display needs. Rows read as dicts of
    joined columns (.values("package__tracking_number", ...)) keep their joins in a count; the
    plain queryset counts from one index."""

    cap = COUNT_CAP

    def __init__(self, object_list, per_page, *, counted=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.counted = object_list if counted is None else counted

    @cached_property
    def count(self) -> int:
        # COUNT(*) over a LIMITed subquery: reads at most cap + 1 index entries.
        # No ORDER BY inside: the order does not change a count, and dropping it lets PostgreSQL
        # stop after cap + 1 index entries instead of sorting every match first.
        return self.counted.order_by()[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap
