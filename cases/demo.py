"""Demo people for `make run`: one user per role, in three departments. Idempotent."""

from dataclasses import dataclass

from django.db import transaction

from cases.identifiers import resident_id_check_character, uscc_check_character
from cases.models import Department, User
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
