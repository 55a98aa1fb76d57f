from .audit import AuditEvent
from .calendar import Holiday
from .case import Case, CaseCounter, CaseKind
from .deadline import Deadline, Stage, SupervisionLevel, SupervisionOrder
from .org import Department, User
from .policy import Policy
from .records import CreditRecord, Party, RecordStatus, RecordType, Severity

__all__ = [
    "AuditEvent",
    "Case",
    "CaseCounter",
    "CaseKind",
    "CreditRecord",
    "Deadline",
    "Department",
    "Holiday",
    "Party",
    "Policy",
    "RecordStatus",
    "RecordType",
    "Severity",
    "Stage",
    "SupervisionLevel",
    "SupervisionOrder",
    "User",
]
