"""Credit repair in two browsers at once: what one person does reaches the other's open page live,
without a reload (through daphne, the Redis channel layer and the browser's socket)."""

import secrets

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone, translation

from cases.core.models import User
from cases.core.states import RepairStatus
from cases.records import services as record_services

pytestmark = pytest.mark.e2e


def zh(text) -> str:
    """A label as the pages show it (Chinese first)."""
    with translation.override("zh-hans"):
        return str(text)


@pytest.fixture(scope="module")
def small_pdf(tmp_path_factory):
    """A real one-page PDF, the kind of file an applicant scans."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    content, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(content))
        content += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(content)
    content += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    content += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    content += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path = tmp_path_factory.mktemp("materials") / "缴款凭证.pdf"
    path.write_bytes(content)
    return path


@pytest.fixture
def repairable_record(orm):
    """A penalty about the demo person 李明 (`geren`), registered by the market regulator's
    caseworker four months ago: past its shortest publicity period, so he may apply now."""
    person = User.objects.get(username="geren")
    decided_on = timezone.localdate() - relativedelta(months=4)
    return record_services.register_credit_record(
        actor=User.objects.get(username="banli"),
        data={
            "party_kind": person.entity_kind, "party_name": person.entity_name, "party_id_number": person.id_number,
            "record_type": "penalty", "decision_number": f"甘市监罚〔{decided_on.year}〕{secrets.randbelow(10**6)}号",
            "decided_on": decided_on, "severity": "general", "summary": "占道经营，罚款 500 元",
            "published_from": decided_on,
        },
    )  # fmt: skip


def file_application(applicant, record, pdf) -> str:
    """The applicant applies from their records page, uploads every material asked for and
    submits, reads the receipt and opens the application; returns the case number."""
    applicant.visit("/my/records/")
    applicant.wait_for("table.list tr", text=record.decision_number)
    applicant.click(f"form[action='/repair/start/{record.pk}/'] button[type=submit]")
    codes = [field.get_attribute("value") for field in applicant.find_all("form[action$='/upload/'] input[name=code]")]
    assert codes, "the application page asks for materials"
    for code in codes:
        form = f"form[action$='/upload/']:has(input[name=code][value='{code}'])"
        applicant.upload(f"{form} input[type=file]", pdf)
        applicant.click(f"{form} button[type=submit]")
    assert applicant.find_all("main a[href^='/repair/materials/']"), "the uploaded files are listed"
    applicant.click("input[name=obligations]")
    applicant.click("input[name=commitment]")
    applicant.click("form[action$='/submit/'] button[type=submit]")
    # The receipt: the case number and the verification code for the tracking page.
    receipt = applicant.wait_for("#receipt", text="查询码")
    number, code = (element.text for element in applicant.find_all("#receipt .code"))
    assert number in receipt.text and len(code) == 8
    applicant.click(f"#receipt a[href='/repair/{number}/']")
    applicant.wait_for(".badge", text=zh(RepairStatus.SUBMITTED.label))
    assert not applicant.find_all("form[action$='/submit/']")
    assert applicant.find("main h1").text.split("·")[0].strip() == number
    return number


def test_the_applicant_sees_the_acceptance_arrive_without_reloading(browser, repairable_record, small_pdf):
    applicant = browser("geren")
    number = file_application(applicant, repairable_record, small_pdf)
    applicant.wait_live()
    unread = applicant.unread_count()
    page = applicant.mark_page()

    caseworker = browser("banli")
    caseworker.visit("/repair/queue/")
    caseworker.click("table.list a", text=number)
    caseworker.click("form[action$='/accept/'] button[type=submit]")

    toast = applicant.wait_for("#toasts .toast", text=number)
    assert "受理" in toast.text
    applicant.wait_until(lambda _: applicant.unread_count() == unread + 1, f"the bell showing {unread + 1}")
    assert applicant.same_page(page), "the news arrived without a reload"
    assert applicant.find(".badge").text == zh(RepairStatus.SUBMITTED.label)  # the page itself is as it was

    applicant.click("#toasts .toast")  # the toast leads to the application, accepted now
    applicant.wait_for(".badge", text=zh(RepairStatus.ACCEPTED.label))
    assert applicant.find("main h1").text.startswith(number)


def test_the_caseworker_sees_a_new_application_arrive_without_reloading(browser, repairable_record, small_pdf):
    caseworker = browser("banli")
    caseworker.visit("/repair/queue/")
    caseworker.wait_live()
    unread = caseworker.unread_count()
    page = caseworker.mark_page()

    applicant = browser("geren")
    number = file_application(applicant, repairable_record, small_pdf)

    toast = caseworker.wait_for_toast(number)
    assert repairable_record.party.name in toast
    caseworker.wait_until(lambda _: caseworker.unread_count() == unread + 1, f"the bell showing {unread + 1}")
    assert caseworker.same_page(page), "the news arrived without a reload"
