"""The policy numbers of docs/domain.md, as seeded defaults, and typed readers over the Policy table.

Code never writes these numbers as literals: it asks `working_days(...)`, `count(...)`, etc.,
so an administrator's change in the admin takes effect on the next case.
"""

import copy
import time

from django.utils.translation import gettext_lazy as _

from cases.core.exceptions import PolicyMissing

REPAIR = "repair"
COMPLAINT = "complaint"
OBJECTION = "objection"

_22 = "国办发〔2025〕22号"
_1103 = "发改财金〔2023〕1103号"
_802 = "国务院令第802号"
_36 = "国家发展改革委令第36号"

# The values an "option" policy may take (the admin's form and the reader check them).
RESTART, RESUME = "restart", "resume"
OPTIONS: dict[tuple[str, str], tuple[str, ...]] = {(REPAIR, "clock_after_correction"): (RESTART, RESUME)}
_PIPL = "《中华人民共和国个人信息保护法》第十九条"
_REMEDY = "《中华人民共和国行政复议法》第二十条、《中华人民共和国行政诉讼法》第四十六条"


def _materials(*items: tuple[str, str]) -> list[dict]:
    return [{"code": code, "name": name} for code, name in items]


# (case_type, key, kind, value, label, basis)
DEFAULTS: list[tuple[str, str, str, object, str, str]] = [
    (REPAIR, "accept_within", "working_days", 3, "受理决定时限", _22),
    (REPAIR, "decide_within", "working_days", 10, "自申请起作出修复结果时限", _22),
    (REPAIR, "extensions_allowed", "count", 1, "复杂案件可延期次数", _22),
    (REPAIR, "sync_within", "working_days", 3, "核准后同步修复结果时限", _22),
    (REPAIR, "correction_within", "working_days", 10, "申请人补正材料期限（逾期未补正的终止办理）", _36),
    (REPAIR, "clock_after_correction", "option", RESTART, "补正后办理时限重新计算（restart）或继续计算（resume）", _36),
    (REPAIR, "extension_days", "working_days", 10, "复杂案件延期时长（经部门负责人批准）", _36),
    (REPAIR, "reapply_bar_months", "months", 12, "撤销信用修复决定后不得再次申请的期限（月）", _36),
    (REPAIR, "remind_before", "working_days", 2, "到期前提醒（工作日）", ""),
    (REPAIR, "escalate_after", "working_days", 5, "逾期后挂牌督办（工作日）", ""),
    (REPAIR, "supervision_respond_within", "working_days", 3, "督办单答复时限（工作日）", ""),
    (REPAIR, "minor_shortest_months", "months", 0, "轻微失信信息最短公示期（月）", _22),
    (REPAIR, "minor_longest_months", "months", 3, "轻微失信信息最长公示期（月）", _22),
    (REPAIR, "general_shortest_months", "months", 3, "一般失信信息最短公示期（月）", _22),
    (REPAIR, "general_longest_months", "months", 12, "一般失信信息最长公示期（月）", _22),
    (REPAIR, "serious_shortest_months", "months", 12, "严重失信信息最短公示期（月）", _22),
    (REPAIR, "serious_longest_months", "months", 36, "严重失信信息最长公示期（月）", _22),
    (
        REPAIR,
        "materials_penalty",
        "choices",
        _materials(("obligation_proof", "履行义务证明（缴款凭证、整改报告等）"), ("commitment", "信用承诺书")),
        "行政处罚信息修复所需材料",
        _22,
    ),
    (
        REPAIR,
        "materials_list_removal",
        "choices",
        _materials(
            ("application_form", "信用修复申请书"),
            ("obligation_proof", "履行义务证明（缴款凭证、整改报告等）"),
            ("commitment", "信用承诺书"),
        ),
        "严重失信主体名单移出所需材料",
        _22,
    ),
    (
        REPAIR,
        "materials_other",
        "choices",
        _materials(("obligation_proof", "履行义务证明"), ("commitment", "信用承诺书")),
        "其他失信信息修复所需材料",
        _22,
    ),
    (
        REPAIR,
        "materials_bankruptcy",
        "choices",
        _materials(("court_ruling", "人民法院裁定批准重整计划或者认可和解协议的文书")),
        "破产重整、和解申请信用修复另需材料",
        _36,
    ),
    # Which severities a record type allows (a type not listed allows any): a serious-dishonesty
    # list entry is serious; an administrative penalty by simple procedure is minor.
    (
        REPAIR,
        "severity_by_record_type",
        "choices",
        [
            {"code": "serious_list", "name": "严重失信主体名单：严重失信", "severities": ["serious"]},
            {"code": "penalty_simple_procedure", "name": "简易程序作出的行政处罚：轻微失信", "severities": ["minor"]},
        ],
        "失信信息类别与记录类型对照",
        _36,
    ),
    # How long a closed case keeps its people's names, phones and ID numbers before the daily task
    # anonymises them (cases/core/retention.py). No rule of docs/domain.md sets a number: five years
    # is the office's default, kept to the shortest time the purpose needs (PIPL art. 19).
    (REPAIR, "retain_months", "months", 60, "结案后个人信息保存期限（月），期满后匿名化", _PIPL),
    (COMPLAINT, "retain_months", "months", 60, "结案后个人信息保存期限（月），期满后匿名化", _PIPL),
    (OBJECTION, "retain_months", "months", 60, "结案后个人信息保存期限（月），期满后匿名化", _PIPL),
    (OBJECTION, "check_within", "working_days", 5, "信用信息异议核查处理时限（工作日）", _36),
    (OBJECTION, "pauses_display", "count", 0, "信用信息异议处理期间暂停公示（0 否，1 是）", ""),
    (OBJECTION, "remind_before", "working_days", 2, "到期前提醒（工作日）", ""),
    (OBJECTION, "escalate_after", "working_days", 5, "逾期后挂牌督办（工作日）", ""),
    (OBJECTION, "supervision_respond_within", "working_days", 3, "督办单答复时限（工作日）", ""),
    # What the notices print (cases/core/documents.py); a department's own values come first.
    (
        REPAIR,
        "notice_remedy_clause",
        "text",
        "申请人如不服本决定，可在收到本决定书之日起六十日内向{复议机关}申请行政复议，"
        "或者在六个月内依法向人民法院提起行政诉讼。",
        "决定书的救济途径告知（{复议机关}处填入复议机关）",
        _REMEDY,
    ),
    (REPAIR, "notice_reconsideration_body", "text", "甘州区人民政府", "行政复议机关（部门未另设时）", _REMEDY),
    (
        REPAIR,
        "notice_contact_line",
        "text",
        "联系人：信用修复窗口　电话：12345　地址：甘州区政务服务中心",
        "文书所载联系人、电话、地址（部门未另设时）",
        "",
    ),
    (COMPLAINT, "register_within", "working_days", 1, "登记时限", _1103),
    (COMPLAINT, "assign_within", "working_days", 1, "交办时限", _1103),
    (COMPLAINT, "answer_within", "working_days", 15, "部门答复时限", _1103),
    (COMPLAINT, "extensions_allowed", "count", 1, "可延期次数", _1103),
    (COMPLAINT, "extension_max", "working_days", 15, "每次延期最长（工作日）", _1103),
    (COMPLAINT, "confirm_within", "working_days", 5, "投诉人确认时限（逾期视为满意）", _1103),
    (COMPLAINT, "rectify_within", "working_days", 15, "整改时限（答复未另定日期时）", _1103),
    (COMPLAINT, "rectify_max", "working_days", 30, "答复可定的最长整改期限（工作日）", ""),
    (COMPLAINT, "callback_attempts", "count", 1, "电话、窗口投诉视为满意前须回访未果次数", ""),
    (COMPLAINT, "reopen_limit", "count", 2, "最多重新办理次数", _1103),
    (COMPLAINT, "remind_before", "working_days", 2, "到期前催办（工作日）", ""),
    (COMPLAINT, "escalate_after", "working_days", 5, "逾期后挂牌督办（工作日）", ""),
    (COMPLAINT, "supervision_respond_within", "working_days", 3, "督办单答复时限（工作日）", ""),
    (COMPLAINT, "duplicate_window", "calendar_days", 30, "疑似重复投诉比对期（日）", ""),
    (COMPLAINT, "report_remind_before", "working_days", 5, "半年工作进展报告报送前提醒部门负责人（工作日）", ""),
    (COMPLAINT, "sme_payment_days", "calendar_days", 30, "向中小企业付款期限（日）", _802),
    (COMPLAINT, "sme_contract_max_days", "calendar_days", 60, "合同约定付款期限上限（日）", _802),
    (COMPLAINT, "large_enterprise_payment_days", "calendar_days", 60, "向大型企业付款期限（日）", _802),
    (
        COMPLAINT,
        "subjects",
        "choices",
        _materials(
            ("procurement", "政府采购"),
            ("tendering", "招标投标"),
            ("investment", "招商引资"),
            ("government_debt", "政府债务"),
            ("arrears", "拖欠账款（清欠）"),
            ("policy_not_honoured", "政策不兑现"),
            ("old_debts", "新官不理旧账"),
            ("other_breach", "其他违约失信"),
        ),
        "投诉事项分类",
        _1103,
    ),
]


