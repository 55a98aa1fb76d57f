"""One small world for the security tests: two applicants, two departments (X = 市场监管局,
Y = 发展和改革局), a head, an intake clerk, a supervisor and an administrator; applicant A's credit
records, repair applications, complaint, supervision order and notification. Everything is made
through the factories and the services, as people would."""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client

from cases.complaints import intake as complaint_intake
from cases.complaints import services as complaints
from cases.complaints.models import Channel
from cases.core import documents, services, staff_speed
from cases.core.models import AuditEvent, BindingRole, Department, IdentityBinding, Notice
from cases.core.roles import Role
from cases.records import services as record_services
from cases.repair import objections
from cases.repair import services as repair
from cases.supervision import services as supervision_services
from notifications.models import Notification
from tests.factories import ApplicantFactory, StaffFactory, UserFactory, valid_uscc

TODAY = date(2026, 11, 16)
USCC_A = valid_uscc("91620702MA71AAAA0")
USCC_B = valid_uscc("91620702MA71BBBB0")

# The columns of the access table, in the order they are printed.
ROLES = ("anon", "a", "b", "x", "y", "head", "clerk", "sup", "admin", "sec", "audit")
ROLE_NAMES = {
    "anon": "anonymous",
    "a": "applicant A",
    "b": "applicant B",
    "x": "caseworker of department X",
    "y": "caseworker of department Y",
    "head": "head of department X",
    "clerk": "intake clerk",
    "sup": "supervisor",
    "admin": "system administrator",
    "sec": "security administrator",
    "audit": "audit administrator",
}


@dataclass
class World:
    users: dict
    record: object  # A's record with a submitted application
    draft_record: object  # A's record with a draft application
    free_record: object  # A's record with no application yet
    repair_case: object
    draft_case: object
    complaint_case: object
    material: object
    record_notice: object
    order: object
    notification_of_a: object
    agent_binding_of_a: object  # an agent who acts for A's enterprise besides A (its legal representative)
    objection_case: object  # A's credit information objection to a fourth record, with one evidence file
    evidence: object
    complaint_evidence: object  # an evidence file A filed with the complaint

    def user(self, role: str):
        return self.users.get(role)

    @property
    def audit_event(self):
        return AuditEvent.objects.for_subject(self.repair_case).first()

    @property
    def repair_task(self):
        """The department's open task on A's repair case (acceptance)."""
        from workflows import engine

        return engine.active_tasks(self.repair_case)[0]

    def claim_repair_case_as_x(self):
        services.claim_case(case_id=self.repair_case.pk, actor=self.users["x"])

    def save_a_filter_as_x(self):
        self.saved_filter = staff_speed.save_filter(
            actor=self.users["x"], list_key="repair-queue", name="mine", query="holder=mine"
        )

    def add_a_phrase_as_head(self):
        self.phrase = staff_speed.add_phrase(actor=self.users["head"], title="核实", text="经核实，情况属实。")


def pdf_upload(name="proof.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.7 test", content_type="application/pdf")


def _record(worker, uscc, number, text=""):
    return record_services.register_credit_record(
        actor=worker,
        data={"party_kind": "enterprise", "party_name": f"示范公司{text}", "party_id_number": uscc,
              "record_type": "penalty", "decision_number": f"{number}{text}", "decided_on": date(2026, 3, 2),
              "severity": "general", "summary": f"罚款{text}"},
    )  # fmt: skip


