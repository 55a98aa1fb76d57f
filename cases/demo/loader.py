"""Demo people for `make run`: one user per role, in three departments. Idempotent."""

from base64 import b32decode
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.accounts import services as identity_services
from cases.core import services, staff_speed, workdays
from cases.core.event_types import DeadlineStep
from cases.core.identifiers import resident_id_check_character, uscc_check_character
from cases.core.models import BindingRole, Case, Department, ReplyPhrase, User
from cases.core.models.org import EntityKind
from cases.core.roles import Role, grant_role
from cases.records import services as record_services

DEMO_PASSWORD = "chengxin-demo"
# Every demo staff member's authenticator app holds this key (base32, as apps take it): add it to
# any authenticator app, or print the current code with (README, "Staff accounts and sign-in")
#   python -c "import base64; from django_otp.oath import totp;
#              print('%06d' % totp(base64.b32decode('CHENGXINDEMOCHENGXINDEMOCHENGXIN')))"
# A demo only: real staff enrol their own app at their first sign-in.
DEMO_TOTP_SECRET = "CHENGXINDEMOCHENGXINDEMOCHENGXIN"


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
    DemoUser("anquan", "安全管理员", Role.SECURITY_ADMIN),
    DemoUser("shenji", "审计管理员", Role.AUDIT_ADMIN),
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
                "is_superuser": False,  # the three administrators share the work (三员分立)
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        grant_role(user, demo.role)
        if demo.role != Role.APPLICANT:
            TOTPDevice.objects.update_or_create(
                user=user,
                name="demo authenticator app",
                defaults={"key": b32decode(DEMO_TOTP_SECRET).hex(), "confirmed": True},
            )
    _bind_demo_applicants()
    _demo_phrases()
    return DEMO_USERS


# The reply phrases (常用语) the demo head keeps for the market-supervision bureau.
DEMO_PHRASES = [
    ("已核实属实", "经核实，反映的情况属实，已责成相关单位限期整改。"),
    ("已核实不属实", "经核实，反映的情况与事实不符，具体核查情况如下："),
    ("材料不清晰", "所提交的材料不清晰，无法辨认，请重新上传清晰的扫描件。"),
    ("已按期办理", "已按督办单要求办理，办理情况如下："),
]


def _demo_phrases() -> None:
    """The demo head's department keeps a few reply phrases; seeded again, nothing changes."""
    head = User.objects.get(username="kezhang")
    if ReplyPhrase.objects.filter(department_id=head.department_id).exists():
        return
    for position, (title, text) in enumerate(DEMO_PHRASES):
        staff_speed.add_phrase(actor=head, title=title, text=text, position=position)


def _bind_demo_applicants() -> None:
    """The demo applicants are verified as if at the counter by the demo clerk (实名认证), so that
    they see their records at once; seeded again, nothing changes."""
    clerk = User.objects.get(username="dengji")
    for demo in DEMO_USERS:
        if demo.entity_kind:
            identity_services.bind_at_counter(
                actor=clerk, username=demo.username, kind=demo.entity_kind, id_number=demo.id_number,
                name=demo.entity_name, role=BindingRole.LEGAL_REPRESENTATIVE,
            )  # fmt: skip


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
             DeadlineStep.COMPLAINT_ANSWER, "部门答复", "answer_within", 21),
    DemoCase("complaint", "招商引资奖励政策未兑现", "in_progress", "scjg", "banli", "qiye",
             DeadlineStep.COMPLAINT_ANSWER, "部门答复", "answer_within", 13),
]  # fmt: skip


# What the two demo complaints above say: subject, respondent body, amount claimed, facts.
DEMO_COMPLAINT_FACTS = {
    "区某单位拖欠工程款 86 万元": ("arrears", "区某街道办事处", "860000",
                                  "2024 年完工的道路维修工程验收合格后，工程款 86 万元至今未付。"),
    "招商引资奖励政策未兑现": ("investment", "区招商服务中心", None,
                              "签约时承诺的落户奖励 30 万元，企业投产已满一年仍未兑现。"),
}  # fmt: skip


