"""The applicant's pages on a phone (390×844): nothing wider than the screen, the navigation
behind a menu button that works by touch and by keyboard, the records list as readable cards."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.e2e.pages import PUBLIC_PAGES, applicant_pages

pytestmark = pytest.mark.e2e

WIDTH, HEIGHT = 390, 844

OVERFLOW = "return [document.documentElement.scrollWidth, window.innerWidth];"
# Texts laid out one character a line: a box at least four characters long, as tall as its
# characters are many (every line holds a single character).
BROKEN_WORDS = """
const broken = [];
for (const box of document.querySelectorAll(arguments[0])) {
  const text = box.innerText.trim();
  if (text.length < 4) continue;
  const lineHeight = parseFloat(getComputedStyle(box).lineHeight) || 20;
  const lines = Math.round(box.getBoundingClientRect().height / lineHeight);
  if (box.getBoundingClientRect().width < 3 * parseFloat(getComputedStyle(box).fontSize) && lines >= text.length / 2)
    broken.push(text.slice(0, 20));
}
return broken;
"""


def _phone(browser, username=None):
    b = browser(username)
    b.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 3, "mobile": True}
    )
    return b


def _too_wide(b, paths) -> list[str]:
    wide = []
    for path in paths:
        b.visit(path)
        b.wait_for("main")
        scroll_width, inner_width = b.driver.execute_script(OVERFLOW)
        if scroll_width > inner_width:
            wide.append(f"{path}: {scroll_width}px wide on a {inner_width}px screen")
    return wide


def test_the_applicants_pages_fit_a_phone(e2e_server, browser, orm):
    b = _phone(browser, "qiye")
    wide = _too_wide(b, applicant_pages())
    assert not wide, "\n".join(wide)


def test_public_pages_fit_a_phone(e2e_server, browser):
    wide = _too_wide(_phone(browser), PUBLIC_PAGES)
    assert not wide, "\n".join(wide)


def test_the_records_list_is_cards_with_words_whole(e2e_server, browser):
    b = _phone(browser, "qiye")
    b.visit("/my/records/")
    cells = b.find_all("table.list tbody td")
    assert cells, "no records on the page"
    assert all(cell.size["width"] > WIDTH * 0.6 for cell in cells), [cell.size for cell in cells]
    assert b.driver.execute_script(BROKEN_WORDS, "table.list td, table.list td *") == []
    # Each value under its column's name (the header row is only for screen readers here).
    names = [th.get_attribute("textContent").strip() for th in b.find_all("table.list thead th")]
    labels = [cell.get_attribute("data-label") for cell in b.find_all("table.list tbody tr:first-child td")]
    assert labels == names and all(labels)


def test_the_navigation_is_behind_a_menu_button(e2e_server, browser):
    b = _phone(browser, "qiye")
    b.visit("/my/records/")
    button = b.find(".menu-button")
    link = b.find('#site-nav a[href="/my/applications/"]')
    assert button.is_displayed() and button.get_attribute("aria-expanded") == "false"
    assert not link.is_displayed()
    button.click()
    assert button.get_attribute("aria-expanded") == "true"
    b.wait_until(lambda d: link.is_displayed(), "the menu shows the links")
    assert b.driver.execute_script("return arguments[0].getClientRects().length;", link) == 1  # one line
    b.click("#site-nav a", text="我的申请")
    assert b.driver.current_url.endswith("/my/applications/")


def test_the_menu_button_works_from_the_keyboard(e2e_server, browser):
    b = _phone(browser, "qiye")
    b.visit("/my/applications/")
    body = b.find("body")
    for _ in range(5):
        body.send_keys(Keys.TAB)
        if b.driver.execute_script("return document.activeElement.classList.contains('menu-button');"):
            break
    else:
        raise AssertionError("the menu button is not reached with Tab")
    b.driver.switch_to.active_element.send_keys(Keys.ENTER)
    assert b.find(".menu-button").get_attribute("aria-expanded") == "true"
    assert b.driver.find_element(By.LINK_TEXT, "我的信用记录").is_displayed()
    b.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    assert b.find(".menu-button").get_attribute("aria-expanded") == "false"
