"""The pages of each kind that each role reaches on the demo data, for the browser tests that go
through every page type (tests/e2e/test_accessibility.py, test_phone.py)."""

import secrets

from django.utils import timezone

from cases.core.models import Case, CaseKind, CreditRecord, User
from cases.records import services as record_services
from cases.repair import objections


def _number(kind: str, **filters) -> str:
    case = Case.objects.filter(kind=kind, **filters).order_by("id").first()
    assert case is not None, f"the demo data has no {kind} case with {filters}"
    return case.number


def applicant_pages() -> list[str]:
    """The applicant qiye's pages (run with the `orm` fixture)."""
    record = CreditRecord.objects.filter(party__name="甘州区示范商贸有限公司").order_by("id").first()
    pages = [
        "/home/",
        "/my/records/",
        "/my/applications/",
        "/my/complaints/",
        "/complaints/new/",
        "/identity/",
        "/notifications/",
        "/track/",
        f"/repair/{_number(CaseKind.REPAIR, applicant__username='qiye')}/",
        f"/complaints/{_number(CaseKind.COMPLAINT, applicant__username='qiye')}/",
    ]
    pages.append(f"/objections/{qiye_objection()}/")
    if record is not None:
        pages.append(f"/my/records/{record.pk}/objection/")
    return pages


def qiye_objection() -> str:
    """The number of an objection by qiye: the demo data has none, so one is raised (once a run)
    against a record of its own, registered for it, so that no other test's records change."""
    case = Case.objects.filter(kind=CaseKind.OBJECTION, applicant__username="qiye").order_by("id").first()
    if case is not None:
        return case.number
    qiye = User.objects.get(username="qiye")
    today = timezone.localdate()
    record = record_services.register_credit_record(
        actor=User.objects.get(username="banli"),
        data={
            "party_kind": qiye.entity_kind, "party_name": qiye.entity_name, "party_id_number": qiye.id_number,
            "record_type": "penalty", "decision_number": f"甘市监罚〔{today.year}〕{secrets.randbelow(10**6)}号",
            "decided_on": today, "severity": "general", "summary": "未按规定明码标价，罚款 1000 元",
        },
    )  # fmt: skip
    return objections.raise_objection(actor=qiye, record_id=record.pk, reasons="处罚金额登记有误").case.number


PUBLIC_PAGES = ["/", "/accounts/login/", "/accounts/signup/", "/track/", "/accounts/password_reset/",
                "/accounts/password_reset/sms/", "/no-such-page/"]  # fmt: skip


def staff_pages() -> dict[str, list[str]]:
    """Each staff role's page types (run with the `orm` fixture)."""
    repair = Case.objects.filter(kind=CaseKind.REPAIR, department__code="scjg").order_by("id").first()
    complaint = _number(CaseKind.COMPLAINT)
    objection = Case.objects.filter(kind=CaseKind.OBJECTION).order_by("id").first()
    banli = ["/home/", "/tasks/", "/repair/queue/", "/objections/queue/", "/complaints/", "/records/",
             "/records/new/", "/records/import/", "/supervision/"]  # fmt: skip
    if repair is not None:
        banli.append(f"/repair/{repair.number}/")
    if objection is not None:
        banli.append(f"/objections/{objection.number}/")
    return {
        "banli": banli,
        "dengji": [
            "/complaints/",
            "/complaints/register/",
            f"/complaints/{complaint}/",
            "/integrity/",
            "/identity/counter/",
        ],
        "kezhang": ["/home/", "/figures/"],
        "duban": ["/supervision/", "/supervision/orders/", "/figures/", f"/cases/{complaint}/"],
    }
