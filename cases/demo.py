"""Demo people for `make run`: one user per role, in three departments. Idempotent."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from cases import services, workdays
from cases.identifiers import resident_id_check_character, uscc_check_character
from cases.models import Case, Department, User
from cases.models.org import EntityKind
from cases.roles import Role, grant_role

DEMO_PASSWORD = "chengxin-demo"


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: str
    department: str = ""
    entity_kind: str = ""
    entity_name: str = ""
    id_number: str = ""


def _uscc(first17: str) -> str:
    return first17 + uscc_check_character(first17)


def _resident_id(first17: str) -> str:
    return first17 + resident_id_check_character(first17)


DEMO_USERS = [
    DemoUser(
        "qiye",
        "张经理",
        Role.APPLICANT,
        entity_kind=EntityKind.ENTERPRISE,
        entity_name="甘州区示范商贸有限公司",
        id_number=_uscc("91620702MA71ABCD0"),
    ),
    DemoUser(
        "geren",
        "李明",
        Role.APPLICANT,
        entity_kind=EntityKind.PERSON,
        entity_name="李明",
        id_number=_resident_id("62070219850612001"),
    ),
    DemoUser("dengji", "王登记", Role.INTAKE_CLERK, department="yshj"),
    DemoUser("banli", "赵办理", Role.CASEWORKER, department="scjg"),
    DemoUser("banli2", "钱办理", Role.CASEWORKER, department="fgj"),
    DemoUser("kezhang", "孙科长", Role.DEPARTMENT_HEAD, department="scjg"),
    DemoUser("duban", "周督办", Role.SUPERVISOR, department="yshj"),
    DemoUser("admin", "系统管理员", Role.ADMIN),
]


@transaction.atomic
def load_demo_users() -> list[DemoUser]:
    departments = {dept.code: dept for dept in Department.objects.all()}
    for demo in DEMO_USERS:
        user, _created = User.objects.update_or_create(
            username=demo.username,
            defaults={
                "full_name": demo.full_name,
                "department": departments.get(demo.department),
                "entity_kind": demo.entity_kind,
                "entity_name": demo.entity_name,
                "id_number": demo.id_number,
                "is_superuser": demo.role == Role.ADMIN,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        grant_role(user, demo.role)
    return DEMO_USERS


@dataclass(frozen=True)
class DemoCase:
    kind: str
    title: str
    state: str
    department: str
    assignee: str
    applicant: str
    step: str
    label: str
    policy_key: str
    started_working_days_ago: int


# One overdue complaint (the sweep issues its supervision order and escalates it) and one close
# to its due date (reminder); the complaint workflow itself comes with its issue.
DEMO_CASES = [
    DemoCase("complaint", "区某单位拖欠工程款 86 万元", "in_progress", "scjg", "banli", "qiye",
             "complaint.answer", "部门答复", "answer_within", 21),
    DemoCase("complaint", "招商引资奖励政策未兑现", "in_progress", "scjg", "banli", "qiye",
             "complaint.answer", "部门答复", "answer_within", 13),
]  # fmt: skip


@transaction.atomic
def load_demo_records() -> int:
    """Two published penalties about the demo enterprise: one repairable now, one not yet."""
    from dateutil.relativedelta import relativedelta

    from cases.models import CreditRecord

    if CreditRecord.objects.exists():
        return 0
    enterprise = User.objects.get(username="qiye")
    caseworker = User.objects.get(username="banli")
    today = timezone.localdate()
    for number, months_ago, severity, summary in [
        ("甘市监罚〔2026〕8号", 5, "general", "未按规定公示年度报告，罚款 2000 元"),
        ("甘市监罚〔2026〕131号", 1, "general", "销售标签不符合规定的商品，没收违法所得并罚款 5000 元"),
    ]:
        decided_on = today - relativedelta(months=months_ago)
        services.register_credit_record(
            actor=caseworker,
            data={
                "party_kind": enterprise.entity_kind,
                "party_name": enterprise.entity_name,
                "party_id_number": enterprise.id_number,
                "record_type": "penalty",
                "decision_number": number,
                "decided_on": decided_on,
                "severity": severity,
                "summary": summary,
                "published_from": decided_on,
            },
        )
    return 2


@transaction.atomic
def load_demo_cases() -> int:
    """Open the demo cases once (none are added if any case exists)."""
    if Case.objects.exists():
        return 0
    users = {user.username: user for user in User.objects.filter(username__in=[d.username for d in DEMO_USERS])}
    departments = {dept.code: dept for dept in Department.objects.all()}
    today = timezone.localdate()
    for demo in DEMO_CASES:
        case = services.open_case(
            kind=demo.kind,
            title=demo.title,
            actor=None,
            applicant=users[demo.applicant],
            department=departments[demo.department],
            state=demo.state,
        )
        case.assignee = users.get(demo.assignee)
        case.save(update_fields=["assignee"])
        services.start_deadline(
            case=case,
            step=demo.step,
            label=demo.label,
            policy_key=demo.policy_key,
            start=workdays.add_working_days(today, -demo.started_working_days_ago),
        )
    return len(DEMO_CASES) + _demo_repair_application(users["qiye"])


def _demo_repair_application(applicant) -> int:
    """A credit-repair application just submitted by the demo enterprise, for its repairable record."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases import repair_services
    from cases.models import CreditRecord

    record = CreditRecord.objects.filter(
        party__id_number=applicant.id_number, repairable_from__lte=timezone.localdate()
    ).first()
    if record is None:
        return 0
    application = repair_services.start_application(actor=applicant, record_id=record.pk,
                                                    statement="罚款已缴清，年度报告已补报公示。")  # fmt: skip
    for item in repair_services.required_materials(record):
        upload = SimpleUploadedFile(f"{item['code']}.pdf", b"%PDF-1.4 demo material", content_type="application/pdf")
        repair_services.add_material(actor=applicant, application_id=application.pk, code=item["code"], upload=upload)
    repair_services.submit(actor=applicant, application_id=application.pk, obligations_fulfilled=True,
                           commitment_signed=True)  # fmt: skip
    return 1


DEMO_CHANNELS = [
    ("12345", "12345 政务服务便民热线"),
    ("zqf", "张企服小程序"),
    ("ztc", "营商环境直通车"),
    ("website", "信用网站投诉专栏"),
]


def load_demo_channels() -> list[str]:
    """The four complaint channels, with demo signing secrets "demo-<code>" (replace in production)."""
    from cases.models import Channel

    for code, name in DEMO_CHANNELS:
        Channel.objects.get_or_create(code=code, defaults={"name": name, "secret": f"demo-{code}"})
    return [code for code, _name in DEMO_CHANNELS]
