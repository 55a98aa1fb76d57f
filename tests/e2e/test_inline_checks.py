"""Inline checks after the person acts (#17): a page opens with no error shown; a field is checked
once it was touched and left, the message next to it, gone again when the field is put right."""

import pytest
from selenium.webdriver.common.keys import Keys

pytestmark = pytest.mark.e2e


def test_a_field_is_checked_only_after_it_was_touched(browser):
    person = browser()
    person.visit("/track/")
    person.wait_for("#id_number")
    assert person.find_all(".field-error") == []
    assert person.find("#id_number").get_attribute("aria-invalid") is None

    person.find("#id_code").click()  # passing through a field is not touching it
    person.find("#id_code").send_keys(Keys.TAB)
    assert person.find_all(".field-error") == []

    person.fill("#id_number", "XF")
    number = person.find("#id_number")
    number.send_keys(Keys.BACKSPACE, Keys.BACKSPACE, Keys.TAB)
    error = person.wait_for("#inline-error-id_number")
    assert error.text and number.get_attribute("aria-invalid") == "true"
    assert number.get_attribute("aria-describedby") == "inline-error-id_number"
    assert len(person.find_all(".field-error")) == 1  # the code, never typed in, is not marked

    number.send_keys("XF2026000001")
    person.wait_until(lambda d: not person.find_all("#inline-error-id_number"), "the error gone once put right")
    assert person.find("#id_number").get_attribute("aria-invalid") is None


def test_a_refused_step_comes_back_with_its_error_in_its_form_and_what_was_chosen(browser, orm):
    from tests.e2e.test_complaint_callback_live import answered_hotline_complaint

    case = answered_hotline_complaint()
    clerk = browser("dengji")
    clerk.visit(f"/complaints/{case.number}/")
    clerk.click("#callback input[name=reached][value=yes]", navigates=False)
    clerk.find("#callback-opinion option[value=not_satisfied]").click()
    clerk.click("#callback button[type=submit]")  # not satisfied, and no note: the server refuses

    error = clerk.wait_for("#callback form .form-errors")
    assert error.text.startswith("此步骤未办理")
    assert clerk.find("#callback input[name=reached][value=yes]").is_selected()
    assert clerk.find("#callback-opinion").get_attribute("value") == "not_satisfied"
    assert len(clerk.find_all(".form-errors")) == 1