def load_defaults(policy_model) -> int:
    """Insert every default that the table does not have yet (an admin's values are kept)."""
    existing = set(policy_model.objects.values_list("case_type", "key"))
    rows = [
        policy_model(case_type=case_type, key=key, kind=kind, value=value, label=label, basis=basis)
        for case_type, key, kind, value, label, basis in DEFAULTS
        if (case_type, key) not in existing
    ]
    policy_model.objects.bulk_create(rows)
    return len(rows)


# Policies are read on every step of every case and change a few times a year: each process keeps
# them for a minute, and drops them at once when this process changes one (services.change_policy).
_CACHE_SECONDS = 60
_cache: dict[tuple[str, str], tuple[float, str, object]] = {}


def clear_cache() -> None:
    _cache.clear()


def _value(case_type: str, key: str, kinds: tuple[str, ...]):
    cached = _cache.get((case_type, key))
    if cached is None or time.monotonic() - cached[0] > _CACHE_SECONDS:
        from cases.core.models import Policy

        row = Policy.objects.filter(case_type=case_type, key=key).values_list("kind", "value").first()
        cached = (time.monotonic(), *row) if row else (time.monotonic(), "", None)
        _cache[(case_type, key)] = cached
    _stamp, kind, value = cached
    if value is None or kind not in kinds:
        raise PolicyMissing(_("The policy %(case_type)s/%(key)s is not set.") % {"case_type": case_type, "key": key})
    return copy.deepcopy(value)


