from .audit import AuditChainHead, AuditEvent
from .calendar import Holiday
from .case import Case, CaseCounter, CaseKind
from .complaint import (
    ArrearsPayment,
    Channel,
    ChannelCallback,
    ChannelNonce,
    Complaint,
    Instalment,
    IntegrityEntry,
    RespondentBody,
    WorkOrder,
)
from .deadline import Deadline, Stage, SupervisionLevel, SupervisionOrder
from .identity import BindingCode, BindingMethod, BindingRole, IdentityBinding
from .notices import Notice, NoticeKind
from .org import Department, User
from .policy import Policy
from .records import CreditRecord, Party, RecordStatus, RecordType, Severity
from .repair import Material, NationalSync, RepairApplication

__all__ = [
    "ArrearsPayment",
    "AuditChainHead",
    "AuditEvent",
    "BindingCode",
    "BindingMethod",
    "BindingRole",
    "Case",
    "CaseCounter",
    "CaseKind",
    "Channel",
    "ChannelCallback",
    "ChannelNonce",
    "Complaint",
    "CreditRecord",
    "Deadline",
    "Department",
    "Holiday",
    "IdentityBinding",
    "Instalment",
    "IntegrityEntry",
    "Material",
    "NationalSync",
    "Notice",
    "NoticeKind",
    "Party",
    "Policy",
    "RecordStatus",
    "RecordType",
    "RepairApplication",
    "RespondentBody",
    "Severity",
    "Stage",
    "SupervisionLevel",
    "SupervisionOrder",
    "User",
    "WorkOrder",
]
