"""Pages of long lists without counting them: at a million cases a COUNT(*) on every page costs
more than the page itself (even one capped at a thousand rows, under a filter that joins another
table). A page reads one row more than it shows to know whether another follows."""

from django.db.models import QuerySet

PAGE_SIZE = 25


class Page:
    def __init__(self, queryset: QuerySet, number, per_page: int = PAGE_SIZE):
        self.number = _page_number(number)
        self.per_page = per_page
        offset = (self.number - 1) * per_page
        rows = list(queryset[offset : offset + per_page + 1])
        self.has_next = len(rows) > per_page
        self.object_list = rows[:per_page]
        self._offset = offset

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
