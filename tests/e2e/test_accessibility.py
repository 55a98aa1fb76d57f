"""axe-core (axe-selenium-python) on every page type each role reaches: no serious or critical
violation of WCAG 2 A/AA or of best practice (labels, contrast, names of buttons and links, landmarks, lang)."""

import json

import pytest
from axe_selenium_python import Axe
from selenium.webdriver.common.keys import Keys

from tests.e2e.pages import PUBLIC_PAGES, applicant_pages, staff_pages

pytestmark = pytest.mark.e2e

RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "best-practice"]}}
BLOCKING = ("serious", "critical")


def _problems(browser, paths: list[str]) -> list[str]:
    found = []
    for path in paths:
        browser.visit(path)
        axe = Axe(browser.driver)
        axe.inject()
        results = axe.run(options=json.dumps(RULES))
        for violation in results["violations"]:
            if violation["impact"] in BLOCKING:
                where = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
                found.append(f"{browser.name} {path}: {violation['impact']} {violation['id']} "
                             f"({violation['help']}) at {where}")  # fmt: skip
    return found


def test_public_pages_have_no_serious_accessibility_problem(e2e_server, browser):
    problems = _problems(browser(), PUBLIC_PAGES)
    assert not problems, "\n".join(problems)


def test_the_applicants_pages_have_no_serious_accessibility_problem(e2e_server, browser, orm):
    problems = _problems(browser("qiye"), applicant_pages())
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", ["banli", "dengji", "kezhang", "duban"])
def test_staff_pages_have_no_serious_accessibility_problem(e2e_server, browser, orm, role):
    problems = _problems(browser(role), staff_pages()[role])
    assert not problems, "\n".join(problems)


def test_the_keyboard_focus_is_visible(e2e_server, browser):
    b = browser()
    b.visit("/accounts/login/")
    b.find("body").send_keys(Keys.TAB)
    style, width = b.driver.execute_script(
        "const s = getComputedStyle(document.activeElement); return [s.outlineStyle, parseFloat(s.outlineWidth)];"
    )
    assert style != "none" and width >= 2
