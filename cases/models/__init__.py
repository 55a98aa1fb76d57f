from .audit import AuditEvent
from .calendar import Holiday
from .case import Case, CaseCounter, CaseKind
from .deadline import Deadline, Stage, SupervisionLevel, SupervisionOrder
from .org import Department, User
from .policy import Policy

__all__ = [
    "AuditEvent",
    "Case",
    "CaseCounter",
    "CaseKind",
    "Deadline",
    "Department",
    "Holiday",
    "Policy",
    "Stage",
    "SupervisionLevel",
    "SupervisionOrder",
    "User",
]