def build_world(text: str = "") -> World:
    """`text` is added to every free-text field people type (names, facts, reasons), e.g. markup
    that must come out inert."""
    users = {
        "a": ApplicantFactory(username="applicant-a", id_number=USCC_A, entity_name=f"甲公司{text}",
                              full_name=f"张经理{text}"),
        "b": ApplicantFactory(username="applicant-b", id_number=USCC_B, entity_name=f"乙公司{text}"),
        "x": StaffFactory(username="worker-x", department__code="scjg", full_name=f"赵办理{text}"),
        "y": StaffFactory(username="worker-y", department__code="fgj"),
        "head": StaffFactory(username="head-x", department__code="scjg", role=Role.DEPARTMENT_HEAD),
        "clerk": StaffFactory(username="clerk", department__code="yshj", role=Role.INTAKE_CLERK),
        "sup": StaffFactory(username="supervisor", department__code="yshj", role=Role.SUPERVISOR,
                            full_name=f"周督办{text}"),
        "admin": UserFactory(username="administrator", role=Role.ADMIN),
        "sec": UserFactory(username="security-admin", role=Role.SECURITY_ADMIN),
        "audit": UserFactory(username="audit-admin", role=Role.AUDIT_ADMIN),
    }  # fmt: skip
    a, x = users["a"], users["x"]
    record = _record(x, USCC_A, "甘市监罚〔2026〕1号", text)
    draft_record = _record(x, USCC_A, "甘市监罚〔2026〕2号", text)
    free_record = _record(x, USCC_A, "甘市监罚〔2026〕3号", text)

    application = repair.start_application(actor=a, record_id=record.pk, statement=f"义务已履行{text}")
    for item in repair.required_materials(record):
        material = repair.add_material(actor=a, application_id=application.pk, code=item["code"], upload=pdf_upload())
    repair.submit(actor=a, application_id=application.pk, obligations_fulfilled=True, commitment_signed=True)
    draft = repair.start_application(actor=a, record_id=draft_record.pk)
    objection = objections.raise_objection(actor=a, record_id=_record(x, USCC_A, "甘市监罚〔2026〕4号", text).pk,
                                           reasons=f"金额有误{text}", evidence=[pdf_upload()])  # fmt: skip

    website = Channel.objects.create(code="website", name="信用网站投诉专栏", secret="website-secret")
    complaint, _created = complaint_intake.receive(channel=website, data={
        "reference": "WEB-1", "complainant_name": f"张经理{text}", "complainant_phone": "",
        "enterprise_name": f"甲公司{text}", "enterprise_uscc": USCC_A, "respondent": f"区某街道办事处{text}",
        "subject": "arrears", "facts": f"工程款 86 万元至今未付。{text}", "amount_claimed": None, "complainant": a,
    })  # fmt: skip
    complaint_evidence = complaints.add_evidence(actor=a, complaint_id=complaint.pk, upload=pdf_upload())
    complaints.register(actor=users["clerk"], complaint_id=complaint.pk, subject="arrears",
                        respondent=f"区某街道办事处{text}")  # fmt: skip
    complaints.assign(actor=users["clerk"], complaint_id=complaint.pk,
                      department_id=Department.objects.get(code="scjg").pk)  # fmt: skip

    order = supervision_services.issue_supervision_order(
        case_id=application.case_id, actor=users["sup"], reason=f"请尽快受理{text}"
    )
    return World(
        users=users,
        record=record,
        draft_record=draft_record,
        free_record=free_record,
        repair_case=application.case,
        draft_case=draft.case,
        complaint_case=complaint.case,
        material=material,
        record_notice=Notice.objects.filter(record=record, case__isnull=True).first(),
        order=order,
        notification_of_a=Notification.objects.filter(recipient=a).first(),
        objection_case=objection.case,
        evidence=objection.evidence.get(),
        complaint_evidence=complaint_evidence,
        agent_binding_of_a=IdentityBinding.objects.get(
            user=ApplicantFactory(username="agent-a", id_number=USCC_A, verified__role=BindingRole.AGENT)
        ),
    )


@pytest.fixture
def today():
    with time_machine.travel(TODAY, tick=True):
        yield TODAY


@pytest.fixture
def world(db, today):
    return build_world()


@contextmanager
def world_for_module(django_db_blocker, text: str = ""):
    """The world, built once for a test module (its tests are marked django_db), with a signed-in
    client per role. Each test rolls its own changes back in a savepoint."""
    with time_machine.travel(TODAY, tick=True), django_db_blocker.unblock(), transaction.atomic():
        world = build_world(text)
        documents.pdf_of(world.record_notice)  # rendered once, not once per role
        world.clients = {role: Client() for role in ROLES}
        for role, client in world.clients.items():
            if world.user(role) is not None:
                client.force_login(world.user(role))
        yield world
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker):
    with world_for_module(django_db_blocker) as world:
        yield world
