from .audit import AuditChainHead, AuditEvent
from .calendar import Holiday
from .case import Case, CaseCounter, CaseKind
from .deadline import Deadline, Stage, SupervisionLevel
from .desk import ReplyPhrase, SavedFilter
from .identity import BindingCode, BindingMethod, BindingRole, IdentityBinding, PasswordResetCode
from .notices import Notice, NoticeKind, NoticeSequence
from .org import Department, User
from .policy import Policy
from .records import CreditRecord, Party, RecordStatus, RecordType, Severity

__all__ = [
    "AuditChainHead",
    "AuditEvent",
    "BindingCode",
    "BindingMethod",
    "BindingRole",
    "Case",
    "CaseCounter",
    "CaseKind",
    "CreditRecord",
    "Deadline",
    "Department",
    "Holiday",
    "IdentityBinding",
    "Notice",
    "NoticeKind",
    "NoticeSequence",
    "Party",
    "PasswordResetCode",
    "Policy",
    "RecordStatus",
    "RecordType",
    "ReplyPhrase",
    "SavedFilter",
    "Severity",
    "Stage",
    "SupervisionLevel",
    "User",
]
