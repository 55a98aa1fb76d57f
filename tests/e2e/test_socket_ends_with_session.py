"""A page's live socket ends with its sign-in: signing out in another tab closes the open page's
socket at once (through Redis, from the server's process), and the page goes to the sign-in page
instead of receiving more notifications."""

import pytest

pytestmark = pytest.mark.e2e


def test_signing_out_in_another_tab_ends_the_open_pages_socket(browser):
    person = browser("qiye")
    person.visit("/my/records/")
    person.wait_live()
    first = person.driver.current_window_handle
    person.driver.switch_to.new_window("tab")
    person.visit("/my/records/")
    person.click("form[action='/accounts/logout/'] button", navigates=True)
    person.driver.switch_to.window(first)
    # Well before the socket's own check (SOCKET_SESSION_CHECK_SECONDS, 30 s): the sign-out's push.
    person.wait_until(lambda d: "/accounts/login/" in d.current_url, "the first tab shows the sign-in page", timeout=15)
