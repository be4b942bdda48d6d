"""Admin pagination that never counts a whole big table.

Django's change list counts the filtered rows to number its pages; on a national table of a million
members that ``COUNT(*)`` costs more than the page itself. This paginator counts at most ``CAP`` + 1
rows (``SELECT COUNT(*) FROM (… LIMIT CAP+1)``), which stops early, and the page footer then says
"more than CAP" instead of a number nobody needs. Filters narrow a list below the cap."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CAP = 10_000


class CappedCountPaginator(Paginator):
    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if hasattr(rows, "order_by"):
            rows = rows.order_by()  # the count does not need the list's sort
        return rows[: self.cap + 1].count()

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap
