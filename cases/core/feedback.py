"""What a person is told after each step they take (Django messages): one table, keyed by the
event the step wrote to the audit trail, so the message says what actually happened (a proposal to
repair or to refuse, an answer that ordered rectification, a complaint merged rather than not
registered) with the case number in it.

A view takes a `mark()` before calling the service and `announce()`s after it: the events the
user wrote on the case since the mark are looked up, and the first of them in the table's order
(the step itself before what it set off: a claim, a closed deadline, the case closed) is told."""

import re
from functools import wraps

from django.contrib import messages
from django.db.models import Max
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from viewflow.fsm import TransitionNotAllowed

from cases.core.event_types import EventType as E
from cases.core.exceptions import Conflict, DomainError, IllegalTransition, InvalidInput, Throttled
from cases.core.models import AuditEvent
from cases.infra.navigation import redirect_back

# Events whose message depends on one field of the payload: (event, field) -> {value: message}.
VARIANTS = {
    E.REPAIR_DECISION_PROPOSED: ("approve", {
        True: _("A decision to repair is proposed on application %(number)s; it awaits the department head's "
                "approval."),
        False: _("A refusal is proposed on application %(number)s; it awaits the department head's approval."),
    }),
    E.COMPLAINT_DECIDE_EXTENSION: ("approved", {
        True: _("The extension of complaint %(number)s is approved; the department is told."),
        False: _("The extension of complaint %(number)s is refused; the department is told."),
    }),
    E.COMPLAINT_FLAGGED_TYPICAL: ("typical", {
        True: _("Complaint %(number)s is marked as a typical case."),
        False: _("Complaint %(number)s is no longer marked as a typical case."),
    }),
    E.COMPLAINT_REJECT: ("merged_into", {
        None: _("Complaint %(number)s is not registered; the complainant is told why."),
        "*": _("Complaint %(number)s is merged into %(merged_into)s; the complainant is told."),
    }),
}  # fmt: skip