def _demo_complaint_side(case, applicant) -> None:
    """The complaint side of a demo complaint case, as the 12345 hotline sent it."""
    from decimal import Decimal

    from cases.complaints import services as complaints
    from cases.complaints.models import Channel, Complaint

    channel = Channel.objects.filter(code="12345").first()
    if channel is None or case.title not in DEMO_COMPLAINT_FACTS:
        return
    subject, respondent, amount, facts = DEMO_COMPLAINT_FACTS[case.title]
    complaint = Complaint.objects.create(
        case=case, channel=channel, channel_reference=f"12345-{case.number}", complainant=applicant,
        complainant_name="张经理", complainant_phone="13800001234", enterprise_name=applicant.entity_name,
        enterprise_uscc=applicant.id_number, respondent=respondent, subject=subject, facts=facts,
        amount_claimed=Decimal(amount) if amount else None, respondent_body=complaints.matching_body(respondent),
    )  # fmt: skip
    services.copy_complaint_facts(complaint)


@transaction.atomic
def load_demo_records() -> int:
    """Two published penalties about the demo enterprise: one repairable now, one not yet."""
    from dateutil.relativedelta import relativedelta

    from cases.core.models import CreditRecord

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
        record_services.register_credit_record(
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
    load_demo_bodies()
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
        if demo.kind == "complaint":
            _demo_complaint_side(case, users[demo.applicant])
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

    from cases.core.models import CreditRecord
    from cases.repair import services as repair_services

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
    ("12345", "12345 政务服务便民热线", "12345 government service hotline"),
    ("zqf", "张企服小程序", "Zhangqifu mini-program"),
    ("ztc", "营商环境直通车", "Business environment express line"),
    ("website", "信用网站投诉专栏", "Complaints page of the credit website"),
]


# The hotline's complainants are reached by telephone: they are called back (回访).
CALLBACK_CHANNELS = {"12345"}


def load_demo_channels() -> list[str]:
    """The four complaint channels, with demo signing secrets "demo-<code>" (replace in production)."""
    from cases.complaints.models import Channel

    for code, name, name_en in DEMO_CHANNELS:
        channel, _created = Channel.objects.get_or_create(
            code=code, defaults={"name": name, "secret": f"demo-{code}", "callback_required": code in CALLBACK_CHANNELS}
        )
        if not channel.name_en:
            channel.name_en = name_en
            channel.save(update_fields=["name_en"])
    return [code for code, _name, _name_en in DEMO_CHANNELS]


# --- the registry of respondent bodies: a few bodies below the district's departments ---------

# (name, kind, code of the supervising department). The departments themselves are in the
# registry from the migrations (departments.csv).
DEMO_BODIES = [
    ("区城市建设投资有限公司", "state_owned_enterprise", "czj"),
    ("区某镇人民政府", "township_government", "fgj"),
    ("区某街道办事处", "township_government", "mzj"),
    ("区公共资源交易中心", "public_institution", "fgj"),
]


@transaction.atomic
def load_demo_bodies() -> int:
    """The demo's subordinate bodies with their supervising department. Returns rows added."""
    from cases.complaints.models import RespondentBody

    departments = {dept.code: dept for dept in Department.objects.all()}
    added = 0
    for name, kind, code in DEMO_BODIES:
        _body, created = RespondentBody.objects.get_or_create(
            name=name, defaults={"kind": kind, "supervising_department": departments.get(code)}
        )
        added += created
    return added


# --- the half-year's history: complaints and a repair taken through the services ------------


