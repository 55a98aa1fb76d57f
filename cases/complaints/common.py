"""What every write of the complaint workflow shares: the locked complaint, the declared
transition (and the channel told of it), who is told, who may act."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from cases.complaints import channel_callbacks
from cases.complaints.models import Complaint
from cases.core import permissions, scaffold, services, transitions
from cases.core.event_types import DeadlineStep
from cases.core.exceptions import InvalidInput
from cases.core.roles import Role
from notifications import services as notification_services
from notifications.phrases import Phrase


def locked(complaint_id: int) -> Complaint:
    """The complaint with its channel (told of every step), after its case is locked."""
    return scaffold.locked_by_case(Complaint, complaint_id, related=("channel",))


def transition(complaint: Complaint, declared, actor, **payload) -> None:
    """The declared transition (cases.core.transitions), then the channel that brought the
    complaint in is told of its new state."""
    transitions.transition(complaint.case, declared, actor, **payload)
    channel_callbacks.queue(complaint)


def tell(recipients, complaint: Complaint, title, body, kind="complaint.progress") -> None:
    """`title` and `body`: Phrases (notifications/phrases.py) or text as a person typed it."""
    notification_services.notify(recipients, kind=kind, title=title, body=body, case=complaint.case)


def tell_complainant(complaint: Complaint, title, body) -> None:
    """The complainant's account is told; one without an account (12345, the counter) gets a text
    at the number they gave, with what they need to read the case on the tracking page."""
    if complaint.complainant_id:
        tell([complaint.complainant_id], complaint, title, body)
    elif complaint.complainant_phone:
        text = Phrase(
            "%(title)s. See it at %(url)s with the verification code %(code)s.",
            title=title,
            url=f"{settings.SITE_URL.rstrip('/')}{reverse('track')}",
            code=complaint.case.verification_code,
        )
        notification_services.text_phone(complaint.complainant_phone, kind="complaint.progress", title=text,
                                          body=body, case=complaint.case)  # fmt: skip


def require_clerk(actor) -> None:
    permissions.require(actor, "cases.register_complaints")


def require_department(complaint: Complaint, actor) -> None:
    """The department the complaint is assigned to works it."""
    scaffold.require_department(complaint.case, actor)


def require_clerk_or_supervisor(actor) -> None:
    """Verifying a rectification and confirming a breach: the intake clerks or the supervisors."""
    if actor is not None and actor.has_perm("cases.supervise_all_cases"):
        return
    require_clerk(actor)


def tell_clerks(complaint: Complaint, title, body) -> None:
    tell(services.users_with_role(Role.INTAKE_CLERK), complaint, title, body)


def tell_department(complaint: Complaint, title, body) -> None:
    """The caseworker holding the complaint, or else the department's caseworkers and head."""
    case = complaint.case
    if case.assignee_id:
        tell([case.assignee_id], complaint, title, body)
        return
    staff = services.users_with_role(Role.CASEWORKER, case.department_id)
    staff += services.users_with_role(Role.DEPARTMENT_HEAD, case.department_id)
    tell(staff, complaint, title, body)


def required_text(value, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(details={field: [message]})
    return text


def start_confirmation_window(complaint: Complaint) -> None:
    """The complainant's days to confirm: watched to end the case by the policy, never supervised
    against the department (Deadline.supervised)."""
    services.start_deadline(case=complaint.case, step=DeadlineStep.COMPLAINT_CONFIRM,
                            label=_("Complainant's confirmation"), policy_key="confirm_within",
                            supervised=False)  # fmt: skip