# The one table, in order of precedence: when a step writes several events, the first listed is told.
DONE = {
    # credit repair: the applicant
    E.REPAIR_SUBMIT: _("Application %(number)s is submitted. The department decides on acceptance within "
                       "%(days)d working days."),
    E.REPAIR_RESUBMIT: _("Application %(number)s is resubmitted with the completed materials; the department "
                         "goes on with its acceptance."),
    E.REPAIR_WITHDRAW: _("Application %(number)s is withdrawn."),
    E.REPAIR_DRAFT_SAVED: _("The draft of application %(number)s is saved."),
    E.REPAIR_MATERIAL_ADDED: _("“%(file)s” is uploaded to application %(number)s."),
    # credit repair: the department
    E.REPAIR_ACCEPT: _("Application %(number)s is accepted; the applicant is told and the acceptance notice is "
                       "issued."),
    E.REPAIR_REQUEST_MATERIALS: _("The one-time notice on application %(number)s is issued; the applicant is told "
                                  "what to complete and the clock is stopped."),
    E.REPAIR_REFUSE: _("Application %(number)s is not accepted; the applicant is told the reason."),
    E.REPAIR_START_REVIEW: _("The review of application %(number)s has started."),
    E.REPAIR_DECISION_PROPOSED: VARIANTS[E.REPAIR_DECISION_PROPOSED],
    E.REPAIR_SENT_BACK: _("Application %(number)s is sent back to the caseworker for re-review."),
    E.REPAIR_APPROVE: _("The repair on application %(number)s is approved: the record is no longer displayed, "
                        "the applicant is told and the result goes to the national credit site."),
    E.REPAIR_REJECT: _("The repair on application %(number)s is refused; the applicant is told the reason."),
    E.REPAIR_EXTENSION_REQUESTED: _("The extension of application %(number)s is proposed; it awaits the "
                                    "department head."),
    E.REPAIR_EXTENSION_APPROVED: _("The decision on application %(number)s is extended to %(due_on)s; the "
                                   "applicant is told."),
    E.REPAIR_EXTENSION_REFUSED: _("The extension of application %(number)s is refused; the caseworker is told "
                                  "why."),
    E.REPAIR_REVOKE: _("The repair on application %(number)s is revoked; the applicant is told."),
    E.REPAIR_MARK_SYNCED: _("Application %(number)s is synced to the national credit site."),
    # credit information objections
    E.OBJECTION_RAISED: _("Objection %(number)s is raised. The department checks it within %(days)d working "
                          "days."),
    E.OBJECTION_START_CHECK: _("The check of objection %(number)s has started."),
    E.OBJECTION_CORRECT: _("The record is corrected and objection %(number)s is closed; the entity is told."),
    E.OBJECTION_CONFIRM: _("The record is confirmed and objection %(number)s is closed; the entity is told the "
                           "reason."),
    E.OBJECTION_WITHDRAW_RECORD: _("The record's publication is withdrawn and objection %(number)s is closed; "
                                   "the entity is told."),
    # complaints: the clerks
    E.COMPLAINT_REGISTER: _("Complaint %(number)s is registered; assign it to a department next."),
    E.COMPLAINT_REJECT: VARIANTS[E.COMPLAINT_REJECT],
    E.COMPLAINT_ASSIGN: _("Complaint %(number)s is assigned; the department is told."),
    E.COMPLAINT_APPROVE_RETURN: _("The return is approved: complaint %(number)s is back for routing."),
    E.COMPLAINT_REFUSE_RETURN: _("The return is refused: the department keeps complaint %(number)s."),
    E.COMPLAINT_CALLBACK: _("The call-back on complaint %(number)s is recorded."),
    E.COMPLAINT_VERIFY_RECTIFICATION: _("The rectification on complaint %(number)s is verified; the complainant "
                                        "confirms the outcome."),
    E.COMPLAINT_REJECT_RECTIFICATION: _("The rectification on complaint %(number)s is sent back to the "
                                        "department."),
    E.COMPLAINT_CONFIRM_BREACH: _("The breach on complaint %(number)s is confirmed and entered on the integrity "
                                  "record."),
    # complaints: the department
    E.COMPLAINT_RETURN_MISROUTED: _("Complaint %(number)s is returned to the clerks for routing."),
    E.COMPLAINT_START_WORK: _("You are handling complaint %(number)s."),
    E.COMPLAINT_REQUEST_EXTENSION: _("An extension of complaint %(number)s is requested; the supervisors "
                                     "decide."),
    E.COMPLAINT_DECIDE_EXTENSION: VARIANTS[E.COMPLAINT_DECIDE_EXTENSION],
    E.COMPLAINT_ORDER_RECTIFICATION: _("The answer on complaint %(number)s is sent and rectification is ordered; "
                                       "the body reports when it is done."),
    E.COMPLAINT_ANSWER: _("The answer on complaint %(number)s is sent; the complainant is asked to confirm it."),
    E.COMPLAINT_REQUEST_RETURN: _("The return of complaint %(number)s is requested; the clerks decide."),
    E.COMPLAINT_REPORT_RECTIFICATION: _("The rectification on complaint %(number)s is reported; a clerk verifies "
                                        "it."),
    E.COMPLAINT_REPORT_REFUSAL: _("The body's refusal to rectify on complaint %(number)s is reported; a clerk "
                                  "confirms the breach."),
    E.ARREARS_AMOUNT_CONFIRMED: _("The confirmed amount on complaint %(number)s is recorded."),
    E.ARREARS_PAYMENT: _("The payment on complaint %(number)s is recorded."),
    E.ARREARS_PLAN_AGREED: _("The repayment plan on complaint %(number)s is recorded."),
    E.COMPLAINT_FLAGGED_TYPICAL: VARIANTS[E.COMPLAINT_FLAGGED_TYPICAL],
    # complaints: the complainant and the supervisors
    E.COMPLAINT_WITHDRAW: _("Complaint %(number)s is withdrawn."),
    E.COMPLAINT_CONFIRM: _("Thank you: complaint %(number)s is closed."),
    E.COMPLAINT_REOPEN: _("Your reason is recorded: complaint %(number)s is handled again."),
    E.COMPLAINT_CLOSE: _("Complaint %(number)s is closed after review."),
    E.INTEGRITY_ENTRY_REPAIRED: _("The breach entry of complaint %(number)s is marked repaired; it no longer "
                                  "counts against the body."),
    # supervision
    E.SUPERVISION_ISSUED: _("Supervision order issued on case %(number)s."),
    E.SUPERVISION_ANSWERED: _("Your answer to the supervision order on case %(number)s is sent to the "
                              "supervisors."),
    # who holds the case or its task
    E.TASK_CLAIMED: _("The task “%(task)s” of case %(number)s is yours now."),
    E.TASK_RELEASED: _("The task “%(task)s” of case %(number)s is back in the queue."),
    E.CASE_CLAIMED: _("Case %(number)s is yours now."),
    E.CASE_RELEASED: _("Case %(number)s is back in the department's queue."),
}  # fmt: skip

# A step that wrote none of the events above (it should not happen: tests/core/test_feedback.py).
FALLBACK = _("Case %(number)s is updated.")


def mark() -> int:
    """Where the audit trail stands before a step: announce() tells what was written after it."""
    return AuditEvent.objects.aggregate(last=Max("pk"))["last"] or 0


def _variant(entry, payload: dict):
    field, texts = entry
    value = payload.get(field)
    if value in texts:
        return texts[value]
    return texts["*"] if value and "*" in texts else texts.get(None, FALLBACK)


def message_for(event_type: str, payload: dict, number: str, **extra) -> str:
    """The message of one event on case `number`; `extra` fills what the payload does not carry."""
    entry = DONE.get(event_type, FALLBACK)
    text = _variant(entry, payload) if isinstance(entry, tuple) else entry
    values = {key: value for key, value in payload.items() if isinstance(value, str | int)}
    values.update(extra, number=number)
    try:
        return text % values
    except (KeyError, TypeError, ValueError):
        return FALLBACK % {"number": number}