@dataclass(frozen=True)
class DemoComplaint:
    reference: str
    channel: str
    subject: str
    respondent: str
    facts: str
    department: str
    outcome: str  # closed | reopened | rejected | rectifying | breach
    complainant_name: str = "张经理"
    complainant_phone: str = "13800001234"
    amount: str | None = None
    enterprise: tuple[str, str] | None = None  # (name, first 17 of the USCC) when not the demo enterprise
    body: str = ""  # the registry's body the clerk picks, when its name there differs from the complaint's


DEMO_HISTORY = [
    DemoComplaint("DEMO-1", "12345", "arrears", "区城市建设投资有限公司",
                  "供货合同约定验收后 30 日内付款，货款 12 万元拖欠至今。", "scjg", "closed", amount="120000"),
    DemoComplaint("DEMO-2", "zqf", "policy_not_honoured", "区工业和信息化局",
                  "技改补贴已公示入选，承诺的 20 万元补贴一直未拨付。", "fgj", "reopened", body="区工信局"),
    DemoComplaint("DEMO-3", "website", "procurement", "某物业服务公司",
                  "物业公司未按合同支付保洁服务费。", "", "rejected"),
    DemoComplaint("DEMO-4", "12345", "government_debt", "区某镇人民政府",
                  "镇政府向企业借款 50 万元用于道路建设，到期未还。", "fgj", "rectifying", complainant_name="王丽",
                  complainant_phone="13912345678", enterprise=("甘州区丽华建材经营部", "92620702MA72XYHW0")),
    DemoComplaint("DEMO-5", "ztc", "investment", "区公共资源交易中心",
                  "招商引资协议约定的场地租金减免未兑现，多次协商无果。", "fgj", "breach"),
]  # fmt: skip


def _demo_history_complaint(demo: DemoComplaint, users: dict, departments: dict) -> None:
    from cases.complaints import intake as complaint_intake
    from cases.complaints import rectification
    from cases.complaints import services as complaints
    from cases.complaints.models import Channel, RespondentBody

    clerk, supervisor, enterprise = users["dengji"], users["duban"], users["qiye"]
    name, uscc = (demo.enterprise[0], _uscc(demo.enterprise[1])) if demo.enterprise else (
        enterprise.entity_name, enterprise.id_number)  # fmt: skip
    complaint, _created = complaint_intake.receive(channel=Channel.objects.get(code=demo.channel), data={
        "reference": demo.reference, "complainant_name": demo.complainant_name,
        "complainant_phone": demo.complainant_phone, "enterprise_name": name, "enterprise_uscc": uscc,
        "respondent": demo.respondent, "subject": demo.subject, "facts": demo.facts, "amount_claimed": demo.amount,
    })  # fmt: skip
    if demo.outcome == "rejected":
        complaints.reject(actor=clerk, complaint_id=complaint.pk,
                          reason="属民事合同纠纷，不属于政府违约失信投诉受理范围，请通过民事途径解决。")  # fmt: skip
        return
    # The clerk picks the body from the registry (the complainant wrote 区工业和信息化局 for 区工信局).
    body = RespondentBody.objects.filter(name=demo.body).first() if demo.body else None
    body = body or complaints.matching_body(demo.respondent)
    complaints.register(actor=clerk, complaint_id=complaint.pk, subject=demo.subject, respondent=demo.respondent,
                        respondent_body_id=body.pk if body else None)  # fmt: skip
    complaints.assign(actor=clerk, complaint_id=complaint.pk, department_id=departments[demo.department].pk)
    worker = users["banli"] if demo.department == "scjg" else users["banli2"]
    complaints.start_work(actor=worker, complaint_id=complaint.pk)
    substantiated = demo.outcome != "reopened"
    complaints.answer(actor=worker, complaint_id=complaint.pk,
                      finding="substantiated" if substantiated else "unsubstantiated",
                      remedy="pay" if substantiated else "",
                      text="经核实情况属实，已责令被投诉单位限期整改。" if substantiated
                      else "经核实，补贴须待专项资金下达后拨付，已向企业说明。")  # fmt: skip
    if demo.outcome == "reopened":
        complaints.object_to_answer(actor=enterprise, complaint_id=complaint.pk, reason="补贴资金早已下达，仍未拨付。")
    elif demo.outcome == "breach":
        rectification.report_refusal(actor=worker, complaint_id=complaint.pk,
                                     statement="被投诉单位书面答复：协议条款不再执行，拒绝减免。")  # fmt: skip
        finding = "被投诉单位拒不履行招商引资协议约定的租金减免，确认违约失信。"
        rectification.confirm_breach(actor=clerk, complaint_id=complaint.pk, finding=finding)
    elif demo.outcome == "closed":
        today = timezone.localdate()
        complaints.confirm_amount(actor=worker, complaint_id=complaint.pk, amount=demo.amount)
        complaints.record_payment(actor=worker, complaint_id=complaint.pk, amount="50000", paid_on=today,
                                  proof="转账凭证 GZ-2026-0815")  # fmt: skip
        complaints.agree_plan(actor=worker, complaint_id=complaint.pk,
                              instalments=[(today + timezone.timedelta(days=30), "70000")])  # fmt: skip
        evidence = "已付 5 万元（转账凭证 GZ-2026-0815），余款 7 万元签订分期还款协议。"
        rectification.report_rectified(actor=worker, complaint_id=complaint.pk, evidence=evidence)
        rectification.verify(actor=clerk, complaint_id=complaint.pk, note="凭证、协议核验无误。")
        complaints.confirm(actor=enterprise, complaint_id=complaint.pk)
        complaints.flag_typical(actor=supervisor, complaint_id=complaint.pk)


