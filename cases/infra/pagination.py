"""Pages of long lists without counting them: at a million cases a COUNT(*) on every page costs
more than the page itself (even one capped at a thousand rows, under a filter that joins another
table). A page reads one row more than it shows to know whether another follows."""

import contextlib

from django.db import connections, transaction
from django.db.models import QuerySet

PAGE_SIZE = 25


@contextlib.contextmanager
def serial_plan(using: str):
    """Read (and only read) without a parallel plan on PostgreSQL. A page stops at its last row; PostgreSQL,
    expecting to walk far along an index to fill it, starts parallel workers anyway, and starting
    them cost 10-35 ms of a 3 ms query (the task queues at 10 million cases, on two cores)."""
    if connections[using].vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        yield
        # Only reads happened: rolled back, the setting ends here even within a longer transaction.
        transaction.set_rollback(True, using=using)


class Page:
    def __init__(self, queryset: QuerySet, number, per_page: int = PAGE_SIZE, *, serial: bool = False):
        """`serial`: read the page without a parallel plan (serial_plan)."""
        self.number = _page_number(number)
        self.per_page = per_page
        offset = (self.number - 1) * per_page
        with serial_plan(queryset.db) if serial else contextlib.nullcontext():
            rows = list(queryset[offset : offset + per_page + 1])
        self.has_next = len(rows) > per_page
        self.object_list = rows[:per_page]
        self._offset = offset

    @staticmethod
    def rows_up_to(number, per_page: int = PAGE_SIZE) -> int:
        """How many rows of the list page `number` reads (its own, those before it, one more)."""
        return _page_number(number) * per_page + 1

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def start_index(self) -> int:
        return self._offset + 1 if self.object_list else 0

    @property
    def end_index(self) -> int:
        return self._offset + len(self.object_list)


def _page_number(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return max(number, 1)
