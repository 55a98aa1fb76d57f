"""Staff shortcuts in the browser: a department head keeps a reply phrase (常用语) and the
department's caseworker inserts it at the cursor of a reason box with the select and its button."""

import secrets

import pytest
from dateutil.relativedelta import relativedelta
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from selenium.webdriver.support.ui import Select

from cases.core.models import User
from cases.records import services as record_services
from cases.repair import services as repair_services

pytestmark = pytest.mark.e2e


def submitted_application(orm) -> str:
    """An application of the demo person 李明 to the market regulator (the caseworker banli's
    department), submitted with every material: its number."""
    person = User.objects.get(username="geren")
    decided_on = timezone.localdate() - relativedelta(months=4)
    record = record_services.register_credit_record(
        actor=User.objects.get(username="banli"),
        data={
            "party_kind": person.entity_kind, "party_name": person.entity_name, "party_id_number": person.id_number,
            "record_type": "penalty", "decision_number": f"甘市监罚〔{decided_on.year}〕{secrets.randbelow(10**6)}号",
            "decided_on": decided_on, "severity": "general", "summary": "占道经营，罚款 500 元",
            "published_from": decided_on,
        },
    )  # fmt: skip
    application = repair_services.start_application(actor=person, record_id=record.pk, statement="罚款已缴清。")
    for item in repair_services.required_materials(record):
        upload = SimpleUploadedFile(f"{item['code']}.pdf", b"%PDF-1.4 material", content_type="application/pdf")
        repair_services.add_material(actor=person, application_id=application.pk, code=item["code"], upload=upload)
    repair_services.submit(actor=person, application_id=application.pk, obligations_fulfilled=True,
                           commitment_signed=True)  # fmt: skip
    return application.case.number


def test_the_head_keeps_a_phrase_and_the_caseworker_inserts_it_at_the_cursor(browser, orm):
    title = f"材料不全{secrets.randbelow(10**6)}"
    phrase = "所附材料不全，请补充完整后重新提交。"
    head = browser("kezhang")
    head.visit("/phrases/")
    head.fill("#new-title", title)
    head.fill("#new-text", phrase)
    head.click("form[novalidate] button[type=submit]")
    head.wait_for(".messages", text=f"常用语“{title}”已新增。")

    number = submitted_application(orm)
    worker = browser("banli")
    worker.visit(f"/repair/{number}/")
    refuse = "form[action$='/refuse/']"
    worker.click(f"details:has({refuse}) > summary", navigates=False)
    worker.wait_until(lambda d: worker.find(f"{refuse} .phrase-insert").is_displayed(), "the phrase control shown")
    box = worker.find(f"{refuse} textarea")
    box.send_keys("申请人：")
    Select(worker.find(f"{refuse} .phrase-picker select")).select_by_visible_text(title)
    worker.click(f"{refuse} [data-insert-phrase]", navigates=False)
    assert box.get_attribute("value") == f"申请人：{phrase}"
