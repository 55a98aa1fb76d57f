from .audit import AuditEvent
from .calendar import Holiday
from .org import Department, User
from .policy import Policy

__all__ = ["AuditEvent", "Department", "Holiday", "Policy", "User"]
