"""The list-view base: filters read from the address and applied, one page of the page size, the
address without the page for the pager's links, and a page past the end."""

import pytest
from django.test import RequestFactory

from cases.core.models import Case
from cases.infra.listing import Filter, Listing, Paging, querystring_without_page
from cases.infra.pagination import PAGE_SIZE
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

BY_STATE = Filter("state", lambda cases, state: cases.filter(state=state) if state != "all" else cases, default="all")


def _get(query: str = ""):
    return RequestFactory().get(f"/list?{query}")


@pytest.fixture
def cases(db):
    """A page and one more of open cases, and three answered ones."""
    CaseFactory.create_batch(PAGE_SIZE + 1, state="in_progress")
    CaseFactory.create_batch(3, state="answered")
    return Case.objects.order_by("pk")


def test_a_filter_narrows_the_rows_by_its_value(cases):
    listing = Listing(_get("state=answered"), cases, (BY_STATE,))
    assert [case.state for case in listing.rows] == ["answered"] * 3
    assert listing.values == {"state": "answered"}


def test_an_absent_filter_takes_its_default(cases):
    listing = Listing(_get(), cases, (BY_STATE,), paging=Paging.NONE)
    assert listing.values == {"state": "all"}
    assert listing.rows.count() == PAGE_SIZE + 4


def test_filters_apply_one_after_the_other(cases):
    number = cases.filter(state="answered").first().number
    by_number = Filter("q", lambda rows, q: rows.filter(number=q) if q else rows)
    listing = Listing(_get(f"state=answered&q=+{number}+"), cases, (BY_STATE, by_number))
    assert [case.number for case in listing.rows] == [number]
    assert listing.values["q"] == number  # typed text loses its spaces


def test_a_value_picked_from_a_list_keeps_its_spaces(cases):
    kept = Filter("state", lambda rows, state: rows.filter(state=state), strip=False)
    listing = Listing(_get("state=+answered"), cases, (kept,))
    assert listing.values == {"state": " answered"}
    assert list(listing.rows) == []


def test_a_page_holds_the_page_size(cases):
    listing = Listing(_get(), cases)
    assert len(listing.page) == PAGE_SIZE == 25
    assert listing.page.has_next and not listing.page.has_previous
    assert listing.rows is listing.page


def test_the_next_page_holds_the_rest(cases):
    listing = Listing(_get("page=2"), cases)
    assert len(listing.page) == 4
    assert (listing.page.start_index, listing.page.end_index) == (26, 29)


def test_a_counted_page_knows_how_many_pages_there_are(cases):
    listing = Listing(_get("page=2"), cases, paging=Paging.COUNTED)
    assert (listing.page.number, listing.page.paginator.num_pages, listing.page.paginator.count) == (2, 2, 29)


def test_past_the_end_an_uncounted_page_is_empty_with_a_way_back(cases):
    listing = Listing(_get("page=9"), cases)
    assert list(listing.page) == []
    assert listing.page.has_previous and listing.page.previous_page_number() == 8


def test_past_the_end_a_counted_page_is_the_last(cases):
    listing = Listing(_get("page=9"), cases, paging=Paging.COUNTED)
    assert listing.page.number == 2


@pytest.mark.parametrize("number", ["0", "-3", "x", ""])
def test_an_uncounted_page_number_that_is_no_page_is_the_first(cases, number):
    assert Listing(_get(f"page={number}"), cases).page.number == 1


@pytest.mark.parametrize(("number", "shown"), [("x", 1), ("", 1), ("0", 2), ("-3", 2)])
def test_a_counted_page_number_that_is_no_page_is_the_first_or_below_one_the_last(cases, number, shown):
    assert Listing(_get(f"page={number}"), cases, paging=Paging.COUNTED).page.number == shown


def test_without_paging_every_row_is_shown(cases):
    listing = Listing(_get("page=2"), cases, paging=Paging.NONE)
    assert listing.page is None
    assert listing.rows.count() == PAGE_SIZE + 4


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ""),
        ("page=3", ""),
        ("state=open&page=2", "state=open&"),
        ("q=%E5%B7%A5%E7%A8%8B&page=2&holder=mine", "q=%E5%B7%A5%E7%A8%8B&holder=mine&"),
        ("fragment=1&kind=repair", "kind=repair&"),
    ],
)
def test_the_query_string_drops_the_page_and_ends_ready_for_one(query, expected):
    assert querystring_without_page(_get(query)) == expected


def test_the_context_names_the_page_the_query_string_and_each_value(cases):
    listing = Listing(_get("state=answered&page=1"), cases, (BY_STATE,))
    context = listing.context(now="later")
    assert context == {"page": listing.page, "querystring": "state=answered&", "state": "answered", "now": "later"}
