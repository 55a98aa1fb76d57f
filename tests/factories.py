import factory
from django.contrib.auth.models import Group

from cases.core.identifiers import resident_id_check_character, uscc_check_character
from cases.core.models import BindingMethod, BindingRole, Case, CaseKind, Department, Holiday, IdentityBinding, User
from cases.core.roles import ADMINISTRATOR_ROLES, Role
from cases.records import services as record_services


def _grant(user, create, role):
    if create and role:
        user.groups.add(Group.objects.get(name=role))
        if role in ADMINISTRATOR_ROLES:
            user.is_staff = True
            user.save(update_fields=["is_staff"])


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"dept{n}")
    name_zh = factory.Sequence(lambda n: f"测试局{n}")
    name_en = factory.Sequence(lambda n: f"Test Bureau {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password("pw-for-tests")

    role = factory.PostGeneration(lambda user, create, role, **kwargs: _grant(user, create, role))


def _verify(user, create, verified, **kwargs):
    """An applicant acts for the entity on their account through a verified binding (实名认证),
    as if a clerk had seen the licence; `verified=False` leaves the claim unverified."""
    if not create or verified is False or not user.id_number:
        return
    person = user.entity_kind == "person"
    IdentityBinding.objects.get_or_create(
        user=user,
        revoked_at=None,
        defaults={
            "entity_kind": user.entity_kind,
            "id_number": user.id_number,
            "entity_name": user.entity_name,
            "role": BindingRole.SELF if person else kwargs.get("role", BindingRole.LEGAL_REPRESENTATIVE),
            "method": BindingMethod.COUNTER,
        },
    )


class ApplicantFactory(UserFactory):
    entity_kind = "enterprise"
    entity_name = factory.Sequence(lambda n: f"测试企业{n}有限公司")
    id_number = factory.Sequence(lambda n: valid_uscc(f"9162070200000{n:04d}"))
    role = factory.PostGeneration(lambda user, create, role, **kwargs: _grant(user, create, role or Role.APPLICANT))
    verified = factory.PostGeneration(_verify)


class StaffFactory(UserFactory):
    department = factory.SubFactory(DepartmentFactory, code="scjg")
    role = factory.PostGeneration(lambda user, create, role, **kwargs: _grant(user, create, role or Role.CASEWORKER))


class HolidayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Holiday
        django_get_or_create = ("date",)

    name = "测试假日"
    is_working_day = False


def valid_uscc(first17: str) -> str:
    return first17 + uscc_check_character(first17)


def work_order_data(reference: str = "12345-20261125-0042", **overrides) -> dict:
    """A channel's work order about arrears, as validated by the intake API."""
    return {
        "reference": reference, "complainant_name": "张经理", "enterprise_name": "示范公司",
        "enterprise_uscc": valid_uscc("91620702MA71ABCD0"), "respondent": "区某街道办事处", "subject": "arrears",
        "facts": "工程款 86 万元至今未付。", "amount_claimed": "860000.00", **overrides,
    }  # fmt: skip


def valid_resident_id(first17: str) -> str:
    return first17 + resident_id_check_character(first17)


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    number = factory.Sequence(lambda n: f"TS2026{n:06d}")
    kind = CaseKind.COMPLAINT
    title = factory.Sequence(lambda n: f"拖欠工程款投诉{n}")
    state = "in_progress"
    department = factory.SubFactory(DepartmentFactory, code="scjg")


ENTITY_USCC = valid_uscc("91620702MA71ABCD0")


def overdue_case(**fields) -> Case:
    """A case whose department's answer fell due long ago (on the board, overdue)."""
    from datetime import date

    from cases.core import services

    case = CaseFactory(**fields)
    services.start_deadline(
        case=case, step="complaint.answer", label="部门答复", policy_key="answer_within", start=date(2025, 3, 3)
    )
    return case


def register_penalty(actor, **overrides):
    """A general-severity penalty about the demo-like enterprise, through the registration service."""
    from datetime import date

    data = {"party_kind": "enterprise", "party_name": "示范公司", "party_id_number": ENTITY_USCC,
            "record_type": "penalty", "decision_number": "甘市监罚〔2026〕12号", "decided_on": date(2026, 3, 2),
            "severity": "general", "summary": "未按规定公示年度报告，罚款 2000 元"}  # fmt: skip
    data.update(overrides)
    return record_services.register_credit_record(actor=actor, data=data)


def repair_office(*, other_department: bool = False) -> dict:
    """The people of a credit repair: the enterprise that applies, a caseworker and the head of the
    department that decided its penalty (scjg) and, with `other_department`, a caseworker of
    another department (fgj), who may not act on it."""
    people = {
        "entity": ApplicantFactory(username="entity", id_number=ENTITY_USCC),
        "worker": StaffFactory(username="worker"),
        "head": StaffFactory(username="head", role=Role.DEPARTMENT_HEAD),
    }
    if other_department:
        people["other_worker"] = StaffFactory(username="other", department__code="fgj")
    return people


def repair_world() -> dict:
    """The repair office (repair_office) with a general penalty about the enterprise, decided on
    2026-03-02 and registered by the caseworker: `record`, the one the enterprise may repair."""
    people = repair_office()
    people["record"] = register_penalty(people["worker"], summary="罚款")
    return people


def submitted_application(people, **record_fields):
    """A repair application against a new penalty (register_penalty with `record_fields`), with its
    materials, submitted by the enterprise of `people` (repair_office)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.repair import services as repair

    record = register_penalty(people["worker"], **record_fields)
    application = repair.start_application(actor=people["entity"], record_id=record.pk)
    for code in ("obligation_proof", "commitment"):
        upload = SimpleUploadedFile("p.pdf", b"%PDF-1.7 x", content_type="application/pdf")
        repair.add_material(actor=people["entity"], application_id=application.pk, code=code, upload=upload)
    repair.submit(actor=people["entity"], application_id=application.pk, obligations_fulfilled=True,
                  commitment_signed=True)  # fmt: skip
    return application


def complaint_office() -> dict:
    """The people of a complaint's loop: the clerk and the supervisor of the business-environment
    bureau, a caseworker and the head of the finance bureau (czj, the department that answers), a
    caseworker of another department, and the complaining enterprise."""
    from cases.core.roles import Role

    return {
        "clerk": StaffFactory(username="clerk", department__code="yshj", role=Role.INTAKE_CLERK),
        "supervisor": StaffFactory(username="sup", department__code="yshj", role=Role.SUPERVISOR),
        "worker": StaffFactory(username="worker", department__code="czj"),
        "head": StaffFactory(username="head", department__code="czj", role=Role.DEPARTMENT_HEAD),
        "wrong_worker": StaffFactory(username="wrong", department__code="scjg"),
        "complainant": ApplicantFactory(username="firm", id_number=valid_uscc("91620702MA71ABCD0")),
    }


def website_filing() -> dict:
    """The website channel open for filing, the firm that files on it, the intake clerk of the
    business-environment bureau (yshj) and a caseworker of the finance bureau (czj)."""
    from cases.complaints.models import Channel

    Channel.objects.create(code="website", name="信用网站投诉专栏", secret="s")
    return {
        "firm": ApplicantFactory(username="firm", phone="13912345678"),
        "clerk": StaffFactory(username="clerk", department__code="yshj", role=Role.INTAKE_CLERK),
        "worker": StaffFactory(username="worker", department__code="czj"),
    }


def answered_complaint(complaint, *, clerk, worker, subject="arrears"):
    """Carry a received complaint to "answered": registered, assigned to the worker's department,
    taken up and answered by the worker (found unsubstantiated, explained: the complainant's turn)."""
    from cases.complaints import services as complaints

    complaints.register(actor=clerk, complaint_id=complaint.pk, subject=subject, respondent="区某局")
    complaints.assign(actor=clerk, complaint_id=complaint.pk, department_id=worker.department_id)
    complaints.start_work(actor=worker, complaint_id=complaint.pk)
    complaints.answer(actor=worker, complaint_id=complaint.pk, finding="unsubstantiated", text="经核实不属实，已说明")
    return complaint


def rectifying_complaint(complaint, *, clerk, worker, subject="other_breach", rectify_days=None):
    """Carry a received complaint to "rectifying": found substantiated, the body must rectify."""
    from cases.complaints import services as complaints

    complaints.register(actor=clerk, complaint_id=complaint.pk, subject=subject, respondent="区某局")
    complaints.assign(actor=clerk, complaint_id=complaint.pk, department_id=worker.department_id)
    complaints.start_work(actor=worker, complaint_id=complaint.pk)
    complaints.answer(actor=worker, complaint_id=complaint.pk, finding="substantiated", text="确属违约，限期整改",
                      rectify_days=rectify_days)  # fmt: skip
    return complaint


def rectified_complaint(complaint, *, clerk, worker, subject="other_breach"):
    """Carry a received complaint to "rectified": substantiated, cured with evidence, verified by the clerk."""
    from cases.complaints import rectification

    rectifying_complaint(complaint, clerk=clerk, worker=worker, subject=subject)
    rectification.report_rectified(actor=worker, complaint_id=complaint.pk, evidence="已履行合同，附验收单")
    rectification.verify(actor=clerk, complaint_id=complaint.pk)
    return complaint