def working_days(case_type: str, key: str) -> int:
    return int(_value(case_type, key, ("working_days",)))


def calendar_days(case_type: str, key: str) -> int:
    return int(_value(case_type, key, ("calendar_days",)))


def months(case_type: str, key: str) -> int:
    return int(_value(case_type, key, ("months",)))


def count(case_type: str, key: str) -> int:
    return int(_value(case_type, key, ("count",)))


def choices(case_type: str, key: str) -> list[dict]:
    return list(_value(case_type, key, ("choices",)))


# The seeded names of the choice policies (complaint subjects, repair materials) in the reader's
# language; a name an administrator wrote reads as written. Notices keep the stored names.
CHOICE_NAMES = {
    "政府采购": _("Government procurement"),
    "招标投标": _("Tendering and bidding"),
    "招商引资": _("Investment promotion"),
    "政府债务": _("Government debt"),
    "拖欠账款（清欠）": _("Unpaid accounts"),
    "政策不兑现": _("Policy promises not honoured"),
    "新官不理旧账": _("New officials ignoring old commitments"),
    "其他违约失信": _("Other breach of trust"),
    "信用修复申请书": _("Credit-repair application form"),
    "履行义务证明（缴款凭证、整改报告等）": _(
        "Proof of obligations fulfilled (payment receipts, rectification report, etc.)"
    ),
    "履行义务证明": _("Proof of obligations fulfilled"),
    "信用承诺书": _("Credit commitment"),
    "人民法院裁定批准重整计划或者认可和解协议的文书": _(
        "The court's ruling approving the reorganisation plan or recognising the settlement"
    ),
}


def choice_name(name: str) -> str:
    """A choice's name as the page's reader reads it."""
    label = CHOICE_NAMES.get(name)
    return str(label) if label is not None else name


def named_choices(case_type: str, key: str) -> list[dict]:
    """The choices of a policy with each name in the reader's language (for pages and forms)."""
    return [{**item, "name": choice_name(item.get("name", ""))} for item in choices(case_type, key)]


def option(case_type: str, key: str) -> str:
    """One of the values OPTIONS allows for the policy (e.g. "restart" or "resume")."""
    value = _value(case_type, key, ("option",))
    if value not in OPTIONS.get((case_type, key), ()):
        raise PolicyMissing(_("The policy %(case_type)s/%(key)s is not set.") % {"case_type": case_type, "key": key})
    return value


def text(case_type: str, key: str) -> str:
    return str(_value(case_type, key, ("text",)))
