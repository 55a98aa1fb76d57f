"""One list page's query: read its filters from the address, apply them, take one page of the
result, and keep the address's parameters without the page for the pager's links
(templates/pager.html for a counted page, templates/pager_more.html for an uncounted one)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum

from django.core.paginator import Paginator

from cases.infra.pagination import PAGE_SIZE, Page


@dataclass(frozen=True)
class Filter:
    """One parameter of a list's address. `apply(rows, value)` narrows the rows by its value (and
    leaves them as they are for a value it does not know); `default` when the parameter is absent;
    `strip`: spaces around the value are dropped (typed text), or kept (a value picked from a list)."""

    name: str
    apply: Callable | None = None
    default: str = ""
    strip: bool = True

    def read(self, params) -> str:
        value = params.get(self.name, self.default)
        return value.strip() if self.strip else value


class Paging(Enum):
    UNCOUNTED = "uncounted"  # cases.infra.pagination.Page: no COUNT(*), pager_more.html
    COUNTED = "counted"  # django's Paginator: "page 2 of 7", pager.html; past the end, the last page
    NONE = "none"  # every row on one page (a person's own short lists)


def querystring_without_page(request) -> str:
    """The address's parameters without the page (and the board's fragment flag), ready for a
    pager link to add `page=N` to."""
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("fragment", None)
    return f"{params.urlencode()}&" if params else ""


class Listing:
    """`values`: each filter's value as read (the filter form shows them again); `rows`: what the
    page shows; `page`: the page for the pager (None without paging); `querystring`: the
    parameters without the page."""

    def __init__(
        self,
        request,
        rows,
        filters: Iterable[Filter] = (),
        *,
        paging: Paging = Paging.UNCOUNTED,
        per_page: int = PAGE_SIZE,
    ):
        filters = tuple(filters)
        self.values = {item.name: item.read(request.GET) for item in filters}
        for item in filters:
            if item.apply is not None:
                rows = item.apply(rows, self.values[item.name])
        self.queryset = rows
        number = request.GET.get("page")
        if paging is Paging.UNCOUNTED:
            self.page = Page(rows, number, per_page)
        elif paging is Paging.COUNTED:
            self.page = Paginator(rows, per_page).get_page(number)
        else:
            self.page = None
        self.rows = rows if self.page is None else self.page
        self.querystring = querystring_without_page(request)

    def context(self, **extra) -> dict:
        """The template's context: the page, the query string and each filter's value by its name."""
        return {"page": self.page, "querystring": self.querystring, **self.values, **extra}