def what_happened(case, actor, since: int) -> tuple[str, dict] | None:
    """The event the actor's step wrote on the case after the mark `since` that the person is told of."""
    written = (
        AuditEvent.objects.for_subject(case)
        .filter(pk__gt=since, actor=actor)
        .order_by("pk")
        .values_list("event_type", "payload")
    )
    order = {event_type: position for position, event_type in enumerate(DONE)}
    told = [(order[event_type], event_type, payload) for event_type, payload in written if event_type in order]
    if not told:
        return None
    _position, event_type, payload = min(told, key=lambda item: item[0])
    return event_type, payload or {}


def tell(request, case, event_type: E, **extra) -> str:
    """Tell the user the message of `event_type` on `case`, whatever the step wrote."""
    text = message_for(event_type, {}, case.number, **extra)
    messages.success(request, text)
    return text


def announce(request, case, since: int, *, otherwise: E | None = None, **extra) -> str:
    """Tell the user what their step on `case` did (a success message on the next page).
    `otherwise`: the event whose message is told when the step wrote nothing (claiming a case
    one already holds)."""
    happened = what_happened(case, request.user, since)
    if happened is None and otherwise is not None:
        happened = (otherwise, {})
    if happened is None:
        text = FALLBACK % {"number": case.number}
    else:
        text = message_for(happened[0], happened[1], case.number, **extra)
    messages.success(request, text)
    return text


# --- a refused step -----------------------------------------------------------------------------
# A refused step (what was typed is not valid, the state does not allow it, someone else was
# quicker, too many tries) is told on the page the person acted on. Only what has no page to go
# back to (not found, not permitted) ends on the error page (cases/core/middleware.py).

REFUSED = (InvalidInput, IllegalTransition, Conflict, Throttled, TransitionNotAllowed)
CODE = re.compile(r"^[a-z0-9_]+$")


def _error(error: Exception) -> DomainError:
    return IllegalTransition() if isinstance(error, TransitionNotAllowed) else error


def refusal(error: Exception) -> list[str]:
    """What the person reads about a refused step: its message (unless only the general one),
    then each detail in words (a material's code alone says nothing to them)."""
    error = _error(error)
    said = [] if error.message == InvalidInput.default_message else [str(error.message)]
    details = [str(message) for messages_ in (error.details or {}).values() for message in messages_]
    said += [detail for detail in details if not CODE.match(detail)]
    return said or [str(error.message)]


def typed(post, action: str) -> dict:
    """What the person typed into the refused step's form, to be put back on the page."""
    fields = {name: post.getlist(name) for name in post if name != "csrfmiddlewaretoken"}
    return {"action": action, "fields": fields}


def status_of(error: Exception) -> int:
    """The status of the page shown again: 400 for what was typed, 409 for a step the state no
    longer allows (a double submit), 429 for too many tries."""
    return _error(error).status_code


def again(error: Exception, post, action: str) -> dict:
    """What a page shown again after its step `action` was refused gets: its status, the step (its
    form is opened), the reasons, and what was typed (put back at that form by static/js/forms.js)."""
    return {
        "status": status_of(error),
        "refused_action": action,
        "refused_messages": refusal(error),
        "typed": typed(post, action),
    }


def status_after(request, form) -> int:
    """The status of a form's page: 400 when what was sent is not valid (the form's own checks)."""
    return 400 if request.method == "POST" and form.errors else 200


def on_form(form, error: Exception) -> None:
    """Put a refused step on its form: each detail at its field, the rest at the top of the form."""
    error = _error(error)
    placed = False
    for field, problems in (error.details or {}).items():
        for problem in problems:
            if not CODE.match(str(problem)):
                form.add_error(field if field in form.fields else None, str(problem))
                placed = True
    if not placed or error.message != InvalidInput.default_message:
        form.add_error(None, str(error.message))


def form_again(request, template: str, context: dict, error: Exception, *, form: str = "form"):
    """The same page again after a refused step, the reasons at its form (context[form]), what was
    typed still in it (a bound form keeps it), with the refusal's status (status_of)."""
    on_form(context[form], error)
    return render(request, template, context, status=status_of(error))


def told_back(request, error: Exception, fallback: str):
    """A one-click step refused: back to the page it was taken on, the reason said there."""
    for text in refusal(error):
        messages.error(request, text)
    return redirect_back(request, fallback)


def back_on_refusal(fallback: str):
    """For a view of a one-click step (claim, release…): a refusal goes back to the page the
    step was taken on (the form's `next`, else `fallback`) with the reason, not to the error page."""

    def decorate(view):
        @wraps(view)
        def step(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except REFUSED as error:
                return told_back(request, error, fallback)

        return step

    return decorate