def _demo_decided_repair(users: dict) -> None:
    """李明 applies to repair a penalty the market regulator published four months ago; it is
    accepted, reviewed and approved by the department head."""
    from dateutil.relativedelta import relativedelta
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.repair import services as repair_services

    person, worker, head = users["geren"], users["banli"], users["kezhang"]
    decided_on = timezone.localdate() - relativedelta(months=4)
    record = record_services.register_credit_record(actor=worker, data={
        "party_kind": person.entity_kind, "party_name": person.entity_name, "party_id_number": person.id_number,
        "record_type": "penalty", "decision_number": "甘市监罚〔2026〕57号", "decided_on": decided_on,
        "severity": "general", "summary": "经营场所未公示营业执照，罚款 500 元", "published_from": decided_on,
    })  # fmt: skip
    application = repair_services.start_application(actor=person, record_id=record.pk, statement="罚款已缴清。")
    for item in repair_services.required_materials(record):
        upload = SimpleUploadedFile(f"{item['code']}.pdf", b"%PDF-1.4 demo material", content_type="application/pdf")
        repair_services.add_material(actor=person, application_id=application.pk, code=item["code"], upload=upload)
    repair_services.submit(actor=person, application_id=application.pk, obligations_fulfilled=True,
                           commitment_signed=True)  # fmt: skip
    repair_services.accept(actor=worker, application_id=application.pk)
    repair_services.start_review(actor=worker, application_id=application.pk)
    repair_services.propose_decision(actor=worker, application_id=application.pk, approve=True, reason="")
    repair_services.approve_decision(actor=head, application_id=application.pk)


@transaction.atomic
def load_demo_history() -> int:
    """A few complaints of this half-year taken through the workflow (closed with a payment and a
    repayment plan, reopened, rejected, answered) and a decided credit repair, so the figures and
    the half-year report have something to show. Once only."""
    from cases.complaints.models import Complaint

    load_demo_bodies()
    if Complaint.objects.filter(channel_reference__startswith="DEMO-").exists():
        return 0
    users = {user.username: user for user in User.objects.filter(username__in=[d.username for d in DEMO_USERS])}
    departments = {dept.code: dept for dept in Department.objects.all()}
    for demo in DEMO_HISTORY:
        _demo_history_complaint(demo, users, departments)
    _demo_decided_repair(users)
    return len(DEMO_HISTORY) + 1
