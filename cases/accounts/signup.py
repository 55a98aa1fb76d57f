"""An applicant opens an account of their own (the sign-up page)."""

from django.db import transaction

from cases.core import events
from cases.core.event_types import EventType
from cases.core.models import User
from cases.core.roles import Role, grant_role


@transaction.atomic
def register_applicant(*, form) -> User:
    """Open an applicant account from a valid ApplicantSignUpForm."""
    user = form.save(commit=False)
    user.id_number = form.cleaned_data["id_number"]
    user.save()
    grant_role(user, Role.APPLICANT)
    events.record(subject=user, event_type=EventType.USER_REGISTERED, actor=user, reference=user.username,
                  entity_kind=user.entity_kind)  # fmt: skip
    return user
